package nn_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// attnRig is an attention core with random Q, K, V for B sequences of T.
type attnRig struct {
	a               *nn.Attention
	b, t, heads, dh int
	q, k, v, y      *lab.Mat
	dq, dk, dv      *lab.Mat
	ledger          *lab.Ledger
}

func newAttnRig(b, t, heads, dh int, seed uint64) *attnRig {
	l := lab.NewLedger()
	r := testRand(seed)
	n, d := b*t, heads*dh
	return &attnRig{
		a: nn.NewAttention(l, "attn", b, t, heads, dh), b: b, t: t, heads: heads, dh: dh, ledger: l,
		q: randomMat(r, n, d, 1), k: randomMat(r, n, d, 1), v: randomMat(r, n, d, 1),
		y: lab.NewMat(n, d), dq: lab.NewMat(n, d), dk: lab.NewMat(n, d), dv: lab.NewMat(n, d),
	}
}

// reference computes the attention output with explicit loops, straight
// from the definition: y_i = Σ_{j≤i} softmax_j(q_i·k_j/√d_h) v_j per head.
func (r *attnRig) reference() *lab.Mat {
	y := lab.NewMat(r.q.Rows, r.q.Cols)
	for b := 0; b < r.b; b++ {
		for h := 0; h < r.heads; h++ {
			for i := 0; i < r.t; i++ {
				s := make([]float64, i+1)
				m := math.Inf(-1)
				for j := 0; j <= i; j++ {
					for c := h * r.dh; c < (h+1)*r.dh; c++ {
						s[j] += r.q.At(b*r.t+i, c) * r.k.At(b*r.t+j, c)
					}
					s[j] /= math.Sqrt(float64(r.dh))
					m = math.Max(m, s[j])
				}
				z := 0.0
				for j := range s {
					s[j] = math.Exp(s[j] - m)
					z += s[j]
				}
				for j := range s {
					for c := h * r.dh; c < (h+1)*r.dh; c++ {
						y.Set(b*r.t+i, c, y.At(b*r.t+i, c)+s[j]/z*r.v.At(b*r.t+j, c))
					}
				}
			}
		}
	}
	return y
}

// TestAttentionForward: the Gemm-on-views implementation equals the
// definition written as loops, and P is counted as B·H·T·T activations.
func TestAttentionForward(t *testing.T) {
	for _, c := range [][4]int{{1, 1, 1, 1}, {2, 4, 2, 3}, {3, 5, 3, 2}} {
		r := newAttnRig(c[0], c[1], c[2], c[3], 6)
		r.a.Forward(r.q, r.k, r.v, r.y)
		if e := relErr(r.y, r.reference()); e > 1e-14 {
			t.Errorf("B,T,H,d_h = %v: relative error %g against the loop definition", c, e)
		}
		if !counted(r.ledger, lab.Activations, "attn.P", c[0]*c[2]*c[1]*c[1]) {
			t.Errorf("B,T,H,d_h = %v: P not counted as %d activations: %+v", c, c[0]*c[2]*c[1]*c[1], r.ledger.Entries())
		}
	}
}

// TestAttentionGradients: ∂L/∂Q, ∂L/∂K, ∂L/∂V against finite differences of
// L = Σ Y⊙R, over two sequences and two heads.
func TestAttentionGradients(t *testing.T) {
	for _, c := range [][4]int{{2, 4, 2, 3}, {1, 6, 3, 2}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			r := newAttnRig(c[0], c[1], c[2], c[3], 7)
			R := randomMat(testRand(8), r.q.Rows, r.q.Cols, 1)
			loss := func() float64 { r.a.Forward(r.q, r.k, r.v, r.y); return dot(r.y, R) }
			loss()
			r.a.Backward(r.q, r.k, r.v, R, r.dq, r.dk, r.dv)
			checkGrad(t, "∂L/∂Q", r.dq, finiteDiff(r.q, loss))
			checkGrad(t, "∂L/∂K", r.dk, finiteDiff(r.k, loss))
			checkGrad(t, "∂L/∂V", r.dv, finiteDiff(r.v, loss))
		})
	}
}

