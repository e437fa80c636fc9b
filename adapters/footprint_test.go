package adapters_test

import (
	"fmt"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// footprintCase is one model shape the ledger is checked at.
type footprintCase struct {
	width, depth, batch, rank int
	act                       string
	projected                 bool     // LoRA-FA's projected gradient
	only                      []string // methods to run (all if empty)
}

func (c footprintCase) String() string {
	return fmt.Sprintf("w%d-d%d-n%d-r%d-%s-proj=%v", c.width, c.depth, c.batch, c.rank, c.act, c.projected)
}

func (c footprintCase) config() lab.Config {
	cfg := smallConfig()
	cfg.Batch, cfg.Rank = c.batch, c.rank
	cfg = with(cfg, "width", c.width, "depth", c.depth, "activation", c.act, "lorafa-projected", c.projected)
	cfg = with(cfg, "task-rank", min(get(cfg, "task-rank"), c.width))
	return cfg
}

func (c footprintCase) methods() []lab.Method {
	if len(c.only) == 0 {
		return adapters.All()
	}
	var ms []lab.Method
	for _, m := range adapters.All() {
		for _, name := range c.only {
			if m.Info().Name == name {
				ms = append(ms, m)
			}
		}
	}
	return ms
}

var footprintCases = []footprintCase{
	{width: 6, depth: 3, batch: 5, rank: 2, act: "tanh"},
	{width: 6, depth: 3, batch: 5, rank: 2, act: "tanh", projected: true, only: []string{"lora-fa"}},
	{width: 16, depth: 2, batch: 7, rank: 4, act: "relu"},
	{width: 16, depth: 2, batch: 7, rank: 4, act: "relu", projected: true, only: []string{"lora-fa"}},
	{width: 5, depth: 1, batch: 3, rank: 5, act: "identity"}, // rank = width, one layer
	{width: 9, depth: 4, batch: 1, rank: 1, act: "identity", projected: true},
	{width: 32, depth: 2, batch: 16, rank: 8, act: "tanh"},
	{width: 8, depth: 3, batch: 4, rank: 20, act: "tanh", only: []string{"vera"}}, // VeRA rank above the width
	{width: 4, depth: 2, batch: 2, rank: 64, act: "relu", only: []string{"vera"}},
}

// checkFootprint compares a measured footprint with the formula, category by category.
func checkFootprint(t *testing.T, got, want lab.Footprint) {
	t.Helper()
	for _, c := range lab.Categories {
		if got.Get(c) != want.Get(c) {
			t.Errorf("%s: ledger holds %d numbers, formula says %d", c, got.Get(c), want.Get(c))
		}
	}
}

// formula is what a method says a model of cfg holds: its own Footprint
// plus the model's buffers.
func formula(m lab.Method, cfg lab.Config) lab.Footprint {
	return m.Footprint(cfg, layersOf(cfg), cfg.Batch).Plus(tasks.Shift{}.Footprint(cfg, m.Info().TrainsBase))
}

// TestLedgerEqualsFormula proves property 4 (honest memory) against each
// method's stated cost: for several shapes (widths, depths, batches, ranks,
// activations, VeRA rank above the width, LoRA-FA with and without the
// projection) the numbers the ledger handed out after building a lab.Model
// and taking one training step equal Footprint + ModelFootprint in every
// category. It also checks that the trainable, gradient and optimiser
// numbers are the params' own buffers (Σ sizes, 2× for AdamW).
func TestLedgerEqualsFormula(t *testing.T) {
	for _, c := range footprintCases {
		for _, m := range c.methods() {
			t.Run(c.String()+"/"+m.Info().Name, func(t *testing.T) {
				tr := newTrainer(t, m, c.config())
				tr.trainStep()
				got := tr.model.Ledger.Numbers()
				checkFootprint(t, got, formula(m, tr.cfg))
				values, grads := 0, 0
				for _, p := range tr.model.Params {
					values += p.Value.Len()
					grads += p.Grad.Len()
				}
				if got.Trainable != values || got.Gradients != grads || got.Optimizer != 2*values {
					t.Errorf("ledger trainable/gradients/optimizer = %d/%d/%d; the params hold %d/%d and AdamW needs %d",
						got.Trainable, got.Gradients, got.Optimizer, values, grads, 2*values)
				}
			})
		}
	}
}

// TestExecuteReportsFormulaMemory proves that a real run reports the same
// bytes: lab.Execute's Result.Memory equals the formula at 8 bytes a
// number, its parameter counts equal the formula's, and every progress
// event reports the same memory and counts as the result.
func TestExecuteReportsFormulaMemory(t *testing.T) {
	for _, c := range []footprintCase{
		{width: 6, depth: 3, batch: 5, rank: 2, act: "tanh", projected: true},
		{width: 8, depth: 2, batch: 4, rank: 12, act: "relu", only: []string{"vera"}},
	} {
		for _, m := range c.methods() {
			t.Run(c.String()+"/"+m.Info().Name, func(t *testing.T) {
				cfg := c.config()
				cfg.Steps = 5
				var events []lab.Progress
				res, err := runJob(m, cfg, func(p lab.Progress) { events = append(events, p) })
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != lab.Done {
					t.Fatalf("status %s (%s)", res.Status, res.Reason)
				}
				for _, p := range events {
					if p.Memory != res.Memory || p.Params != res.Params {
						t.Errorf("event at step %d reports memory %+v, params %+v; the result %+v, %+v", p.Step, p.Memory, p.Params, res.Memory, res.Params)
					}
				}
				f := formula(m, res.Config)
				if want := f.Bytes(lab.BytesPerNumber); res.Memory != want {
					t.Errorf("Result.Memory = %+v\nformula       = %+v", res.Memory, want)
				}
				if res.Memory.Total != int64(8*f.Total()) {
					t.Errorf("total %d bytes, want 8 × %d numbers", res.Memory.Total, f.Total())
				}
				if res.Params.Trainable != f.Trainable || res.Params.Frozen != f.Frozen || res.Params.Total != f.Trainable+f.Frozen {
					t.Errorf("Result.Params = %+v, formula trainable %d frozen %d", res.Params, f.Trainable, f.Frozen)
				}
			})
		}
	}
}
