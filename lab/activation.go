package lab

import (
	"fmt"
	"math"
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

func activationByName(name string) (activation, error) {
	for _, a := range activations {
		if a.name == name {
			return a, nil
		}
	}
	return activation{}, fmt.Errorf("activation %q: unknown; the activations are: tanh, relu, identity", name)
}
