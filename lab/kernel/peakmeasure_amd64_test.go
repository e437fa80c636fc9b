//go:build amd64 && !purego

package kernel

import "time"

// measuredPeak returns the variant's single-core peak GFLOP/s, the best of
// five 10 ms runs of its FMA loop (0 for gonum). Benchmarks measure it next
// to each product, so both see the same clock and the same neighbours.
func measuredPeak(variant string) float64 {
	f, flops := peakFMA512, 192.0
	switch variant {
	case "avx512":
	case "avx2":
		f, flops = peakFMA256, 96
	default:
		return 0
	}
	const iters = 1 << 15
	g := 0.0
	for range 5 {
		t := time.Now()
		f(iters)
		g = max(g, flops*iters/time.Since(t).Seconds()/1e9)
	}
	return g
}
