package nn

import "github.com/loralab/loralab/lab"

// Frozen is a linear layer no method adapts: its W and b keep their
// pretrained values and get no gradient. The network still needs ∂L/∂X
// through it when a trainable tensor lies below it.
//
//	Y     = X·Wᵀ + b            (N × d_out)
//	∂L/∂X = G·W                 (N × d_in)
//
// Kept for backward: nothing (∂L/∂X needs only W). Its W and b are the base
// layer's own buffers (Frozen in the ledger): nothing is copied.
type Frozen struct {
	Base *lab.Linear
}

// NewFrozen returns base as a frozen layer.
func NewFrozen(base *lab.Linear) *Frozen { return &Frozen{Base: base} }

// Forward: Y = X·Wᵀ + b.
func (f *Frozen) Forward(x, y *lab.Mat) {
	lab.Gemm(1, x, lab.NoT, f.Base.W, lab.T, 0, y) // Y = X·Wᵀ
	lab.AddRowVector(y, f.Base.Bias)               //   + b
}

// Backward: ∂L/∂X = G·W when dx is not nil; nothing else (no gradients).
func (f *Frozen) Backward(g, dx *lab.Mat) {
	if dx != nil {
		lab.Gemm(1, g, lab.NoT, f.Base.W, lab.NoT, 0, dx) // ∂L/∂X = G·W
	}
}
