package nn

import "github.com/loralab/loralab/lab"

// Add is the residual connection: dst ← dst + src (both N × d).
//
// Forward, x ← x + f(x): the residual stream x is updated in place, so it is
// never kept (no piece needs the old x: LayerNorm keeps its own x̂).
// Backward: the gradient of a sum reaches both terms unchanged, so
// ∂L/∂x collects ∂L/∂(x + f(x)) plus f's own ∂L/∂x — again dst ← dst + src.
func Add(dst, src *lab.Mat) {
	mustShape("residual operand", src, dst.Rows, dst.Cols)
	for n := 0; n < dst.Rows; n++ {
		d, s := dst.Row(n), src.Row(n)
		for j, v := range s {
			d[j] += v
		}
	}
}
