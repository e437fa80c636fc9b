package lab

import (
	"fmt"
	"math"

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

func activationByName(name string) (activation, error) {
	for _, a := range activations {
		if a.name == name {
			return a, nil
		}
	}
	return activation{}, fmt.Errorf("activation %q: unknown; the activations are: tanh, relu, identity", name)
}

// forward applies the activation to m in place: Y = f(X).
func (a activation) forward(m *Mat) {
	switch a.kind {
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

// backward turns g = ∂L/∂Y into ∂L/∂X in place, G ← G ⊙ f'(X), with f'
// written through the kept output y = f(x):
//
//	tanh:  f' = 1 − y²
//	relu:  f' = 1 where y > 0, else 0 (no branch: g's bits are masked)
//	identity: f' = 1 (nothing to do)
func (a activation) backward(g, y *Mat) {
	switch a.kind {
	case actTanh:
		for i := 0; i < g.Rows; i++ {
			gr, yr := g.Row(i), y.Row(i)
			yr = yr[:len(gr)]
			for j, yv := range yr {
				gr[j] *= 1 - yv*yv
			}
		}
	case actReLU:
		for i := 0; i < g.Rows; i++ {
			gr, yr := g.Row(i), y.Row(i)
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
