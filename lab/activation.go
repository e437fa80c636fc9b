package lab

import (
	"fmt"
	"math"
	"strings"
)

// activation is the nonlinearity between linear layers. Its backward uses
// only its own output, which the model keeps for that purpose.
type activation struct {
	name  string
	apply func(x float64) float64 // y = f(x)
	deriv func(y float64) float64 // f'(x) expressed through y = f(x)
	keeps bool                    // whether backward needs the output at all
}

var activations = []activation{
	{"tanh", math.Tanh, func(y float64) float64 { return 1 - y*y }, true},
	{"relu", func(x float64) float64 { return max(x, 0) }, func(y float64) float64 {
		if y > 0 {
			return 1
		}
		return 0
	}, true},
	{"identity", func(x float64) float64 { return x }, func(float64) float64 { return 1 }, false},
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

// Apply computes m ← f(m) in place.
func (a Activation) Apply(m *Mat) {
	f := a.a.apply
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j, v := range row {
			row[j] = f(v)
		}
	}
}

// Backward turns g = ∂L/∂f(x) into ∂L/∂x in place: g ← g ⊙ f′(x), with f′
// computed from out = f(x).
func (a Activation) Backward(g, out *Mat) {
	d := a.a.deriv
	for r := 0; r < g.Rows; r++ {
		gr, yr := g.Row(r), out.Row(r)
		for j := range gr {
			gr[j] *= d(yr[j])
		}
	}
}
