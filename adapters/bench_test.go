package adapters_test

import (
	"fmt"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// stepFLOPs estimates the floating-point operations of one training step
// (forward, backward, update) of method on cfg's model from the shapes,
// counting 2·m·n·k per matrix product (the Gemm calls of the method files)
// and nothing else. ∂L/∂X is not computed for the first layer. Delta-LoRA
// is counted with its W update on (steps after K).
func stepFLOPs(method string, cfg lab.Config) float64 {
	n, r := float64(cfg.Batch), float64(cfg.Rank)
	total := 0.0
	for i, s := range layersOf(cfg) {
		in, out := float64(s.DIn), float64(s.DOut)
		dx := 0.0 // 1 if ∂L/∂X is computed
		if i > 0 {
			dx = 1
		}
		base := 2 * n * out * in // X·Wᵀ
		f := base
		switch method {
		case "full":
			f += 2*out*in*n + dx*2*n*in*out // Gᵀ·X, G·W
		case "lora", "lora-plus", "delta-lora", "pissa", "dora":
			f += 2*n*r*in + 2*n*out*r // X·Aᵀ, H·Bᵀ
			f += 2*out*r*n + 2*n*r*out + 2*r*in*n
			f += dx * (2*n*in*out + 2*n*in*r)
			if method == "delta-lora" {
				f += 2 * 2 * out * r * in // B′·A′ and B·A
			}
			if method == "dora" {
				f += 2 * out * r * in // V = W + s·B·A (its norms and the scaling are not products)
			}
		case "lora-fa":
			f += 2*n*r*in + 2*n*out*r
			f += 2 * out * r * n
			f += dx * (2*n*r*out + 2*n*in*out + 2*n*in*r)
			if adapters.Projected.Bool(cfg) {
				f += 2 * out * r * r
			}
		case "vera":
			f += 2*n*r*in + 2*n*out*r // X·Aᵀ, V·Bᵀ
			f += 2 * n * r * out      // Ĝ·B
			f += dx * (2*n*in*out + 2*n*in*r)
		default:
			panic("stepFLOPs: unknown method " + method)
		}
		total += f
	}
	return total
}

// BenchmarkStep measures one training step of every method, exactly as the
// engine takes it (NextBatch, Forward, Loss, ZeroGrads, Backward,
// BeforeUpdate, AdamW.Step, AfterUpdate), at the default model size (width
// 64) and at widths 256 and 512, on one core. It reports steps/s, steps per
// CPU-second of the process (not counting time spent descheduled by other
// work on the machine), GFLOP/s (from stepFLOPs) and allocations per step
// (after one warm-up step, which packs the frozen weights). Delta-LoRA's K
// is 0 so every step moves W.
func BenchmarkStep(b *testing.B) { benchStep(b, 1, []int{64, 256, 512}) }

// BenchmarkStepCores is BenchmarkStep at widths 256 and 512 with the
// layers' products split over two cores (lab.NewCores(2)).
func BenchmarkStepCores(b *testing.B) { benchStep(b, 2, []int{256, 512}) }

func benchStep(b *testing.B, cores int, widths []int) {
	for _, width := range widths {
		for _, m := range adapters.All() {
			name := m.Info().Name
			b.Run(fmt.Sprintf("%s/width=%d", name, width), func(b *testing.B) {
				cfg := with(catalog.Defaults(), "width", width, "delta-start", 0)
				tr := newTrainer(b, m, cfg)
				c := lab.NewCores(cores)
				defer c.Close()
				for _, l := range tr.model.Base {
					l.UseCores(c)
				}
				flops := stepFLOPs(name, tr.cfg)
				tr.trainStep() // warm-up: the first Forward packs the frozen weights
				b.ReportAllocs()
				steps, cpu0 := 0, cpuSeconds()
				for b.Loop() {
					tr.trainStep()
					steps++
				}
				sec := b.Elapsed().Seconds()
				b.ReportMetric(float64(steps)/sec, "steps/s")
				b.ReportMetric(flops*float64(steps)/sec/1e9, "GFLOP/s")
				if cpu := cpuSeconds() - cpu0; cpu > 0 {
					b.ReportMetric(float64(steps)/cpu, "steps/cpu-s")
				}
			})
		}
	}
}
