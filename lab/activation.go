package lab

import (
	"fmt"
	"math"
	"strings"

	"github.com/loralab/loralab/lab/kernel"
)

// activation is the nonlinearity between linear layers. Its backward uses
// only its own output, which the model keeps for that purpose. Each one has
// its own loops (no function value per element).
type activation struct {
	name  string
	kind  activationKind
	keeps bool // whether backward needs the output at all
}

type activationKind int

const (
	actTanh activationKind = iota
	actReLU
	actIdentity
)

var activations = []activation{
	{"tanh", actTanh, true},
	{"relu", actReLU, true},
	{"identity", actIdentity, false},
}

// Activation is a nonlinearity applied elementwise between layers, whose
// derivative is computed from its output: tanh, relu or identity.
type Activation struct{ a activation }

// LookupActivation returns the activation called name, or a one-line error
// listing them.
func LookupActivation(name string) (Activation, error) {
	for _, a := range activations {
		if a.name == name {
			return Activation{a}, nil
		}
	}
	return Activation{}, fmt.Errorf("activation %q: unknown; the activations are: %s", name, strings.Join(ActivationNames(), ", "))
}

// ActivationNames lists the activations.
func ActivationNames() []string {
	out := make([]string, len(activations))
	for i, a := range activations {
		out[i] = a.name
	}
	return out
}

// Name is the activation's name.
func (a Activation) Name() string { return a.a.name }

// Keeps reports whether the backward pass needs the activation's output
// (identity's derivative is 1 and needs nothing).
func (a Activation) Keeps() bool { return a.a.keeps }

// Apply computes m ← f(m) in place (tanh through the kernel's vectorised
// tanh, within 2 ulp of math.Tanh).
func (a Activation) Apply(m *Mat) {
	switch a.a.kind {
	case actTanh:
		if m.Stride == m.Cols {
			kernel.Tanh(m.Data[:m.Len()], m.Data[:m.Len()]) // one call for a contiguous matrix
			return
		}
		for i := 0; i < m.Rows; i++ {
			kernel.Tanh(m.Row(i), m.Row(i))
		}
	case actReLU:
		for i := 0; i < m.Rows; i++ {
			row := m.Row(i)
			for j, v := range row {
				row[j] = max(v, 0)
			}
		}
	}
}

// Backward turns g = ∂L/∂f(x) into ∂L/∂x in place: g ← g ⊙ f′(x), with f′
// computed from out = f(x):
//
//	tanh:  f′ = 1 − out²
//	relu:  f′ = 1 where out > 0, else 0 (no branch: g's bits are masked)
//	identity: f′ = 1 (nothing to do)
func (a Activation) Backward(g, out *Mat) {
	switch a.a.kind {
	case actTanh:
		for i := 0; i < g.Rows; i++ {
			gr, yr := g.Row(i), out.Row(i)
			yr = yr[:len(gr)]
			for j, yv := range yr {
				gr[j] *= 1 - yv*yv
			}
		}
	case actReLU:
		for i := 0; i < g.Rows; i++ {
			gr, yr := g.Row(i), out.Row(i)
			yr = yr[:len(gr)]
			for j, yv := range yr {
				gr[j] = math.Float64frombits(math.Float64bits(gr[j]) & positiveMask(yv))
			}
		}
	}
}

// positiveMask returns all ones if y > 0 and 0 if y is +0, without a
// branch: for y ≥ 0 (a relu output is never negative) the bits of y, as a
// signed integer, are positive exactly when y > 0, so −bits has its sign
// bit set exactly then, and the arithmetic shift spreads it. A NaN output
// passes the gradient on.
func positiveMask(y float64) uint64 {
	return uint64(-int64(math.Float64bits(y)) >> 63)
}
