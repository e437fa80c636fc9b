package nn

import (
	"math"

	"github.com/loralab/loralab/lab"
)

// GELU is the MLP's nonlinearity in its tanh form (Hendrycks & Gimpel, 2016),
// as GPT-2 and llm.c use it:
//
//	u = c·(x + 0.044715·x³)    c = √(2/π)
//	y = ½·x·(1 + tanh u)
//
// Backward, with G = ∂L/∂Y, t = tanh u:
//
//	∂L/∂x = G · (½·(1 + t) + ½·x·(1 − t²)·c·(1 + 3·0.044715·x²))
//
// Why GELU and not ReLU: it is GPT-2's; it is smooth, so the finite-difference
// checks hold everywhere (ReLU's kink breaks them near 0); and it has no dead
// units, which a tiny model with a 4·d-wide MLP and frozen weights cannot
// afford to lose. It costs a tanh per number on the way forward and another
// on the way back (math.Tanh; a vectorised one would plug in here).
//
// Kept for backward: nothing here; the caller keeps X (the up projection's
// output) and passes it again, as llm.c's gelu_backward reads its input.
type GELU struct{}

const (
	geluC = 0.7978845608028654 // √(2/π)
	geluA = 0.044715
)

// Forward: y = ½·x·(1 + tanh(c·(x + 0.044715·x³))), element by element. y may be x.
func (GELU) Forward(x, y *lab.Mat) {
	mustShape("gelu output", y, x.Rows, x.Cols)
	for n := 0; n < x.Rows; n++ {
		xn, yn := x.Row(n), y.Row(n)
		for j, v := range xn {
			yn[j] = 0.5 * v * (1 + math.Tanh(geluC*(v+geluA*v*v*v)))
		}
	}
}

// Backward: ∂L/∂x = G·(½(1 + t) + ½·x·(1 − t²)·c·(1 + 3·0.044715·x²)), for the
// x of the last Forward. dx may be g.
func (GELU) Backward(x, g, dx *lab.Mat) {
	mustShape("gelu ∂L/∂Y", g, x.Rows, x.Cols)
	mustShape("gelu ∂L/∂X", dx, x.Rows, x.Cols)
	for n := 0; n < x.Rows; n++ {
		xn, gn, dn := x.Row(n), g.Row(n), dx.Row(n)
		for j, v := range xn {
			t := math.Tanh(geluC * (v + geluA*v*v*v))
			dn[j] = gn[j] * (0.5*(1+t) + 0.5*v*(1-t*t)*geluC*(1+3*geluA*v*v))
		}
	}
}
