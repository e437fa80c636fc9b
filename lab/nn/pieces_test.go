package nn_test

import (
	"math"
	"slices"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// TestGELU: known values (0 at 0, ≈ x for large x, ≈ 0 for very negative x,
// GELU(1) = 0.8411919906 in the tanh form) and ∂L/∂x against finite
// differences, in place (dx = g) as the model calls it.
func TestGELU(t *testing.T) {
	x := &lab.Mat{Rows: 1, Cols: 4, Stride: 4, Data: []float64{0, 1, 10, -10}}
	y := lab.NewMat(1, 4)
	nn.GELU{}.Forward(x, y)
	for j, want := range []float64{0, 0.8411919906082768, 10, 0} {
		if math.Abs(y.Data[j]-want) > 1e-12 {
			t.Errorf("GELU(%g) = %.16g, want %.16g", x.Data[j], y.Data[j], want)
		}
	}
	r := testRand(11)
	x = randomMat(r, 4, 5, 2)
	R := randomMat(r, 4, 5, 1)
	loss := func() float64 { nn.GELU{}.Forward(x, y); return dot(y, R) }
	y = lab.NewMat(4, 5)
	g := R.Clone()
	nn.GELU{}.Backward(x, g, g)
	checkGrad(t, "∂L/∂x", g, finiteDiff(x, loss))
}

// TestCrossEntropy: equal logits give log V; huge logits neither overflow
// nor give NaN; ∂L/∂Z against finite differences, written into the logits
// buffer itself as the model does.
func TestCrossEntropy(t *testing.T) {
	const n, v = 3, 7
	ce := nn.NewCrossEntropy(lab.NewLedger(), "xent", n, v)
	targets := []int{0, 6, 3}
	if l := ce.Forward(lab.NewMat(n, v), targets); math.Abs(l-math.Log(v)) > 1e-15 {
		t.Errorf("loss of zero logits = %g, want log %d = %g", l, v, math.Log(v))
	}
	big := lab.NewMat(n, v)
	for i := range big.Data {
		big.Data[i] = 1000 * float64(i%v)
	}
	if l := ce.Forward(big, targets); math.IsNaN(l) || math.IsInf(l, 0) || math.Abs(l-(6000+0+3000)/3.0) > 1e-9 {
		t.Errorf("loss of logits in the thousands = %g, want %g", l, 3000.0)
	}
	z := randomMat(testRand(12), n, v, 2)
	loss := func() float64 { return ce.Forward(z, targets) }
	fd := finiteDiff(z, loss)
	loss()
	ce.Backward(targets, z) // ∂L/∂Z overwrites the logits
	checkGrad(t, "∂L/∂Z", z, fd)
	for i := 0; i < n; i++ {
		s := 0.0
		for _, x := range z.Row(i) {
			s += x
		}
		if math.Abs(s) > 1e-15 {
			t.Errorf("row %d of ∂L/∂Z sums to %g, want 0", i, s)
		}
	}
}

// TestDense: ∂L/∂W, ∂L/∂b and ∂L/∂X against finite differences; W and b are
// retagged Trainable.
func TestDense(t *testing.T) {
	const n, din, dout = 4, 3, 5
	l := lab.NewLedger()
	r := testRand(13)
	base := &lab.Linear{Shape: lab.Shape{Name: "fc", DIn: din, DOut: dout}, W: l.Mat(lab.Frozen, "fc.W", dout, din), Bias: l.Vec(lab.Frozen, "fc.bias", dout)}
	lab.FillNormal(base.W, r, 1)
	for j := range base.Bias {
		base.Bias[j] = r.NormFloat64()
	}
	d := nn.NewDense(l, base, n)
	if f := l.Numbers(); f.Frozen != 0 || f.Trainable != dout*din+dout || f.Gradients != dout*din+dout || f.Activations != n*din {
		t.Fatalf("ledger %+v", f)
	}
	x, R := randomMat(r, n, din, 1), randomMat(r, n, dout, 1)
	y, dx := lab.NewMat(n, dout), lab.NewMat(n, din)
	loss := func() float64 { d.Forward(x, y); return dot(y, R) }
	loss()
	d.Backward(R, dx)
	checkGrad(t, "∂L/∂W", d.W.Grad, finiteDiff(d.W.Value, loss))
	checkGrad(t, "∂L/∂b", d.B.Grad, finiteDiff(d.B.Value, loss))
	checkGrad(t, "∂L/∂X", dx, finiteDiff(x, loss))
}

// TestAdd: dst ← dst + src.
func TestAdd(t *testing.T) {
	a := &lab.Mat{Rows: 2, Cols: 2, Stride: 2, Data: []float64{1, 2, 3, 4}}
	b := &lab.Mat{Rows: 2, Cols: 2, Stride: 2, Data: []float64{10, 20, 30, 40}}
	nn.Add(a, b)
	for i, want := range []float64{11, 22, 33, 44} {
		if a.Data[i] != want {
			t.Fatalf("Add: %v", a.Data)
		}
	}
}

// TestFrozen: a frozen layer computes Y = X·Wᵀ + b (against plain loops),
// its ∂L/∂X matches finite differences, Backward with dx nil touches
// nothing, and neither pass changes W or b.
func TestFrozen(t *testing.T) {
	r := testRand(21)
	base := &lab.Linear{Shape: lab.Shape{Name: "f", DIn: 5, DOut: 3}, W: randomMat(r, 3, 5, 1), Bias: []float64{0.1, -0.2, 0.3}}
	w0, b0 := base.W.Clone(), append([]float64(nil), base.Bias...)
	f := nn.NewFrozen(base)
	x, y := randomMat(r, 4, 5, 1), lab.NewMat(4, 3)
	f.Forward(x, y)
	for n := 0; n < 4; n++ {
		for o := 0; o < 3; o++ {
			want := base.Bias[o]
			for i := 0; i < 5; i++ {
				want += x.At(n, i) * base.W.At(o, i)
			}
			if math.Abs(y.At(n, o)-want) > 1e-12 {
				t.Fatalf("Y[%d,%d] = %g, want %g", n, o, y.At(n, o), want)
			}
		}
	}
	R := randomMat(r, 4, 3, 1)
	loss := func() float64 { f.Forward(x, y); return dot(y, R) }
	dx := lab.NewMat(4, 5)
	f.Backward(R, dx)
	checkGrad(t, "∂L/∂X", dx, finiteDiff(x, loss))
	f.Backward(R, nil)
	if !slices.Equal(base.W.Data, w0.Data) || !slices.Equal(base.Bias, b0) {
		t.Error("a frozen layer changed its W or b")
	}
}
