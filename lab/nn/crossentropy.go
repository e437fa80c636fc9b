package nn

import (
	"math"

	"github.com/loralab/loralab/lab"
)

// CrossEntropy is the language model's loss: a softmax over the vocabulary
// for each row of logits and the mean negative log-probability of the target
// character.
//
// Forward, with Z the logits (N × V) and y[n] the target id of row n:
//
//	P[n, :] = softmax(Z[n, :])                (N × V)
//	L = −(1/N) Σ_n log P[n, y[n]]             (nats per character; /ln 2 for bits)
//
// Backward (softmax and log-likelihood together, the usual shortcut):
//
//	∂L/∂Z[n, :] = (P[n, :] − onehot(y[n])) / N          (N × V)
//
// Kept for backward: P (N × V). The logits are not needed once P is known,
// so the caller may pass the logits buffer itself as ∂L/∂Z.
type CrossEntropy struct {
	p *lab.Mat // kept P = softmax(Z), N × V: ∂L/∂Z = (P − onehot)/N
}

// NewCrossEntropy allocates the kept probabilities for n rows over vocab characters.
func NewCrossEntropy(l *lab.Ledger, name string, n, vocab int) *CrossEntropy {
	return &CrossEntropy{p: l.Mat(lab.Activations, name+".P", n, vocab)}
}

// Forward returns L = −(1/N) Σ_n log softmax(Z[n])[y[n]] and keeps P.
func (c *CrossEntropy) Forward(z *lab.Mat, targets []int) float64 {
	mustShape("logits", z, c.p.Rows, c.p.Cols)
	if len(targets) != z.Rows {
		panic("nn: cross-entropy needs one target per row of logits")
	}
	loss := 0.0
	for n, y := range targets {
		loss += softmaxRow(z.Row(n), c.p.Row(n), y)
	}
	return loss / float64(z.Rows)
}

// Backward writes ∂L/∂Z = (P − onehot(y))/N into dz (which may be the logits).
func (c *CrossEntropy) Backward(targets []int, dz *lab.Mat) {
	mustShape("∂L/∂logits", dz, c.p.Rows, c.p.Cols)
	inv := 1 / float64(dz.Rows)
	for n, y := range targets {
		pn, dn := c.p.Row(n), dz.Row(n)
		for j, p := range pn {
			dn[j] = p * inv
		}
		dn[y] -= inv
	}
}

// softmaxRow writes softmax(z) into p (which may be z) and returns
// −log p[y], computed as log Σ exp(z − max) − (z[y] − max) so that neither
// overflows nor takes the log of an underflowed 0.
func softmaxRow(z, p []float64, y int) float64 {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	zy := z[y]
	sum := 0.0
	for j, v := range z {
		e := math.Exp(v - m)
		p[j] = e
		sum += e
	}
	inv := 1 / sum
	for j := range p {
		p[j] *= inv
	}
	return math.Log(sum) - (zy - m)
}
