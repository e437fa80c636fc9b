package adapters

import (
	"fmt"

	"github.com/loralab/loralab/lab"
)

// Full is full fine-tuning, the baseline: W and b both train.
//
// Forward and backward, with G = ∂L/∂Y:
//
//	Y     = X·Wᵀ + b            (N × d_out)
//	∂L/∂W = Gᵀ·X                (d_out × d_in)
//	∂L/∂b = Σ_n G               (d_out; no weight decay on the bias, as usual)
//	∂L/∂X = G·W                 (N × d_in)
//
// Kept for backward: X (N·d_in).
type Full struct{}

// Info describes full fine-tuning.
func (Full) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "full", Title: "Full FT", Colour: "#e5e7eb", Glyph: "■", Hollow: "□", DefaultLR: 2e-3, TrainsBase: true,
		Summary: "the baseline: every weight and bias trains, with AdamW state for each",
		Paper:   "full fine-tuning with AdamW (Loshchilov & Hutter, arXiv 1711.05101)",
		Claim:   "the quality every parameter-efficient method is measured against",
		Caveat:  "gradients and two AdamW numbers for every weight: memory several times the model's",
		Explain: lab.Explanation{
			Trains:  "W, b",
			Diagram: lab.Diagram{Main: []lab.Block{{"W {d_out}×{d_in}, b {d_out}", "trains"}}},
			Forward: []string{"Y = X·Wᵀ + b"},
			Update: []string{
				"∂L/∂W = Gᵀ·X    ∂L/∂b = Σₙ G    ∂L/∂X = G·W",
				"W, b ← AdamW step at lr = {lr} (weight decay {weight-decay} on W)",
			},
			Trainable: "d_out·d_in + d_out", Kept: "X", KeptSymbols: "N·d_in",
			More: func(cfg lab.Config, layers []lab.Shape) (update, caveats []string) {
				total := Full{}.Footprint(cfg, layers, 0).Trainable
				return nil, []string{fmt.Sprintf("Here that is %s numbers of weights and biases, each held four times while it trains: itself, its gradient and AdamW's m and v.", lab.Thousands(int64(total)))}
			},
		},
	}
}

// Validate: full fine-tuning has no method settings to check.
func (Full) Validate(lab.Config, []lab.Shape) error { return nil }

// Build makes every base W and b trainable.
func (Full) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		l, name := env.Ledger, base.Name
		l.Retag(base.W.Data, lab.Trainable)
		l.Retag(base.Bias, lab.Trainable)
		bias := &lab.Mat{Rows: 1, Cols: base.DOut, Stride: base.DOut, Data: base.Bias}
		out[i] = &fullLayer{
			base: base,
			w:    &lab.Param{Name: name + ".W", Role: "W", Value: base.W, Grad: l.Mat(lab.Gradients, name+".W.grad", base.DOut, base.DIn), LRScale: 1, WeightDecay: true},
			bias: &lab.Param{Name: name + ".bias", Role: "bias", Value: bias, Grad: l.Mat(lab.Gradients, name+".bias.grad", 1, base.DOut), LRScale: 1},
			x:    l.Mat(lab.Activations, name+".full.X", env.N, base.DIn),
		}
	}
	return out
}

// Footprint per layer: d_out·d_in + d_out trainable, as many gradients, twice
// as many AdamW numbers; keeps X.
func (Full) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	var f lab.Footprint
	for _, s := range layers {
		p := s.DOut*s.DIn + s.BiasLen()
		f = f.Plus(lab.Footprint{Trainable: p, Gradients: p, Optimizer: 2 * p, Activations: n * s.DIn})
	}
	return f
}

type fullLayer struct {
	base    *lab.Linear
	w, bias *lab.Param
	x       *lab.Mat // kept X, N × d_in
}

// Forward: Y = X·Wᵀ + b. Keeps X.
func (l *fullLayer) Forward(x, y *lab.Mat) {
	l.x.CopyFrom(x)
	l.base.Gemm(1, x, lab.NoT, l.base.W, lab.T, 0, y) // Y = X·Wᵀ (W as it is now, not a packed copy: it trains)
	lab.AddRowVector(y, l.base.Bias)                  //   + b
}

// Backward: ∂L/∂W = Gᵀ·X; ∂L/∂b = Σ_n G; ∂L/∂X = G·W.
func (l *fullLayer) Backward(g, dx *lab.Mat) {
	l.base.Gemm(1, g, lab.T, l.x, lab.NoT, 1, l.w.Grad) // ∂L/∂W += Gᵀ·X
	lab.SumRowsInto(l.bias.Grad.Data, g)                // ∂L/∂b += Σ_n G
	if dx != nil {
		l.base.Gemm(1, g, lab.NoT, l.base.W, lab.NoT, 0, dx) // ∂L/∂X = G·W
	}
}

// Params: W and b.
func (l *fullLayer) Params() []*lab.Param { return []*lab.Param{l.w, l.bias} }

// BeforeUpdate does nothing.
func (l *fullLayer) BeforeUpdate() {}

// AfterUpdate does nothing.
func (l *fullLayer) AfterUpdate(int) {}

// EffectiveWeight writes W.
func (l *fullLayer) EffectiveWeight(dst *lab.Mat) { dst.CopyFrom(l.base.W) }
