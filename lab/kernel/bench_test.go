package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// productShape is one product the engine computes, at batch n, width w and
// rank r: C (m × n) ← op(A)·op(B) with the inner dimension k.
type productShape struct {
	name   string // as in the adapters' comments
	ta, tb bool
	dims   func(batch, w, r int) (m, n, k int)
	packed bool // B is a frozen weight the engine keeps packed
}

// engineShapes are the products of the LoRA step (lab.Linear and
// adapters/lora.go); the unpacked ones and Gᵀ·X are full fine-tuning's,
// whose W trains.
var engineShapes = []productShape{
	{"X·Wᵀ", false, true, func(b, w, r int) (int, int, int) { return b, w, w }, true},
	{"X·Wᵀ(unpacked)", false, true, func(b, w, r int) (int, int, int) { return b, w, w }, false},
	{"G·W", false, false, func(b, w, r int) (int, int, int) { return b, w, w }, true},
	{"G·W(unpacked)", false, false, func(b, w, r int) (int, int, int) { return b, w, w }, false},
	{"Gᵀ·X", true, false, func(b, w, r int) (int, int, int) { return w, w, b }, false},
	{"X·Aᵀ", false, true, func(b, w, r int) (int, int, int) { return b, r, w }, false},
	{"H·Bᵀ", false, true, func(b, w, r int) (int, int, int) { return b, w, r }, false},
	{"Gᵀ·H", true, false, func(b, w, r int) (int, int, int) { return w, r, b }, false},
	{"G·B", false, false, func(b, w, r int) (int, int, int) { return b, r, w }, false},
	{"Uᵀ·X", true, false, func(b, w, r int) (int, int, int) { return r, w, b }, false},
	{"U·A", false, false, func(b, w, r int) (int, int, int) { return b, w, r }, false},
}

// BenchmarkGemm measures every product shape of the LoRA step at widths
// 64, 256 and 512 (batch 64, rank 8) on every variant, one thread, β = 1
// (as gradients accumulate; β = 0 costs the same). It reports GFLOP/s and
// "%peak", the share of the single-core FMA peak that BenchmarkPeak
// measures, measured again just before and just after each product (the
// higher of the two), so the ratio comes from one machine state.
func BenchmarkGemm(b *testing.B) {
	benchGemm(b, nil)
}

// BenchmarkGemmTeam is BenchmarkGemm for the large products split over a
// Team (two cores); "%peak" is still of one core's peak.
func BenchmarkGemmTeam(b *testing.B) {
	team := NewTeam()
	defer team.Close()
	benchGemm(b, team)
}

func benchGemm(b *testing.B, team *Team) {
	const batch, rank = 64, 8
	was := Name()
	defer Use(was)
	for _, v := range Available() {
		for _, w := range []int{64, 256, 512} {
			for _, s := range engineShapes {
				m, n, k := s.dims(batch, w, rank)
				if team != nil && m*n*k < minSplit {
					continue
				}
				b.Run(fmt.Sprintf("%s/%s/w=%d", v, s.name, w), func(b *testing.B) {
					if err := Use(v); err != nil {
						b.Fatal(err)
					}
					r := rand.New(rand.NewPCG(1, 1))
					ar, ac := stored(s.ta, m, k)
					br, bc := stored(s.tb, k, n)
					x, y, c := newOperand(r, ar, ac, 0), newOperand(r, br, bc, 0), newOperand(r, m, n, 0)
					var p Packed
					p.Pack(s.tb, k, n, y.data, y.ld)
					b.ReportAllocs()
					peak := measuredPeak(v)
					for b.Loop() {
						if s.packed {
							team.GemmPacked(s.ta, m, 1, x.data, x.ld, &p, 1, c.data, c.ld)
						} else {
							team.Gemm(s.ta, s.tb, m, n, k, 1, x.data, x.ld, y.data, y.ld, 1, c.data, c.ld)
						}
					}
					gflops := 2 * float64(m*n*k) * float64(b.N) / b.Elapsed().Seconds() / 1e9
					b.ReportMetric(gflops, "GFLOP/s")
					if p := max(peak, measuredPeak(v)); p > 0 {
						b.ReportMetric(100*gflops/p, "%peak")
						b.ReportMetric(p, "peak-GFLOP/s")
					}
				})
			}
		}
	}
}
