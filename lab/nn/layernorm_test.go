package nn_test

import (
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// TestLayerNormForward: with γ = 1, β = 0 each output row has mean 0 and
// variance 1 − ε/(σ²+ε); Infer gives the same numbers as Forward.
func TestLayerNormForward(t *testing.T) {
	const n, d = 4, 6
	ln := nn.NewLayerNorm(lab.NewLedger(), "ln", d, n, true)
	x := randomMat(testRand(3), n, d, 3)
	y, z := lab.NewMat(n, d), lab.NewMat(n, d)
	ln.Forward(x, y)
	ln.Infer(x, z)
	for i := 0; i < n; i++ {
		mu, sq, vx, mx := 0.0, 0.0, 0.0, 0.0
		for j := 0; j < d; j++ {
			mu += y.At(i, j) / d
			sq += y.At(i, j) * y.At(i, j) / d
			mx += x.At(i, j) / d
		}
		for j := 0; j < d; j++ {
			vx += (x.At(i, j) - mx) * (x.At(i, j) - mx) / d
		}
		if math.Abs(mu) > 1e-12 || math.Abs(sq-vx/(vx+nn.LayerNormEps)) > 1e-12 {
			t.Errorf("row %d: mean %g, mean square %g (want 0 and %g)", i, mu, sq, vx/(vx+nn.LayerNormEps))
		}
	}
	if relErr(y, z) != 0 {
		t.Errorf("Infer differs from Forward by %g", relErr(y, z))
	}
}

// TestLayerNormGradients: ∂L/∂x, ∂L/∂γ and ∂L/∂β against finite differences
// of L = Σ Y⊙R, with γ and β away from their initial 1 and 0. Also: with dx
// nil the parameter gradients are the same, accumulated on top.
func TestLayerNormGradients(t *testing.T) {
	const n, d = 4, 5
	ln := nn.NewLayerNorm(lab.NewLedger(), "ln", d, n, true)
	r := testRand(4)
	lab.FillNormal(ln.Gain.Value, r, 1)
	lab.FillNormal(ln.Bias.Value, r, 1)
	x := randomMat(r, n, d, 2)
	R := randomMat(r, n, d, 1)
	y, dx := lab.NewMat(n, d), lab.NewMat(n, d)
	loss := func() float64 { ln.Forward(x, y); return dot(y, R) }
	loss()
	ln.Backward(R, dx)
	gGain, gBias := ln.Gain.Grad.Clone(), ln.Bias.Grad.Clone()
	checkGrad(t, "∂L/∂x", dx, finiteDiff(x, loss))
	checkGrad(t, "∂L/∂γ", gGain, finiteDiff(ln.Gain.Value, loss))
	checkGrad(t, "∂L/∂β", gBias, finiteDiff(ln.Bias.Value, loss))

	loss()
	ln.Backward(R, nil)
	for j := 0; j < d; j++ {
		if math.Abs(ln.Gain.Grad.At(0, j)-2*gGain.At(0, j)) > 1e-12 || math.Abs(ln.Bias.Grad.At(0, j)-2*gBias.At(0, j)) > 1e-12 {
			t.Fatalf("Backward with dx = nil did not add the same parameter gradients again")
		}
	}
}

// TestLayerNormFrozen: a frozen norm still passes ∂L/∂x back.
func TestLayerNormFrozen(t *testing.T) {
	const n, d = 3, 4
	l := lab.NewLedger()
	ln := nn.NewLayerNorm(l, "ln", d, n, false)
	if len(ln.Params()) != 0 || l.Numbers().Frozen != 2*d || l.Numbers().Activations != n*d+n {
		t.Fatalf("frozen norm: params %d, ledger %+v", len(ln.Params()), l.Numbers())
	}
	r := testRand(5)
	x, R := randomMat(r, n, d, 1), randomMat(r, n, d, 1)
	y, dx := lab.NewMat(n, d), lab.NewMat(n, d)
	loss := func() float64 { ln.Forward(x, y); return dot(y, R) }
	loss()
	ln.Backward(R, dx)
	checkGrad(t, "∂L/∂x (frozen)", dx, finiteDiff(x, loss))
}
