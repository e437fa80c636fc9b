// Package nn holds the pieces of a tiny decoder-only transformer that are not
// linear layers: the token and position embedding, LayerNorm, the causal
// multi-head attention core, GELU, softmax cross-entropy and the residual add.
// The q, k, v, o projections, the MLP's up and down and the output head are
// ordinary linear layers (lab.Linear, Y = X·Wᵀ + b) that the methods in
// adapters/ adapt; they are called through Layer and never hidden in a piece.
//
// Conventions, as in adapters/lora.go and llm.c's train_gpt2.c:
//
//   - Activations are row-major lab.Mat with N = B·T rows, sequence-major: row
//     n is position t = n mod T of sequence b = n / T.
//   - Forward and Backward sit next to each other, with the equations and the
//     shapes in comments. Backward overwrites the input gradient it is given
//     (dx) and accumulates (+=) into parameter gradients, as lab.Adapted does.
//   - Every buffer comes from a *lab.Ledger, in the category that says what it
//     is for: Activations for what is kept from Forward for Backward,
//     Workspace for scratch, Frozen or Trainable (with Gradients) for weights.
//     A piece allocates everything in its constructor; Forward and Backward
//     allocate nothing.
//   - A piece keeps what it derives and needs later (the attention
//     probabilities, LayerNorm's normalised input and 1/σ); inputs that the
//     backward pass needs again (Q, K, V, GELU's input, token ids) are kept by
//     the caller, which passes them to Backward, so no tensor is stored twice.
//   - Infer methods compute the same forward maths for any number of rows
//     without keeping anything: the sampler uses them.
package nn

import (
	"fmt"

	"github.com/loralab/loralab/lab"
)

// Layer is a linear layer as a network calls it: lab.Adapted (a base layer
// with a method applied), Dense (pretraining) and Frozen (a layer no method
// adapts) satisfy it.
type Layer interface {
	// Forward computes Y (N × d_out) from X (N × d_in), keeping what Backward needs.
	Forward(x, y *lab.Mat)
	// Backward takes G = ∂L/∂Y (N × d_out), accumulates the layer's parameter
	// gradients and, if dx is not nil, writes ∂L/∂X (N × d_in) into dx.
	Backward(g, dx *lab.Mat)
}

// newWeight allocates a rows × cols weight: Trainable with a Gradients buffer
// of the same shape when trainable, else Frozen with a nil Grad.
func newWeight(l *lab.Ledger, name, role string, rows, cols int, trainable, decay bool) *lab.Param {
	p := &lab.Param{Name: name + "." + role, Role: role, LRScale: 1, WeightDecay: decay}
	if !trainable {
		p.Value = l.Mat(lab.Frozen, p.Name, rows, cols)
		return p
	}
	p.Value = l.Mat(lab.Trainable, p.Name, rows, cols)
	p.Grad = l.Mat(lab.Gradients, p.Name+".grad", rows, cols)
	return p
}

// trainable returns the params among ps that have a gradient.
func trainable(ps ...*lab.Param) []*lab.Param {
	var out []*lab.Param
	for _, p := range ps {
		if p.Grad != nil {
			out = append(out, p)
		}
	}
	return out
}

// mustShape panics unless m is rows × cols: a programmer error, as in lab.Gemm.
func mustShape(what string, m *lab.Mat, rows, cols int) {
	if m.Rows != rows || m.Cols != cols {
		panic(fmt.Sprintf("nn: %s is %dx%d, want %dx%d", what, m.Rows, m.Cols, rows, cols))
	}
}
