package kernel

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (a Team's helper)
// outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// bigProduct returns operands for a 64 × 512 × 512 product (C = A·Bᵀ), large
// enough for a Team to split.
func bigProduct() (a, b []float64) {
	r := rand.New(rand.NewPCG(11, 12))
	a, b = make([]float64, 64*512), make([]float64, 512*512)
	for i := range a {
		a[i] = r.Float64() - 0.5
	}
	for i := range b {
		b[i] = r.Float64() - 0.5
	}
	return a, b
}

// TestTeamHelps checks that the helper really computes part of a product
// (so the bit-identity checks compare two threads, not one), and that a
// product it shared equals the one-thread product bit for bit.
func TestTeamHelps(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2")
	}
	eachVariant(t, func(t *testing.T) {
		if Name() == "gonum" {
			t.Skip("gonum never splits")
		}
		team := NewTeam()
		defer team.Close()
		a, b := bigProduct()
		want, got := make([]float64, 64*512), make([]float64, 64*512)
		Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 0, want, 512)
		for i := 0; i < 2000 && team.helped.Load() == 0; i++ {
			team.Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 0, got, 512)
		}
		if team.helped.Load() == 0 {
			t.Fatal("the helper computed no chunk of 2000 products")
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("C[%d] = %v with a Team, %v alone", i, got[i], want[i])
			}
		}
	})
}

// TestTeamSleepsWhenIdle checks that an idle helper stops spinning and goes
// to sleep, and that the next product wakes it: it computes chunks again.
func TestTeamSleepsWhenIdle(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 || Name() == "gonum" {
		t.Skip("needs GOMAXPROCS ≥ 2 and an assembly variant")
	}
	team := NewTeam()
	defer team.Close()
	a, b := bigProduct()
	c := make([]float64, 64*512)
	team.Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 0, c, 512)
	deadline := time.Now().Add(10 * time.Second)
	for !team.helperAsleep.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("the helper was still awake 10 s after its last product (it should sleep after %v)", SpinTime)
		}
		runtime.Gosched()
	}
	before := team.helped.Load()
	for i := 0; i < 2000 && team.helped.Load() == before; i++ {
		team.Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 0, c, 512)
	}
	if team.helped.Load() == before {
		t.Fatal("the helper, once asleep, never woke to help again")
	}
}

// TestTeamClose checks that Close stops the helper (no goroutine left),
// that closing twice or closing nil is harmless, and that a closed Team
// still computes, on the caller.
func TestTeamClose(t *testing.T) {
	team := NewTeam()
	team.Close()
	team.Close()
	(*Team)(nil).Close()
	goleak.VerifyNone(t)
	a, b := bigProduct()
	want, got := make([]float64, 64*512), make([]float64, 64*512)
	Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 0, want, 512)
	team.Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 0, got, 512)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("closed Team: C[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestNoAllocs checks that products, packed products, a Team's products,
// repacking and tanh allocate nothing in steady state, on the assembly
// variants (gonum's Dgemm starts goroutines for large products).
func TestNoAllocs(t *testing.T) {
	a, b := bigProduct()
	c := make([]float64, 64*512)
	team := NewTeam()
	defer team.Close()
	var p Packed
	p.Pack(true, 512, 512, b, 512)
	eachVariant(t, func(t *testing.T) {
		if Name() == "gonum" {
			t.Skip("gonum allocates in its parallel Dgemm")
		}
		p.Repack()
		for _, f := range []struct {
			name string
			run  func()
		}{
			{"Gemm", func() { Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 1, c, 512) }},
			{"Gemm edges", func() { Gemm(true, false, 13, 19, 21, 1, a, 64, b, 512, 0, c, 512) }},
			{"GemmPacked", func() { GemmPacked(false, 64, 1, a, 512, &p, 0, c, 512) }},
			{"Team.Gemm", func() { team.Gemm(false, true, 64, 512, 512, 1, a, 512, b, 512, 1, c, 512) }},
			{"Team.GemmPacked", func() { team.GemmPacked(false, 64, 1, a, 512, &p, 0, c, 512) }},
			{"Repack", p.Repack},
			{"Tanh", func() { Tanh(c[:1003], a[:1003]) }},
		} {
			if n := testing.AllocsPerRun(20, f.run); n != 0 {
				t.Errorf("%s: %v allocations per call", f.name, n)
			}
		}
	})
}

// TestPace drives the split-or-not decision with made-up timings: it goes
// the faster way, probes the other now and then (less often while probes
// change nothing), and follows a change of which way is faster.
func TestPace(t *testing.T) {
	var p pace
	run := func(n int, splitNs, soloNs float64) (splits int) {
		for range n {
			s := p.choose()
			if s {
				splits++
				p.record(true, splitNs)
			} else {
				p.record(false, soloNs)
			}
		}
		return splits
	}
	// Splitting twice as fast: nearly every product splits.
	if s := run(1000, 1, 2); s < 950 {
		t.Fatalf("split twice as fast: %d of 1000 products split", s)
	}
	if p.gap <= 32 {
		t.Errorf("probes that changed nothing did not spread out: gap %d", p.gap)
	}
	// The other core becomes busy: splitting is now 3× slower. Within a few
	// probes the products stop splitting.
	run(3000, 6, 2)
	if s := run(1000, 6, 2); s > 50 {
		t.Fatalf("splitting 3× slower: %d of 1000 products still split", s)
	}
	// The other core is free again: splitting comes back.
	run(3000, 1, 2)
	if s := run(1000, 1, 2); s < 950 {
		t.Fatalf("split faster again: only %d of 1000 products split", s)
	}
}
