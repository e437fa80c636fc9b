package nn

import (
	"math"

	"github.com/loralab/loralab/lab"
)

// LayerNormEps is the ε added to the variance, as in GPT-2 and PyTorch.
const LayerNormEps = 1e-5

// LayerNorm normalises each row to zero mean and unit variance, then scales
// by a gain γ and shifts by a bias β (Ba et al., 2016), as GPT-2 does before
// each attention and MLP (pre-norm) and once before the head.
//
// Why LayerNorm and not RMSNorm: the model is GPT-2's shape throughout
// (learned positions, GELU, biased linear layers), so its norm is GPT-2's
// too, and it reads line by line against llm.c's layernorm_forward and
// layernorm_backward. RMSNorm (Llama) drops the mean and β; the difference
// matters little at this size, and LayerNorm's centring keeps a tiny model's
// residual stream from drifting while the adapted layers move.
//
// Forward, for each row x (d numbers) of X (N × d):
//
//	μ = (1/d) Σ_j x_j        σ² = (1/d) Σ_j (x_j − μ)²      r = 1/√(σ² + ε)
//	x̂ = (x − μ)·r            y = γ ⊙ x̂ + β                  (Y: N × d)
//
// Backward, with G = ∂L/∂Y (N × d) and ĝ = G ⊙ γ per row:
//
//	∂L/∂γ += Σ_n G[n] ⊙ x̂[n]        ∂L/∂β += Σ_n G[n]
//	∂L/∂x  = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂))       (N × d)
//
// Kept for backward: x̂ (N × d) and r (N). Keeping x̂ rather than x, μ and r
// costs the same and makes the norm independent of its input buffer (the
// residual stream, which the next block changes in place).
type LayerNorm struct {
	Gain *lab.Param // γ: 1 × d, starts at 1
	Bias *lab.Param // β: 1 × d, starts at 0
	xhat *lab.Mat   // kept x̂, N × d: ∂L/∂γ and ∂L/∂x need it
	rstd []float64  // kept r = 1/σ, N: ∂L/∂x needs it
}

// NewLayerNorm allocates γ = 1, β = 0 (Trainable with gradients, or Frozen)
// and the buffers kept for backward at n rows.
func NewLayerNorm(l *lab.Ledger, name string, d, n int, train bool) *LayerNorm {
	ln := &LayerNorm{
		Gain: newWeight(l, name, "gain", 1, d, train, false),
		Bias: newWeight(l, name, "bias", 1, d, train, false),
		xhat: l.Mat(lab.Activations, name+".xhat", n, d),
		rstd: l.Vec(lab.Activations, name+".rstd", n),
	}
	for j := range ln.Gain.Value.Data {
		ln.Gain.Value.Data[j] = 1
	}
	return ln
}

// Params lists γ and β when they train.
func (ln *LayerNorm) Params() []*lab.Param { return trainable(ln.Gain, ln.Bias) }

// Forward: x̂ = (x − μ)/√(σ² + ε); Y = γ ⊙ x̂ + β. Keeps x̂ and 1/σ.
func (ln *LayerNorm) Forward(x, y *lab.Mat) {
	mustShape("layernorm input", x, ln.xhat.Rows, ln.xhat.Cols)
	mustShape("layernorm output", y, x.Rows, x.Cols)
	gain, bias := ln.Gain.Value.Data, ln.Bias.Value.Data
	for n := 0; n < x.Rows; n++ {
		xn, hn, yn := x.Row(n), ln.xhat.Row(n), y.Row(n)
		r := normalize(xn, hn)
		ln.rstd[n] = r
		for j, h := range hn {
			yn[j] = gain[j]*h + bias[j]
		}
	}
}

// Backward: ∂L/∂γ += Σ G⊙x̂; ∂L/∂β += Σ G; ∂L/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)).
// With dx nil only the parameter gradients are computed.
func (ln *LayerNorm) Backward(g, dx *lab.Mat) {
	mustShape("layernorm ∂L/∂Y", g, ln.xhat.Rows, ln.xhat.Cols)
	gain := ln.Gain.Value.Data
	d := float64(g.Cols)
	for n := 0; n < g.Rows; n++ {
		gn, hn := g.Row(n), ln.xhat.Row(n)
		if ln.Gain.Grad != nil {
			dGain, dBias := ln.Gain.Grad.Data, ln.Bias.Grad.Data
			for j, v := range gn {
				dGain[j] += v * hn[j]
				dBias[j] += v
			}
		}
		if dx == nil {
			continue
		}
		// mean(ĝ) and mean(ĝ ⊙ x̂), with ĝ = G ⊙ γ.
		mg, mgh := 0.0, 0.0
		for j, v := range gn {
			gh := v * gain[j]
			mg += gh
			mgh += gh * hn[j]
		}
		mg, mgh = mg/d, mgh/d
		r, dn := ln.rstd[n], dx.Row(n)
		for j, v := range gn {
			dn[j] = r * (v*gain[j] - mg - hn[j]*mgh)
		}
	}
}

// Infer is Forward for any number of rows, keeping nothing.
func (ln *LayerNorm) Infer(x, y *lab.Mat) {
	mustShape("layernorm output", y, x.Rows, x.Cols)
	gain, bias := ln.Gain.Value.Data, ln.Bias.Value.Data
	for n := 0; n < x.Rows; n++ {
		yn := y.Row(n)
		normalize(x.Row(n), yn)
		for j, h := range yn {
			yn[j] = gain[j]*h + bias[j]
		}
	}
}

// normalize writes x̂ = (x − μ)·r into h and returns r = 1/√(σ² + ε).
func normalize(x, h []float64) float64 {
	d := float64(len(x))
	mu := 0.0
	for _, v := range x {
		mu += v
	}
	mu /= d
	variance := 0.0
	for _, v := range x {
		variance += (v - mu) * (v - mu)
	}
	r := 1 / math.Sqrt(variance/d+LayerNormEps)
	for j, v := range x {
		h[j] = (v - mu) * r
	}
	return r
}
