package adapters_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// testStream is the random stream the tests draw their own data from; it is
// not one the engine uses.
const testStream = 1000

// catalog is every method and task the program offers.
var catalog = lab.Catalog{Methods: adapters.All(), Tasks: tasks.All()}

// with sets settings by flag name (name, value, name, value, …) as a
// person would type them, panicking on a mistake in the test itself.
func with(c lab.Config, kv ...any) lab.Config {
	for i := 0; i < len(kv); i += 2 {
		s, err := catalog.Setting(kv[i].(string))
		if err != nil {
			panic(err)
		}
		if err := s.Set(&c, fmt.Sprint(kv[i+1])); err != nil {
			panic(err)
		}
	}
	return c
}

// get returns the value of setting name in c, as an int.
func get(c lab.Config, name string) int {
	s, err := catalog.Setting(name)
	if err != nil {
		panic(err)
	}
	return s.Int(c)
}

// smallConfig is a tiny model on the shift task: fast even under -race.
func smallConfig() lab.Config {
	c := catalog.Defaults()
	c.Batch, c.Rank, c.Alpha, c.Steps, c.EvalEvery = 5, 2, 2, 50, 10 // α = r: s = 1
	return with(c, "width", 6, "depth", 3, "task-rank", 2, "train-size", 40, "eval-size", 10)
}

// prepare resolves cfg for m on the shift task and fails the test if it is refused.
func prepare(t testing.TB, m lab.Method, cfg lab.Config) lab.Config {
	t.Helper()
	job, err := lab.Prepare(lab.Job{Method: m, Task: tasks.Shift{}, Config: cfg})
	if err != nil {
		t.Fatalf("%s: Prepare: %v", m.Info().Name, err)
	}
	return job.Config
}

// layersOf lists the shift task's layers for cfg.
func layersOf(cfg lab.Config) []lab.Shape { return tasks.Shift{}.Layers(cfg, false) }

// runJob runs m on the shift task with cfg through the engine (lab.Execute).
func runJob(m lab.Method, cfg lab.Config, onProgress func(lab.Progress)) (*lab.Result, error) {
	return lab.Execute(context.Background(), lab.Job{Method: m, Task: tasks.Shift{}, Config: cfg}, onProgress)
}

// model is what the tests look at inside a run: the base layers, the
// adapted layers, every trainable tensor and the ledger.
type model struct {
	Base   []*lab.Linear
	Layers []lab.Adapted
	Params []*lab.Param
	Ledger *lab.Ledger
}

// inside is what the shift task's network shows tests of its step.
type inside interface {
	Batch() (x, y *lab.Mat)
	Prediction() *lab.Mat
}

// trainer drives the shift task's network exactly as the engine's run loop
// does, one step at a time, so tests can look at the state between steps.
type trainer struct {
	cfg   lab.Config
	net   lab.Network
	model model
	opt   *lab.AdamW
	x, y  *lab.Mat // the network's batch
	step  int
	seen  lab.Digest
}

// newTrainer builds the task's network, adapts it with m and allocates its
// optimiser for cfg (resolved for m first), as lab.Start does.
func newTrainer(t testing.TB, m lab.Method, cfg lab.Config) *trainer {
	t.Helper()
	cfg = prepare(t, m, cfg)
	ledger := lab.NewLedger()
	net, err := tasks.Shift{}.New(context.Background(), cfg, ledger, m.Info().TrainsBase)
	if err != nil {
		t.Fatal(err)
	}
	env := &lab.Env{Ledger: ledger, Rand: lab.NewRand(cfg.Seed, lab.StreamAdapter), Config: cfg, N: cfg.Batch}
	tr := &trainer{cfg: cfg, net: net, model: model{Base: net.Linears(), Ledger: ledger}}
	tr.model.Layers = m.Build(env, net.Linears())
	for _, l := range tr.model.Layers {
		tr.model.Params = append(tr.model.Params, l.Params()...)
	}
	tr.model.Params = append(tr.model.Params, net.Adapt(tr.model.Layers)...)
	tr.opt = lab.NewAdamW(ledger, tr.model.Params, cfg.LR, cfg.WeightDecay)
	tr.x, tr.y = net.(inside).Batch()
	return tr
}

// nextBatch draws the next training batch into tr.x, tr.y.
func (tr *trainer) nextBatch() { tr.net.NextBatch(&tr.seen) }

// predict runs the forward pass on the current batch and returns the prediction.
func (tr *trainer) predict() *lab.Mat {
	tr.net.Forward()
	return tr.net.(inside).Prediction()
}

