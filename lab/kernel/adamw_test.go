package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamWSameBits checks every variant's AdamW against the Go code bit for
// bit, on lengths around the vector widths (tails go through Go), and
// against the formula written directly to within rounding.
func TestAdamWSameBits(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	c := &AdamWStep{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Keep: 1 - 1e-3*0.01, Rate: 1e-3 / (1 - math.Pow(0.9, 3)), RootScale: 1 / math.Sqrt(1-math.Pow(0.999, 3))}
	eachVariant(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 100} {
			th, g, m, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range th {
				th[i], g[i], m[i], v[i] = r.NormFloat64(), r.NormFloat64(), 0.1*r.NormFloat64(), 0.01*r.Float64()
			}
			th2, m2, v2 := append([]float64(nil), th...), append([]float64(nil), m...), append([]float64(nil), v...)
			th0, m0, v0 := append([]float64(nil), th...), append([]float64(nil), m...), append([]float64(nil), v...)
			AdamW(th, g, m, v, c)
			adamwGo(th2, g, m2, v2, c)
			for i := range th {
				if math.Float64bits(th[i]) != math.Float64bits(th2[i]) || m[i] != m2[i] || v[i] != v2[i] {
					t.Fatalf("n=%d, element %d: θ %v m %v v %v; the Go code %v %v %v", n, i, th[i], m[i], v[i], th2[i], m2[i], v2[i])
				}
				mw := 0.9*m0[i] + 0.1*g[i]
				vw := 0.999*v0[i] + 0.001*g[i]*g[i]
				tw := th0[i]*c.Keep - c.Rate*mw/(math.Sqrt(vw)*c.RootScale+c.Eps)
				if math.Abs(th[i]-tw) > 1e-12*math.Abs(tw)+1e-15 {
					t.Fatalf("n=%d, element %d: θ %v, the formula %v", n, i, th[i], tw)
				}
			}
		}
	})
}

// BenchmarkAdamW measures ns per parameter on 65536 parameters.
func BenchmarkAdamW(b *testing.B) {
	was := Name()
	defer Use(was)
	n := 1 << 16
	th, g, m, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range g {
		g[i] = float64(i%17) - 8
	}
	c := &AdamWStep{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Keep: 1, Rate: 1e-3, RootScale: 1}
	for _, name := range Available() {
		b.Run(name, func(b *testing.B) {
			Use(name)
			for b.Loop() {
				AdamW(th, g, m, v, c)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*n), "ns/param")
		})
	}
}
