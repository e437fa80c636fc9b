package nn

import "github.com/loralab/loralab/lab"

// Dense is a linear layer whose W and b both train: what pretraining uses.
// It is the same maths as full fine-tuning (adapters/full.go), here so that
// the network can be trained from scratch without the method registry.
//
//	Y     = X·Wᵀ + b            (N × d_out)
//	∂L/∂W += Gᵀ·X               (d_out × d_in)
//	∂L/∂b += Σ_n G              (d_out)
//	∂L/∂X  = G·W                (N × d_in)
//
// Kept for backward: X (N × d_in), for ∂L/∂W.
type Dense struct {
	Base *lab.Linear
	W, B *lab.Param // W: d_out × d_in (weight-decayed); b: 1 × d_out (not)
	x    *lab.Mat   // kept X, N × d_in: ∂L/∂W needs it
}

// NewDense makes base trainable (retagging its W and b, which must come from
// l) and allocates their gradients and the kept X for n rows.
func NewDense(l *lab.Ledger, base *lab.Linear, n int) *Dense {
	name := base.Name
	l.Retag(base.W.Data, lab.Trainable)
	d := &Dense{
		Base: base,
		W:    &lab.Param{Name: name + ".W", Role: "W", Value: base.W, Grad: l.Mat(lab.Gradients, name+".W.grad", base.DOut, base.DIn), LRScale: 1, WeightDecay: true},
		x:    l.Mat(lab.Activations, name+".dense.X", n, base.DIn),
	}
	if base.BiasLen() > 0 {
		l.Retag(base.Bias, lab.Trainable)
		bias := &lab.Mat{Rows: 1, Cols: base.DOut, Stride: base.DOut, Data: base.Bias}
		d.B = &lab.Param{Name: name + ".bias", Role: "bias", Value: bias, Grad: l.Mat(lab.Gradients, name+".bias.grad", 1, base.DOut), LRScale: 1}
	}
	return d
}

// Forward: Y = X·Wᵀ + b. Keeps X.
func (d *Dense) Forward(x, y *lab.Mat) {
	d.x.CopyFrom(x)
	lab.Gemm(1, x, lab.NoT, d.Base.W, lab.T, 0, y) // Y = X·Wᵀ
	lab.AddRowVector(y, d.Base.Bias)               //   + b
}

// Backward: ∂L/∂W += Gᵀ·X; ∂L/∂b += Σ_n G; ∂L/∂X = G·W.
func (d *Dense) Backward(g, dx *lab.Mat) {
	lab.Gemm(1, g, lab.T, d.x, lab.NoT, 1, d.W.Grad) // ∂L/∂W += Gᵀ·X
	if d.B != nil {
		lab.SumRowsInto(d.B.Grad.Data, g) // ∂L/∂b += Σ_n G
	}
	if dx != nil {
		lab.Gemm(1, g, lab.NoT, d.Base.W, lab.NoT, 0, dx) // ∂L/∂X = G·W
	}
}

// Params: W and b.
func (d *Dense) Params() []*lab.Param {
	if d.B == nil {
		return []*lab.Param{d.W}
	}
	return []*lab.Param{d.W, d.B}
}

// EffectiveWeight writes W (what the sampler computes with).
func (d *Dense) EffectiveWeight(dst *lab.Mat) { dst.CopyFrom(d.Base.W) }
