package charlm

import (
	"fmt"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// frozenLayer is a linear layer no method adapts: Y = X·Wᵀ + b forward,
// ∂L/∂X = G·W backward, no gradients of its own. With every layer frozen a
// step costs what any adapter method's step costs before its own small
// products (the floor of a LoRA step).
type frozenLayer struct{ base *lab.Linear }

func (f frozenLayer) Forward(x, y *lab.Mat) {
	lab.Gemm(1, x, lab.NoT, f.base.W, lab.T, 0, y)
	lab.AddRowVector(y, f.base.Bias)
}

func (f frozenLayer) Backward(g, dx *lab.Mat) {
	if dx != nil {
		lab.Gemm(1, g, lab.NoT, f.base.W, lab.NoT, 0, dx)
	}
}

// benchSizes are the candidate defaults measured for the six-method race.
var benchSizes = []Config{
	{Context: 64, Width: 64, Depth: 2, Heads: 4, Batch: 16},
	{Context: 64, Width: 64, Depth: 2, Heads: 4, Batch: 32},
	{Context: 64, Width: 64, Depth: 2, Heads: 2, Batch: 32},
	{Context: 64, Width: 64, Depth: 2, Heads: 4, Batch: 64},
	{Context: 64, Width: 64, Depth: 4, Heads: 4, Batch: 32},
	{Context: 64, Width: 96, Depth: 2, Heads: 4, Batch: 16},
	{Context: 64, Width: 96, Depth: 2, Heads: 4, Batch: 32},
	{Context: 64, Width: 96, Depth: 3, Heads: 4, Batch: 32},
	{Context: 64, Width: 128, Depth: 2, Heads: 4, Batch: 16},
	{Context: 64, Width: 128, Depth: 2, Heads: 4, Batch: 32},
	{Context: 64, Width: 128, Depth: 4, Heads: 4, Batch: 32},
}

// BenchmarkStep measures one training step (batch, forward, backward,
// AdamW) at each candidate size, for two kinds of step: "full" trains
// everything (pretraining, and full fine-tuning's cost), "frozen" trains
// nothing and only passes ∂L/∂X through frozen linear layers (the floor
// under every adapter method). It reports tokens/s and
// allocations; run with -cpu 1 for one core.
func BenchmarkStep(b *testing.B) {
	text := Opticks()
	for _, size := range benchSizes {
		size.Vocab = BaseVocab().Size()
		for _, kind := range []string{"full", "frozen"} {
			name := fmt.Sprintf("%s/d%d-L%d-H%d-B%d", kind, size.Width, size.Depth, size.Heads, size.Batch)
			b.Run(name, func(b *testing.B) {
				l := lab.NewLedger()
				full := kind == "full"
				m := NewModel(size, l, Trainable{Embedding: full, Norms: full})
				m.Init(lab.NewRand(1, 1))
				if full {
					m.SetLayers(m.DenseLayers(l))
				} else {
					layers := make([]nn.Layer, len(m.Base))
					for i, base := range m.Base {
						layers[i] = frozenLayer{base}
					}
					m.SetLayers(layers)
				}
				opt := lab.NewAdamW(l, m.Params(), 1e-3, 0.01)
				r := lab.NewRand(1, 2)
				b.ReportAllocs()
				for b.Loop() {
					text.Train.Batch(r, size.Context, m.Tokens, m.Targets)
					m.ZeroGrads()
					m.Forward()
					m.Backward()
					opt.Step()
				}
				b.ReportMetric(float64(b.N*size.N())/b.Elapsed().Seconds(), "tokens/s")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}

// BenchmarkSample measures generating 100 characters from a 16-character
// prompt at temperature 1 (the cache restarts twice at T = 64), at three
// of benchSizes' widths.
func BenchmarkSample(b *testing.B) {
	for _, size := range []Config{benchSizes[1], benchSizes[6], benchSizes[9]} {
		size.Vocab = BaseVocab().Size()
		b.Run(fmt.Sprintf("d%d-L%d", size.Width, size.Depth), func(b *testing.B) {
			l := lab.NewLedger()
			m := NewModel(size, l, Trainable{})
			m.Init(lab.NewRand(1, 1))
			s := NewSampler(m, l)
			prompt, _ := BaseVocab().Encode("Light is refract")
			r := lab.NewRand(1, 3)
			b.ReportAllocs()
			for b.Loop() {
				s.Generate(prompt, 100, 1, r)
			}
			b.ReportMetric(100*float64(b.N)/b.Elapsed().Seconds(), "chars/s")
		})
	}
}
