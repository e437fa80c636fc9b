package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestChoose checks the environment override: a named variant that runs
// here is used, anything else falls back to the fastest.
func TestChoose(t *testing.T) {
	avail := Available()
	if avail[len(avail)-1] != "gonum" {
		t.Fatalf("Available() = %v: gonum must be last", avail)
	}
	for _, v := range avail {
		if got := choose(v).name; got != v {
			t.Errorf("choose(%q) = %q", v, got)
		}
		if got := choose(" " + v + "\n").name; got != v {
			t.Errorf("choose(%q) = %q: spaces not trimmed", " "+v+"\n", got)
		}
	}
	for _, bad := range []string{"", "sse2", "AVX512", "avx1024"} {
		if got := choose(bad).name; got != avail[0] {
			t.Errorf("choose(%q) = %q, want the fastest, %q", bad, got, avail[0])
		}
	}
	if err := Use("avx1024"); err == nil {
		t.Error("Use(avx1024) succeeded")
	}
	if !slices.Contains(avail, Name()) {
		t.Errorf("Name() = %q is not among %v", Name(), avail)
	}
}

// TestPacked checks the handle's contract: it holds a copy (a change to the
// source is not seen until Repack), Repack takes the change, Dims reports
// op(B)'s shape, and a pack made under one variant is laid out again when
// another is in use.
func TestPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const m, n, k = 20, 37, 29
	a, b := newOperand(r, m, k, 0), newOperand(r, n, k, 2) // B stored n × k: op(B) = Bᵀ
	var p Packed
	if !p.Empty() {
		t.Fatal("a zero Packed is not Empty")
	}
	p.Pack(true, k, n, b.data, b.ld)
	if gk, gn := p.Dims(); gk != k || gn != n || p.Empty() {
		t.Fatalf("Dims() = %d, %d (empty %v), want %d, %d", gk, gn, p.Empty(), k, n)
	}
	product := func(packed bool) []float64 {
		c := make([]float64, m*n)
		if packed {
			GemmPacked(false, m, 1, a.data, a.ld, &p, 0, c, n)
		} else {
			Gemm(false, true, m, n, k, 1, a.data, a.ld, b.data, b.ld, 0, c, n)
		}
		return c
	}
	eachVariant(t, func(t *testing.T) {
		old := product(false)
		if !slices.Equal(product(true), old) {
			t.Fatal("a pack made under another variant was not laid out again")
		}
		if p.Stale() || !p.Of(b.data) || p.Of(a.data) {
			t.Fatalf("fresh pack: Stale %v, Of(its source) %v, Of(another) %v", p.Stale(), p.Of(b.data), p.Of(a.data))
		}
		b.data[3] = math.Nextafter(b.data[3], 2) // one ulp is a change
		if Name() != "gonum" && !p.Stale() {
			t.Error("not Stale after a one-ulp change to its source")
		}
		b.data[3] += 1
		stale := product(true)
		if Name() != "gonum" && !slices.Equal(stale, old) {
			t.Error("the pack saw a change to its source before Repack")
		}
		p.Repack()
		if p.Stale() {
			t.Error("Stale after Repack")
		}
		if got, want := product(true), product(false); !slices.Equal(got, want) || slices.Equal(got, old) {
			t.Error("after Repack the packed product does not use the changed source")
		}
		b.data[3] = math.Nextafter(b.data[3]-1, -2)
		p.Repack()
	})
	defer func() {
		if recover() == nil {
			t.Error("GemmPacked with an empty Packed did not panic")
		}
	}()
	GemmPacked(false, 1, 1, []float64{1}, 1, &Packed{}, 0, []float64{0}, 1)
}

// TestGemmPanics checks that operands too short for their shapes are refused
// before any memory is read.
func TestGemmPanics(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"short A", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float64, 3), 2, make([]float64, 4), 2, 0, make([]float64, 4), 2)
		}},
		{"short B", func() {
			Gemm(false, true, 2, 2, 2, 1, make([]float64, 4), 2, make([]float64, 3), 2, 0, make([]float64, 4), 2)
		}},
		{"short C", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float64, 4), 2, make([]float64, 4), 2, 0, make([]float64, 3), 2)
		}},
		{"small lda", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float64, 8), 1, make([]float64, 4), 2, 0, make([]float64, 4), 2)
		}},
		{"negative m", func() { Gemm(false, false, -1, 2, 2, 1, nil, 2, make([]float64, 4), 2, 0, nil, 2) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.run()
		}()
	}
}
