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
// repacked (Delta-LoRA from step 0), large-rank products (VeRA), each with
// the given number of cores.
func determinismJobs(cores int) []lab.Job {
	cfg := with(defaults(), "width", 64, "depth", 3, "delta-start", 0)
	cfg.Steps, cfg.EvalEvery = 60, 20
	var jobs []lab.Job
	for _, m := range []lab.Method{adapters.LoRA{}, adapters.Full{}, adapters.DeltaLoRA{}, adapters.VeRA{}} {
		j := job(m, cfg)
		j.Cores = cores
		jobs = append(jobs, j)
	}
	return jobs
}

// sameRuns fails the test unless a and b hold the same numbers (timings aside).
func sameRuns(t *testing.T, what string, a, b []*lab.Result) {
	t.Helper()
	for i := range a {
		x, y := a[i], b[i]
		if x.DataDigest != y.DataDigest || x.Final != y.Final || len(x.History) != len(y.History) {
			t.Fatalf("%s, %s: final %+v vs %+v", what, x.Method, x.Final, y.Final)
		}
		for k := range x.History {
			if x.History[k] != y.History[k] {
				t.Fatalf("%s, %s: history point %d differs: %+v vs %+v", what, x.Method, k, x.History[k], y.History[k])
			}
		}
	}
}

// TestSameSeedSameBits: the same seed on the same machine with the same
// kernel gives bit-identical runs (histories, final losses, data digests),
// on one core and on two (Job.Cores), for every kernel variant; and
// different variants agree closely (they sum in different orders, so only
// to rounding, amplified by training).
func TestSameSeedSameBits(t *testing.T) {
	finals := map[string][]lab.Point{}
	eachKernel(t, func(t *testing.T) {
		var runs [3][]*lab.Result
		for i, cores := range []int{1, 1, 2} {
			res, err := lab.ExecuteAll(context.Background(), determinismJobs(cores), 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			runs[i] = res
		}
		sameRuns(t, "two runs of one seed", runs[0], runs[1])
		sameRuns(t, "one core and two", runs[0], runs[2])
		for _, r := range runs[0] {
			finals[r.Method] = append(finals[r.Method], r.Final)
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

// TestCores checks the Cores handle: nil is one core, NewCores(2) two, and
// closing (twice, or nil) is harmless.
func TestCores(t *testing.T) {
	if c := lab.NewCores(1); c != nil || c.N() != 1 {
		t.Errorf("NewCores(1) = %v with N %d, want nil and 1", c, c.N())
	}
	c := lab.NewCores(2)
	if c.N() != 2 {
		t.Errorf("NewCores(2).N() = %d", c.N())
	}
	c.Close()
	c.Close()
	(*lab.Cores)(nil).Close()
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
