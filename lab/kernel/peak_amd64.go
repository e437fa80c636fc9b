//go:build amd64 && !purego

package kernel

// peakMul and peakAdd keep the peak loop's values finite: x ← x·peakMul + peakAdd.
var (
	peakMul = 0.999999
	peakAdd = 1e-7
)

// peakFMA512 runs n iterations of 12 independent 512-bit FMA chains
// (192 flops each). It exists for BenchmarkPeak: the ceiling the kernels are
// measured against.
//
//go:noescape
func peakFMA512(n int)

// peakFMA256 is peakFMA512 with 256-bit registers (96 flops per iteration).
//
//go:noescape
func peakFMA256(n int)
