package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns how many float64 values lie between a and b (0 if equal,
// both NaN, or ±0).
func ulps(a, b float64) uint64 {
	if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
		return 0
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.Signbit(a) != math.Signbit(b) {
		return math.MaxUint64
	}
	x, y := math.Float64bits(a), math.Float64bits(b)
	if x > y {
		return x - y
	}
	return y - x
}

// tanhEdges are the edge cases: zeros, tiny and subnormal values, both
// sides of the branch at 0.625 and of the clamp at 22, where tanh reaches 1
// (≈19.06), math.Tanh's own cut at 44, large values, infinities and NaN.
func tanhEdges() []float64 {
	xs := []float64{0, math.Copysign(0, -1), 5e-324, 1e-310, 1e-300, 1e-200, 1e-20, 1e-8, 1e-3,
		0.1, 0.5, 1, 2, 3, 5, 10, 19, 19.06, 19.1, 20, 21.9, 22, 22.1, 30, 44, 44.02, 45, 100, 710, 1e10,
		math.MaxFloat64, math.Inf(1), math.NaN(), math.SmallestNonzeroFloat64}
	for _, b := range []float64{0.625, 22, 44.014845965556525} {
		x := b
		for range 4 {
			x = math.Nextafter(x, 0)
		}
		for range 9 {
			xs = append(xs, x)
			x = math.Nextafter(x, math.Inf(1))
		}
	}
	for _, x := range xs[:len(xs):len(xs)] {
		xs = append(xs, -x)
	}
	return xs
}

// TestTanhULP checks every variant against math.Tanh: within 2 ulp on edge
// cases and two million random values (uniform and log-uniform over many
// magnitudes), bit-identical below 0.625, NaN for NaN, and that the result
// does not depend on the slice length or the position of a number (the
// tail goes through a padded buffer).
func TestTanhULP(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	xs := tanhEdges()
	n := 2_000_000
	if testing.Short() {
		n = 100_000
	}
	for range n / 2 {
		xs = append(xs, 50*(2*r.Float64()-1), math.Copysign(math.Exp(60*r.Float64()-50), r.Float64()-0.5))
	}
	eachVariant(t, func(t *testing.T) {
		got := make([]float64, len(xs))
		Tanh(got, xs)
		worst := uint64(0)
		for i, x := range xs {
			want := math.Tanh(x)
			d := ulps(got[i], want)
			if d > 2 {
				t.Fatalf("tanh(%v) = %v, math.Tanh %v: %d ulp apart", x, got[i], want, d)
			}
			if math.Abs(x) < 0.625 && math.Float64bits(got[i]) != math.Float64bits(want) {
				t.Fatalf("tanh(%v) = %v, math.Tanh %v: not bit-identical below 0.625", x, got[i], want)
			}
			worst = max(worst, d)
		}
		t.Logf("worst %d ulp over %d values", worst, len(xs))
		// Every prefix length: the same numbers, whatever the length and position.
		for l := 0; l <= 19; l++ {
			part := make([]float64, l)
			Tanh(part, xs[len(xs)-l:])
			for i, v := range part {
				if math.Float64bits(v) != math.Float64bits(got[len(xs)-l+i]) {
					t.Fatalf("length %d, index %d: %v, in the long slice %v", l, i, v, got[len(xs)-l+i])
				}
			}
		}
		// In place.
		inPlace := append([]float64(nil), xs[:1000]...)
		Tanh(inPlace, inPlace)
		for i, v := range inPlace {
			if math.Float64bits(v) != math.Float64bits(got[i]) {
				t.Fatalf("in place, index %d: %v, not %v", i, v, got[i])
			}
		}
	})
}

// TestTanhVariantsAgree checks that the assembly variants give the same bits
// (they use the same operations).
func TestTanhVariantsAgree(t *testing.T) {
	was := Name()
	defer Use(was)
	var asm []string
	for _, v := range Available() {
		if v != "gonum" {
			asm = append(asm, v)
		}
	}
	if len(asm) < 2 {
		t.Skipf("one assembly variant here (%v)", asm)
	}
	r := rand.New(rand.NewPCG(9, 10))
	xs := tanhEdges()
	for range 100_000 {
		xs = append(xs, 40*(2*r.Float64()-1))
	}
	var first []float64
	for _, v := range asm {
		Use(v)
		got := make([]float64, len(xs))
		Tanh(got, xs)
		if first == nil {
			first = got
			continue
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(first[i]) {
				t.Fatalf("tanh(%v): %s %v, %s %v", xs[i], v, got[i], asm[0], first[i])
			}
		}
	}
}

// BenchmarkTanh measures ns per element on a width-256 batch (64 × 256).
func BenchmarkTanh(b *testing.B) {
	was := Name()
	defer Use(was)
	r := rand.New(rand.NewPCG(1, 1))
	xs := make([]float64, 64*256)
	for i := range xs {
		xs[i] = 3 * r.NormFloat64()
	}
	dst := make([]float64, len(xs))
	for _, v := range Available() {
		b.Run(v, func(b *testing.B) {
			Use(v)
			b.ReportAllocs()
			for b.Loop() {
				Tanh(dst, xs)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*len(xs)), "ns/element")
		})
	}
}
