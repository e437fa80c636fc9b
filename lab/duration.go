package lab

import (
	"math/rand/v2"
	"sync"
	"time"
)

// EvalSizer is implemented by a task that says how many rows one
// evaluation runs through the network (the held-out set), so that a run's
// duration can be estimated before it starts.
type EvalSizer interface {
	EvalRows(cfg Config) int
}

// LongRun is the estimated duration above which the faces say, before a
// run starts, how long it may take.
const LongRun = time.Hour

// Work is what a run computes, in multiply-adds, from the shapes of its
// products (nothing is run to find out).
type Work struct {
	PerStep float64 // one optimiser step: forward, backward, the method's own products
	PerEval float64 // one evaluation of the held-out set (EvalSizer; 0 if the task does not say)
	Steps   int
	Evals   int // evaluations: every EvalEvery steps, and the first
}

// Total is every multiply-add of the run.
func (w Work) Total() float64 { return w.PerStep*float64(w.Steps) + w.PerEval*float64(w.Evals) }

// WorkOf counts the multiply-adds of a run of job. Per adapted layer of
// d_in × d_out at N rows: the base product N·d_in·d_out forward, again for
// ∂L/∂X backward (every layer but the first), again for ∂L/∂W when the
// method trains the base; and three times N per number the method adds
// beside the base weight (its Footprint's frozen and trainable numbers:
// LoRA's A and B, VeRA's shared matrices), which its products read forward
// and backward. Elementwise work (activations, AdamW) is left out.
func WorkOf(job Job) Work {
	m, t := job.Method, job.Task
	cfg := job.Config
	if !job.prepared {
		cfg = cfg.Resolve(m, t)
	}
	info := m.Info()
	layers, n := t.Layers(cfg, info.TrainsBase), float64(t.Rows(cfg))
	eval := 0.0
	if e, ok := t.(EvalSizer); ok {
		eval = float64(e.EvalRows(cfg))
	}
	var w Work
	for i, s := range layers {
		base := float64(s.DIn) * float64(s.DOut)
		f := m.Footprint(cfg, []Shape{s}, t.Rows(cfg))
		added := max(0, float64(f.Frozen+f.Trainable)-base-float64(s.BiasLen()))
		if info.TrainsBase {
			added = 0
		}
		passes := 1.0 // forward
		if i > 0 {
			passes++ // ∂L/∂X
		}
		if info.TrainsBase {
			passes++ // ∂L/∂W
		}
		w.PerStep += n * (passes*base + 3*added)
		w.PerEval += eval * (base + added)
	}
	w.Steps = cfg.Steps
	if cfg.EvalEvery > 0 {
		w.Evals = 1 + cfg.Steps/cfg.EvalEvery
	}
	return w
}

// EstimateDuration estimates how long a run of job takes on this machine:
// its Work at the rate Gemm reaches on the run's largest product (measured
// once per shape, in about 20 ms). It is a rough guide — the method's
// elementwise work, the data's drawing and the machine's load are left
// out — meant to catch the run that would take days.
func EstimateDuration(job Job) time.Duration {
	m, t := job.Method, job.Task
	cfg := job.Config
	if !job.prepared {
		cfg = cfg.Resolve(m, t)
	}
	var big Shape
	for _, s := range t.Layers(cfg, m.Info().TrainsBase) {
		if s.DIn*s.DOut > big.DIn*big.DOut {
			big = s
		}
	}
	rate := GemmRate(min(t.Rows(cfg), 256), big.DIn, big.DOut)
	return time.Duration(WorkOf(job).Total() / rate * float64(time.Second))
}

// GemmRate measures the multiply-adds a second Gemm reaches on an n × k
// by k × m product (Y = X·Wᵀ, as a layer's forward), once per shape per
// process.
func GemmRate(n, k, m int) float64 {
	n, k, m = max(n, 1), max(k, 1), max(m, 1)
	key := [3]int{n, k, m}
	rateMu.Lock()
	defer rateMu.Unlock()
	if r, ok := rates[key]; ok {
		return r
	}
	x, w, y := NewMat(n, k), NewMat(m, k), NewMat(n, m)
	r := rand.New(rand.NewPCG(1, 2))
	FillNormal(x, r, 1)
	FillNormal(w, r, 1)
	start := time.Now()
	calls := 0
	for time.Since(start) < 20*time.Millisecond || calls < 2 {
		Gemm(1, x, NoT, w, T, 0, y)
		calls++
	}
	rate := float64(calls) * float64(n) * float64(k) * float64(m) / time.Since(start).Seconds()
	rates[key] = rate
	return rate
}

var (
	rateMu sync.Mutex
	rates  = map[[3]int]float64{}
)
