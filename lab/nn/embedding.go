package nn

import "github.com/loralab/loralab/lab"

// Embedding turns token ids into vectors: a row of the token table plus a
// learned vector for the position (GPT-2's wte and wpe).
//
//	E: V × d  (one row per character)      P: T × d  (one row per position)
//
// Forward, for tokens tok (N = B·T ids, sequence-major):
//
//	X[n, :] = E[tok[n], :] + P[n mod T, :]          (N × d)   a gather
//
// Backward, with G = ∂L/∂X (N × d), only when the tables train: the gather's
// transpose, a scatter-add (a character seen twice in the batch collects both
// rows' gradients):
//
//	∂L/∂E[tok[n], :] += G[n, :]       ∂L/∂P[n mod T, :] += G[n, :]
//
// Kept for backward: nothing; the caller passes the token ids again.
type Embedding struct {
	Tok *lab.Param // E: V × d; Grad is nil when frozen
	Pos *lab.Param // P: T × d; Grad is nil when frozen
}

// NewEmbedding allocates E (vocab × d) and P (context × d), Trainable with
// their gradients or Frozen. They start at zero: the caller initialises them.
// As in nanoGPT, the tables are weight-decayed (2-D tensors); gains and
// biases are not.
func NewEmbedding(l *lab.Ledger, name string, vocab, context, d int, train bool) *Embedding {
	return &Embedding{
		Tok: newWeight(l, name, "tok", vocab, d, train, true),
		Pos: newWeight(l, name, "pos", context, d, train, true),
	}
}

// Params lists the trainable tables (none when frozen).
func (e *Embedding) Params() []*lab.Param { return trainable(e.Tok, e.Pos) }

// Forward: X[n] = E[tok[n]] + P[n mod T], for len(tok) = x.Rows = B·T.
func (e *Embedding) Forward(tok []int, x *lab.Mat) {
	e.Infer(tok, 0, x)
}

// Backward: ∂L/∂E[tok[n]] += G[n]; ∂L/∂P[n mod T] += G[n]. Nothing to do
// when the tables are frozen (the embedding is the first piece: no ∂L/∂input).
func (e *Embedding) Backward(tok []int, g *lab.Mat) {
	if e.Tok.Grad == nil {
		return
	}
	T := e.Pos.Value.Rows
	for n, id := range tok {
		gn, dE, dP := g.Row(n), e.Tok.Grad.Row(id), e.Pos.Grad.Row(n%T)
		for j, v := range gn {
			dE[j] += v
			dP[j] += v
		}
	}
}

// Infer is Forward for tokens at positions start, start+1, …, wrapping every
// T (the sampler embeds one new token at a time at its own position).
func (e *Embedding) Infer(tok []int, start int, x *lab.Mat) {
	mustShape("embedding output", x, len(tok), e.Tok.Value.Cols)
	T := e.Pos.Value.Rows
	for n, id := range tok {
		xn, en, pn := x.Row(n), e.Tok.Value.Row(id), e.Pos.Value.Row((start+n)%T)
		for j := range xn {
			xn[j] = en[j] + pn[j]
		}
	}
}