// TestAttentionCausal: a future token gets exactly zero gradient from
// earlier outputs, and no sequence sees another. For each sequence b and
// position t, with ∂L/∂Y nonzero only on rows 0…t of sequence b, the rows
// of ∂L/∂Q, ∂L/∂K and ∂L/∂V after t, and every row of the other sequences,
// are exactly 0 — while rows 0…t of ∂L/∂V (and of ∂L/∂K, for t > 0) are not. Forward:
// changing K and V after position t changes no output up to t.
func TestAttentionCausal(t *testing.T) {
	const B, T, H, dh = 2, 5, 2, 3
	r := newAttnRig(B, T, H, dh, 9)
	d := H * dh
	for b := 0; b < B; b++ {
		for pos := 0; pos < T; pos++ {
			g := lab.NewMat(B*T, d)
			for i := 0; i <= pos; i++ {
				for j := 0; j < d; j++ {
					g.Set(b*T+i, j, 1+float64(i+j))
				}
			}
			r.a.Forward(r.q, r.k, r.v, r.y)
			r.a.Backward(r.q, r.k, r.v, g, r.dq, r.dk, r.dv)
			for row := 0; row < B*T; row++ {
				seen := row/T == b && row%T <= pos
				for name, m := range map[string]*lab.Mat{"∂L/∂Q": r.dq, "∂L/∂K": r.dk, "∂L/∂V": r.dv} {
					norm := 0.0
					for _, x := range m.Row(row) {
						norm += math.Abs(x)
					}
					if !seen && norm != 0 {
						t.Fatalf("outputs of sequence %d up to %d: %s row %d (sequence %d, position %d) is %v, want exactly 0", b, pos, name, row, row/T, row%T, m.Row(row))
					}
					// (Position 0 attends only to itself: softmax of one score is 1
					// whatever K says, so ∂L/∂K is rightly 0 there.)
					if seen && (name == "∂L/∂V" || name == "∂L/∂K" && pos > 0) && norm == 0 {
						t.Fatalf("outputs of sequence %d up to %d: %s row %d is zero, want nonzero", b, pos, name, row)
					}
				}
			}
		}
	}
	// Forward: perturb K and V at the last position of sequence 0; outputs
	// 0…T−2 of sequence 0 and all of sequence 1 are unchanged, bit for bit.
	r.a.Forward(r.q, r.k, r.v, r.y)
	before := r.y.Clone()
	for j := 0; j < d; j++ {
		r.k.Set(T-1, j, r.k.At(T-1, j)+5)
		r.v.Set(T-1, j, r.v.At(T-1, j)-5)
	}
	r.a.Forward(r.q, r.k, r.v, r.y)
	for row := 0; row < B*T; row++ {
		changed := false
		for j := 0; j < d; j++ {
			changed = changed || r.y.At(row, j) != before.At(row, j)
		}
		if changed != (row == T-1) {
			t.Errorf("after changing K, V at row %d: output row %d changed = %v", T-1, row, changed)
		}
	}
}

// TestAttendCached: the sampler's cached attention, fed one sequence in
// pieces (a prefill of 3 positions, then one at a time), gives the same
// outputs as the batch Forward over the whole sequence.
func TestAttendCached(t *testing.T) {
	const T, H, dh = 6, 2, 3
	r := newAttnRig(1, T, H, dh, 10)
	r.a.Forward(r.q, r.k, r.v, r.y)
	d := H * dh
	s := lab.NewMat(T, T)
	got := lab.NewMat(T, d)
	for start, m := 0, 3; start < T; start, m = start+m, 1 {
		rows := func(x *lab.Mat, from, n int) *lab.Mat {
			return &lab.Mat{Rows: n, Cols: d, Stride: d, Data: x.Data[from*d : (from+n)*d]}
		}
		nn.AttendCached(rows(r.q, start, m), rows(r.k, 0, start+m), rows(r.v, 0, start+m), rows(got, start, m), s, H, start)
	}
	if e := relErr(got, r.y); e > 1e-14 {
		t.Errorf("cached attention differs from Forward: relative error %g", e)
	}
}
