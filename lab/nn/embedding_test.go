package nn_test

import (
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// TestEmbeddingForward: X[n] = E[tok[n]] + P[n mod T], exactly.
func TestEmbeddingForward(t *testing.T) {
	const v, T, d = 5, 3, 4
	e := nn.NewEmbedding(lab.NewLedger(), "emb", v, T, d, true)
	r := testRand(1)
	lab.FillNormal(e.Tok.Value, r, 1)
	lab.FillNormal(e.Pos.Value, r, 1)
	tok := []int{4, 0, 4, 2, 2, 1} // two sequences of T = 3
	x := lab.NewMat(len(tok), d)
	e.Forward(tok, x)
	for n, id := range tok {
		for j := 0; j < d; j++ {
			if want := e.Tok.Value.At(id, j) + e.Pos.Value.At(n%T, j); x.At(n, j) != want {
				t.Fatalf("X[%d,%d] = %g, want E[%d]+P[%d] = %g", n, j, x.At(n, j), id, n%T, want)
			}
		}
	}
	// Infer from position 2 wraps at T: tokens at positions 2, 0.
	y := lab.NewMat(2, d)
	e.Infer([]int{3, 1}, 2, y)
	if y.At(0, 1) != e.Tok.Value.At(3, 1)+e.Pos.Value.At(2, 1) || y.At(1, 1) != e.Tok.Value.At(1, 1)+e.Pos.Value.At(0, 1) {
		t.Errorf("Infer at start 2: %v", y.Data)
	}
}

// TestEmbeddingGradients: the scatter-add matches finite differences of
// L = Σ X⊙R, including a character seen several times in the batch (its
// row collects every occurrence) and a character not seen (zero gradient).
func TestEmbeddingGradients(t *testing.T) {
	const v, T, d = 5, 3, 4
	l := lab.NewLedger()
	e := nn.NewEmbedding(l, "emb", v, T, d, true)
	r := testRand(2)
	lab.FillNormal(e.Tok.Value, r, 1)
	lab.FillNormal(e.Pos.Value, r, 1)
	tok := []int{4, 0, 4, 2, 4, 1} // 4 three times, 3 never
	x := lab.NewMat(len(tok), d)
	R := randomMat(r, len(tok), d, 1)
	loss := func() float64 { e.Forward(tok, x); return dot(x, R) }
	loss()
	e.Backward(tok, R)
	checkGrad(t, "∂L/∂E", e.Tok.Grad, finiteDiff(e.Tok.Value, loss))
	checkGrad(t, "∂L/∂P", e.Pos.Grad, finiteDiff(e.Pos.Value, loss))
	for j := 0; j < d; j++ {
		if e.Tok.Grad.At(3, j) != 0 {
			t.Errorf("∂L/∂E of an unseen character is %g, want 0", e.Tok.Grad.At(3, j))
		}
	}
	if len(e.Params()) != 2 || !counted(l, lab.Trainable, "emb.tok", v*d) || !counted(l, lab.Gradients, "emb.pos.grad", T*d) {
		t.Errorf("trainable embedding: %d params, ledger %+v", len(e.Params()), l.Entries())
	}
}

// TestEmbeddingFrozen: a frozen table is counted as Frozen, has no gradient
// and no params, and Backward is a no-op.
func TestEmbeddingFrozen(t *testing.T) {
	l := lab.NewLedger()
	e := nn.NewEmbedding(l, "emb", 5, 3, 4, false)
	if len(e.Params()) != 0 || e.Tok.Grad != nil || l.Numbers().Frozen != 5*4+3*4 || l.Numbers().Gradients != 0 {
		t.Fatalf("frozen embedding: params %d, ledger %+v", len(e.Params()), l.Numbers())
	}
	e.Backward([]int{1, 2, 3}, lab.NewMat(3, 4)) // must not panic
}
