//go:build amd64 && !purego

package kernel

import "testing"

// BenchmarkPeak measures the single-core peak rate of float64 fused
// multiply-adds (12 independent chains) with 512- and 256-bit registers, in
// GFLOP/s: the ceiling BenchmarkGemm's "%peak" is measured against.
func BenchmarkPeak(b *testing.B) {
	const iters = 1 << 16
	for _, c := range []struct {
		name  string
		flops float64
		run   func(int)
	}{{"zmm", 192, peakFMA512}, {"ymm", 96, peakFMA256}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.run(iters)
			}
			b.ReportMetric(c.flops*iters*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
