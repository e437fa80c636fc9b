package lab_test

import (
	"context"
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/kernel"
)

// eachKernel runs f with every kernel variant this machine runs in use.
func eachKernel(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	was := kernel.Name()
	defer kernel.Use(was)
	for _, v := range kernel.Available() {
		if err := kernel.Use(v); err != nil {
			t.Fatal(err)
		}
		t.Run(v, f)
	}
}

// determinismJobs are runs of the methods that touch every product path:
// packed frozen weights (LoRA), W that trains (full), W that moves and is
// repacked (Delta-LoRA from step 0), large-rank products (VeRA).
func determinismJobs() []lab.Job {
	cfg := lab.Defaults()
	cfg.Width, cfg.Depth, cfg.Steps, cfg.EvalEvery, cfg.DeltaStart = 40, 3, 120, 30, 0
	var jobs []lab.Job
	for _, m := range []lab.Method{adapters.LoRA{}, adapters.Full{}, adapters.DeltaLoRA{}, adapters.VeRA{}} {
		jobs = append(jobs, lab.Job{Method: m, Config: cfg})
	}
	return jobs
}

// TestSameSeedSameBits: the same seed on the same machine with the same
// kernel gives bit-identical runs (histories, final losses, data digests),
// for every kernel variant; and different variants agree closely (they sum
// in different orders, so only to rounding, amplified by training).
func TestSameSeedSameBits(t *testing.T) {
	finals := map[string][]lab.Point{}
	eachKernel(t, func(t *testing.T) {
		var runs [2][]*lab.Result
		for i := range runs {
			res, err := lab.ExecuteAll(context.Background(), determinismJobs(), 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			runs[i] = res
		}
		for i := range runs[0] {
			a, b := runs[0][i], runs[1][i]
			if a.DataDigest != b.DataDigest || a.Final != b.Final || len(a.History) != len(b.History) {
				t.Fatalf("%s: two runs of one seed differ: final %+v vs %+v", a.Method, a.Final, b.Final)
			}
			for k := range a.History {
				if a.History[k] != b.History[k] {
					t.Fatalf("%s: history point %d differs: %+v vs %+v", a.Method, k, a.History[k], b.History[k])
				}
			}
			finals[a.Method] = append(finals[a.Method], a.Final)
		}
	})
	for method, fs := range finals {
		for _, f := range fs[1:] {
			if d := math.Abs(f.Eval-fs[0].Eval) / fs[0].Eval; d > 1e-6 {
				t.Errorf("%s: final eval loss %v on one kernel, %v on another (relative difference %.2g)", method, fs[0].Eval, f.Eval, d)
			}
		}
	}
}

// stepper trains a model step by step as the engine does.
type stepper struct {
	task  *lab.ShiftTask
	model *lab.Model
	opt   *lab.AdamW
}

// newStepper builds the task, model and optimiser of cfg for method m.
func newStepper(t *testing.T, m lab.Method, cfg lab.Config) *stepper {
	t.Helper()
	cfg, err := lab.Prepare(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	task := lab.NewShiftTask(cfg)
	ledger := lab.NewLedger()
	model := lab.NewModel(cfg, m, task, ledger)
	return &stepper{task: task, model: model, opt: lab.NewAdamW(ledger, model.Params, cfg.LR, cfg.WeightDecay)}
}

// step takes optimiser step n (1-based) and returns its training loss.
func (s *stepper) step(n int) float64 {
	s.task.NextBatch(s.model.BatchX, s.model.BatchY)
	loss := s.model.Loss(s.model.Forward(s.model.BatchX), s.model.BatchY)
	s.model.ZeroGrads()
	s.model.Backward()
	for _, l := range s.model.Layers {
		l.BeforeUpdate()
	}
	s.opt.Step()
	for _, l := range s.model.Layers {
		l.AfterUpdate(n)
	}
	return loss
}

// TestCoresSameBits: a model whose products are split over two cores
// (SetCores(2)) trains bit-identically to one on one core, for every
// method, at a width where the products are large enough to be split.
func TestCoresSameBits(t *testing.T) {
	cfg := lab.Defaults()
	cfg.Width, cfg.Depth, cfg.DeltaStart = 64, 3, 0
	for _, m := range adapters.All() {
		t.Run(m.Info().Name, func(t *testing.T) {
			one, two := newStepper(t, m, cfg), newStepper(t, m, cfg)
			two.model.SetCores(2)
			defer two.model.Close()
			if two.model.Cores() != 2 || one.model.Cores() != 1 {
				t.Fatalf("Cores() = %d and %d, want 1 and 2", one.model.Cores(), two.model.Cores())
			}
			for n := 1; n <= 15; n++ {
				if a, b := one.step(n), two.step(n); a != b {
					t.Fatalf("step %d: loss %v on one core, %v on two", n, a, b)
				}
			}
			for i, p := range one.model.Params {
				q := two.model.Params[i]
				for j := range p.Value.Data {
					if math.Float64bits(p.Value.Data[j]) != math.Float64bits(q.Value.Data[j]) {
						t.Fatalf("%s[%d]: %v on one core, %v on two", p.Name, j, p.Value.Data[j], q.Value.Data[j])
					}
				}
			}
			two.model.Close()
			if two.model.Cores() != 1 {
				t.Error("Cores() after Close is not 1")
			}
		})
	}
}

// TestStalePackDetected: Linear.Forward computes with its packed copy of W,
// so a change to W without Repack is not seen, and PacksMatch says so;
// Repack takes the change. (The adapters' tests check that every method
// that changes W repacks.)
func TestStalePackDetected(t *testing.T) {
	if kernel.Name() == "gonum" {
		t.Skip("gonum reads W itself: no pack to go stale")
	}
	lin := &lab.Linear{Shape: lab.Shape{Name: "l", DIn: 5, DOut: 3}, W: randomMat(3, 5, 1), Bias: make([]float64, 3)}
	x := randomMat(4, 5, 2)
	before, after, fresh := lab.NewMat(4, 3), lab.NewMat(4, 3), lab.NewMat(4, 3)
	lin.Forward(x, before)
	if !lin.PacksMatch() {
		t.Fatal("PacksMatch is false right after packing")
	}
	lin.W.Data[7] += 0.5
	if lin.PacksMatch() {
		t.Fatal("PacksMatch is true after W changed without Repack")
	}
	lin.Forward(x, after)
	if !equal(before, after) {
		t.Fatal("Forward saw a change of W before Repack: it is not using the pack")
	}
	lin.Repack()
	lin.Forward(x, after)
	lab.Gemm(1, x, lab.NoT, lin.W, lab.T, 0, fresh)
	if !lin.PacksMatch() || !equal(after, fresh) || equal(after, before) {
		t.Fatal("after Repack, Forward does not compute with the changed W")
	}
}

// equal reports whether a and b hold the same bits.
func equal(a, b *lab.Mat) bool {
	for i := range a.Data {
		if math.Float64bits(a.Data[i]) != math.Float64bits(b.Data[i]) {
			return false
		}
	}
	return true
}