// gradients runs forward, loss and backward on the current batch, leaving
// the gradients in the params, and returns the loss.
func (tr *trainer) gradients() float64 {
	loss := tr.net.Forward()
	for _, p := range tr.model.Params {
		p.Grad.Zero()
	}
	tr.net.Backward()
	return loss
}

// update finishes a step whose gradients are ready: BeforeUpdate, AdamW,
// AfterUpdate.
func (tr *trainer) update() {
	for _, l := range tr.model.Layers {
		l.BeforeUpdate()
	}
	tr.opt.Step()
	tr.step++
	for _, l := range tr.model.Layers {
		l.AfterUpdate(tr.step)
	}
}

// trainStep is one full optimiser step, as the engine takes it.
func (tr *trainer) trainStep() float64 {
	tr.nextBatch()
	loss := tr.gradients()
	tr.update()
	return loss
}

// paramsByRole returns the params of one adapted layer with the given role.
func paramsByRole(l lab.Adapted, role string) []*lab.Param {
	var out []*lab.Param
	for _, p := range l.Params() {
		if p.Role == role {
			out = append(out, p)
		}
	}
	return out
}

// param returns the single param of layer l with the given role.
func param(t testing.TB, l lab.Adapted, role string) *lab.Param {
	t.Helper()
	ps := paramsByRole(l, role)
	if len(ps) != 1 {
		t.Fatalf("layer has %d params with role %q, want 1", len(ps), role)
	}
	return ps[0]
}

// randomizeAdapters sets every zero-initialised adapter tensor (LoRA's B,
// VeRA's b) to random nonzero values, so that every gradient is nonzero.
func randomizeAdapters(layers []lab.Adapted, r *rand.Rand) {
	for _, l := range layers {
		for _, p := range l.Params() {
			if p.Role == "B" || p.Role == "b" {
				fillRandom(p.Value, r, 0.5)
			}
		}
	}
}

// fillRandom fills m with values uniform on ±scale, bounded away from 0.
func fillRandom(m *lab.Mat, r *rand.Rand, scale float64) {
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j := range row {
			v := (0.2 + 0.8*r.Float64()) * scale
			if r.IntN(2) == 0 {
				v = -v
			}
			row[j] = v
		}
	}
}

// randomMat returns a rows × cols matrix filled by fillRandom.
func randomMat(rows, cols int, r *rand.Rand, scale float64) *lab.Mat {
	m := lab.NewMat(rows, cols)
	fillRandom(m, r, scale)
	return m
}

// snapshot returns a contiguous copy of m.
func snapshot(m *lab.Mat) *lab.Mat { return m.Clone() }

// maxAbs returns the largest |element| of m.
func maxAbs(m *lab.Mat) float64 {
	x := 0.0
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			x = math.Max(x, math.Abs(v))
		}
	}
	return x
}

// maxAbsDiff returns the largest |a − b| elementwise.
func maxAbsDiff(a, b *lab.Mat) float64 {
	x := 0.0
	for i := 0; i < a.Rows; i++ {
		ra, rb := a.Row(i), b.Row(i)
		for j := range ra {
			x = math.Max(x, math.Abs(ra[j]-rb[j]))
		}
	}
	return x
}

// frobenius returns ‖m‖_F.
func frobenius(m *lab.Mat) float64 {
	s := 0.0
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			s += v * v
		}
	}
	return math.Sqrt(s)
}

// relErr is ‖got − want‖_F / max(‖got‖_F, ‖want‖_F), or 0 if both are zero.
func relErr(got, want *lab.Mat) float64 {
	diff := 0.0
	for i := 0; i < got.Rows; i++ {
		rg, rw := got.Row(i), want.Row(i)
		for j := range rg {
			d := rg[j] - rw[j]
			diff += d * d
		}
	}
	den := math.Max(frobenius(got), frobenius(want))
	if den == 0 {
		return 0
	}
	return math.Sqrt(diff) / den
}

// allZero reports whether every element of m is exactly 0.
func allZero(m *lab.Mat) bool { return maxAbs(m) == 0 }

// methodByName returns the registered method called name.
func methodByName(t testing.TB, name string) lab.Method {
	t.Helper()
	m, err := adapters.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// matmul returns a·b (plain loops, independent of lab.Gemm).
func matmul(a, b *lab.Mat) *lab.Mat {
	c := lab.NewMat(a.Rows, b.Cols)
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < b.Cols; j++ {
			s := 0.0
			for k := 0; k < a.Cols; k++ {
				s += a.At(i, k) * b.At(k, j)
			}
			c.Set(i, j, s)
		}
	}
	return c
}
