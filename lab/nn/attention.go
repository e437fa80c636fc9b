package nn

import (
	"fmt"
	"math"

	"github.com/loralab/loralab/lab"
)

// Attention is the core of causal multi-head self-attention, between the
// q, k, v projections and the o projection (which are linear layers the
// methods adapt, outside this piece). Q, K and V are N × d with N = B·T rows
// (B sequences of T positions) and d = H·d_h columns (H heads of d_h columns
// each). For each sequence b and head h, with Q_bh, K_bh, V_bh its T × d_h
// blocks:
//
// Forward:
//
//	S = Q_bh·K_bhᵀ / √d_h                (T × T scores)
//	S[i, j] = −∞ for j > i               (causal mask: position i sees 0…i)
//	P = softmax(S) row by row            (T × T probabilities, P[i, j] = 0 for j > i)
//	Y_bh = P·V_bh                        (T × d_h; Y is N × d, heads side by side)
//
// Backward, with G = ∂L/∂Y and G_bh its T × d_h block:
//
//	∂L/∂V_bh = Pᵀ·G_bh                   (T × d_h)
//	∂L/∂P    = G_bh·V_bhᵀ                (T × T)
//	∂L/∂S    = P ⊙ (∂L/∂P − rowsum(P ⊙ ∂L/∂P))   (the softmax's Jacobian; 0 where masked)
//	∂L/∂Q_bh = ∂L/∂S·K_bh / √d_h         (T × d_h)
//	∂L/∂K_bh = ∂L/∂Sᵀ·Q_bh / √d_h        (T × d_h)
//
// Kept for backward: P, B·H·T·T numbers (the one tensor here that grows
// with T², counted under Activations). Q, K and V are needed too; the caller
// keeps them (they are the q, k, v layers' outputs) and passes them again.
//
// The products run through lab.Gemm on strided views of the heads, over the
// full T × T square: the masked half is computed and then zeroed, which
// doubles this piece's FLOPs (it takes about a fifth of a training step at
// T = 64, d = 64 with gonum's GEMM) for simpler code.
type Attention struct {
	Batch, Context, Heads, HeadDim int // B, T, H, d_h
	scale                          float64
	p                              *lab.Mat // kept P: (B·H·T) × T, block (b·H + h) is sequence b's head h
	dp                             *lab.Mat // scratch ∂L/∂P, then ∂L/∂S: T × T, one head at a time

	// View headers (no numbers of their own) re-pointed at each head's
	// block, so that Forward and Backward allocate nothing.
	vq, vk, vv, vy, vP, vo lab.Mat
}

// NewAttention allocates the kept probabilities and the scratch for batches
// of b sequences of t positions with heads heads of headDim columns.
func NewAttention(l *lab.Ledger, name string, b, t, heads, headDim int) *Attention {
	if b < 1 || t < 1 || heads < 1 || headDim < 1 {
		panic(fmt.Sprintf("nn: attention %d×%d with %d heads of %d", b, t, heads, headDim))
	}
	return &Attention{
		Batch: b, Context: t, Heads: heads, HeadDim: headDim,
		scale: 1 / math.Sqrt(float64(headDim)),
		p:     l.Mat(lab.Activations, name+".P", b*heads*t, t),
		dp:    l.Mat(lab.Workspace, name+".dP", t, t),
	}
}

// Forward: per sequence and head, P = softmax(mask(Q·Kᵀ/√d_h)); Y = P·V. Keeps P.
func (a *Attention) Forward(q, k, v, y *lab.Mat) {
	a.check(q, k, v, y)
	for b := 0; b < a.Batch; b++ {
		for h := 0; h < a.Heads; h++ {
			p := a.head(b, h, q, k, v, y)
			lab.Gemm(a.scale, &a.vq, lab.NoT, &a.vk, lab.T, 0, p) // S = Q·Kᵀ/√d_h
			causalSoftmax(p, 0)                                   // P = softmax(S + mask)
			lab.Gemm(1, p, lab.NoT, &a.vv, lab.NoT, 0, &a.vy)     // Y = P·V
		}
	}
}

// Backward: ∂L/∂V = Pᵀ·G; ∂L/∂S = P ⊙ (G·Vᵀ − rowsum); ∂L/∂Q = ∂L/∂S·K/√d_h;
// ∂L/∂K = ∂L/∂Sᵀ·Q/√d_h. q, k, v are the inputs of the last Forward; g is
// ∂L/∂Y; dq, dk, dv (N × d) are overwritten.
func (a *Attention) Backward(q, k, v, g, dq, dk, dv *lab.Mat) {
	a.check(q, k, v, g)
	a.check(dq, dk, dv, g)
	ds := a.dp
	for b := 0; b < a.Batch; b++ {
		for h := 0; h < a.Heads; h++ {
			p := a.head(b, h, q, k, v, g) // vy views G
			a.vo = a.view(dv, b, h)
			lab.Gemm(1, p, lab.T, &a.vy, lab.NoT, 0, &a.vo)  // ∂L/∂V = Pᵀ·G
			lab.Gemm(1, &a.vy, lab.NoT, &a.vv, lab.T, 0, ds) // ∂L/∂P = G·Vᵀ
			softmaxBackward(p, ds)                           // ∂L/∂S, in place
			a.vo = a.view(dq, b, h)
			lab.Gemm(a.scale, ds, lab.NoT, &a.vk, lab.NoT, 0, &a.vo) // ∂L/∂Q = ∂L/∂S·K/√d_h
			a.vo = a.view(dk, b, h)
			lab.Gemm(a.scale, ds, lab.T, &a.vq, lab.NoT, 0, &a.vo) // ∂L/∂K = ∂L/∂Sᵀ·Q/√d_h
		}
	}
}

