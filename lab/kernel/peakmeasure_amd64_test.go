//go:build amd64 && !purego

package kernel

import (
	"sync"
	"time"
)

var (
	peakOnce sync.Once
	peaks    map[string]float64
)

// measuredPeak returns each assembly variant's single-core peak GFLOP/s
// (the best of several 20 ms runs of its FMA loop).
func measuredPeak() map[string]float64 {
	peakOnce.Do(func() {
		best := func(f func(int), flops float64) float64 {
			g := 0.0
			for range 10 {
				const iters = 1 << 16
				t := time.Now()
				f(iters)
				g = max(g, flops*iters/time.Since(t).Seconds()/1e9)
			}
			return g
		}
		peaks = map[string]float64{"avx512": best(peakFMA512, 192), "avx2": best(peakFMA256, 96)}
	})
	return peaks
}