// head points the view headers at sequence b's head h of q, k, v and y and
// returns that head's block of the kept P.
func (a *Attention) head(b, h int, q, k, v, y *lab.Mat) *lab.Mat {
	a.vq, a.vk, a.vv, a.vy = a.view(q, b, h), a.view(k, b, h), a.view(v, b, h), a.view(y, b, h)
	T := a.Context
	off := (b*a.Heads + h) * T * T
	a.vP = lab.Mat{Rows: T, Cols: T, Stride: T, Data: a.p.Data[off : off+T*T]}
	return &a.vP
}

// view is the T × d_h block of m for sequence b, head h (a view, no copy).
func (a *Attention) view(m *lab.Mat, b, h int) lab.Mat {
	T, dh := a.Context, a.HeadDim
	off := b*T*m.Stride + h*dh
	return lab.Mat{Rows: T, Cols: dh, Stride: m.Stride, Data: m.Data[off : off+(T-1)*m.Stride+dh]}
}

func (a *Attention) check(q, k, v, y *lab.Mat) {
	n, d := a.Batch*a.Context, a.Heads*a.HeadDim
	mustShape("attention Q", q, n, d)
	mustShape("attention K", k, n, d)
	mustShape("attention V", v, n, d)
	mustShape("attention Y", y, n, d)
}

// causalSoftmax turns the scores s (m × c) into probabilities in place, row i
// seeing columns 0 … start+i (the key positions up to its own, the query
// being at position start+i); the columns after are set to 0.
func causalSoftmax(s *lab.Mat, start int) {
	for i := 0; i < s.Rows; i++ {
		row := s.Row(i)
		seen := row[:start+i+1]
		m := seen[0]
		for _, x := range seen {
			m = max(m, x)
		}
		sum := 0.0
		for j, x := range seen {
			e := math.Exp(x - m)
			seen[j] = e
			sum += e
		}
		for j := range seen {
			seen[j] /= sum
		}
		clear(row[start+i+1:])
	}
}

// softmaxBackward turns dp = ∂L/∂P into ∂L/∂S = P ⊙ (∂L/∂P − Σ_j P⊙∂L/∂P), row
// by row, in place. Masked entries (P = 0) get 0.
func softmaxBackward(p, dp *lab.Mat) {
	for i := 0; i < p.Rows; i++ {
		pi, di := p.Row(i), dp.Row(i)
		dot := 0.0
		for j, x := range pi {
			dot += x * di[j]
		}
		for j, x := range pi {
			di[j] = x * (di[j] - dot)
		}
	}
}

// AttendCached is the forward maths for a sampler that keeps a cache of
// keys and values: q (m × d) holds the queries of positions start … start+m−1
// of one sequence, k and v ((start+m) × d) the keys and values of positions
// 0 … start+m−1, and y (m × d) receives the output. s is scratch of at least
// m × (start+m). Nothing is kept: there is no backward.
func AttendCached(q, k, v, y, s *lab.Mat, heads, start int) {
	m, d := q.Rows, q.Cols
	c := start + m
	mustShape("cached K", k, c, d)
	mustShape("cached V", v, c, d)
	mustShape("cached Y", y, m, d)
	if d%heads != 0 || s.Rows < m || s.Cols < c {
		panic(fmt.Sprintf("nn: AttendCached d=%d heads=%d scratch %dx%d for %dx%d", d, heads, s.Rows, s.Cols, m, c))
	}
	dh := d / heads
	scale := 1 / math.Sqrt(float64(dh))
	sv := lab.Mat{Rows: m, Cols: c, Stride: s.Stride, Data: s.Data}
	for h := 0; h < heads; h++ {
		qh := lab.Mat{Rows: m, Cols: dh, Stride: q.Stride, Data: q.Data[h*dh:]}
		kh := lab.Mat{Rows: c, Cols: dh, Stride: k.Stride, Data: k.Data[h*dh:]}
		vh := lab.Mat{Rows: c, Cols: dh, Stride: v.Stride, Data: v.Data[h*dh:]}
		yh := lab.Mat{Rows: m, Cols: dh, Stride: y.Stride, Data: y.Data[h*dh:]}
		lab.Gemm(scale, &qh, lab.NoT, &kh, lab.T, 0, &sv) // S = Q·Kᵀ/√d_h
		causalSoftmax(&sv, start)                         // P, query i at position start+i
		lab.Gemm(1, &sv, lab.NoT, &vh, lab.NoT, 0, &yh)   // Y = P·V
	}
}
