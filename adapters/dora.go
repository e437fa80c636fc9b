package adapters

import (
	"math"

	"github.com/loralab/loralab/lab"
)

// DoRA (Liu et al., 2024): weight-decomposed low-rank adaptation. The
// adapted weight is split into a magnitude m (one number per output row)
// and a direction, LoRA's W + s·B·A normalised per row (PEFT's convention):
//
//	V  = W + s·B·A               (d_out × d_in)    the direction before normalising
//	n  = ‖V‖_row                 (d_out)           one norm per output row
//	W′ = m ⊙ V / n               (each row j scaled by m_j / n_j)
//
// m starts at ‖W‖_row and B at 0, so W′ = W before the first step.
//
// Forward, with g = m / n:
//
//	H = X·Aᵀ                     (N × r)
//	Z = X·Wᵀ + s·H·Bᵀ            (N × d_out)   = X·Vᵀ, the unscaled output
//	Y = Z ⊙ g + b                (each column j times g_j)
//
// Backward, with G = ∂L/∂Y. Like PEFT and the paper (§4.3), the norm n is
// treated as a constant (detached): it saves memory and compute and changes
// the gradient little. Then:
//
//	∂L/∂m = Σ_n G ⊙ Z / n        (d_out; exact either way: n does not depend on m)
//	Ĝ     = G ⊙ g                (N × d_out)
//	∂L/∂B = s·Ĝᵀ·H   U = Ĝ·B   ∂L/∂A = s·Uᵀ·X   ∂L/∂X = Ĝ·W + s·U·A   (LoRA's, with Ĝ)
//
// With the option dora-exact the norm is differentiated too: with
// q = Σ_n G ⊙ Z and D = diag(−m ⊙ q / n³)·V (d_out × d_in),
//
//	∂L/∂B += s·D·Aᵀ              ∂L/∂A += s·Bᵀ·D
//
// Kept for backward: X (N·d_in), H (N·r) and Z (N·d_out) — LoRA's plus
// N·d_out. Scratch: V (d_out·d_in) and n (d_out), recomputed every forward
// pass, Ĝ (N·d_out) and U (N·r). The extra cost over LoRA is forming V and
// its norms, 2·d_out·d_in·r + 2·d_out·d_in operations per forward pass.
type DoRA struct{}

// Exact makes DoRA differentiate through the row norm instead of treating it
// as a constant (PEFT's and the paper's choice).
var Exact = lab.Setting{Name: "dora-exact", Help: "DoRA: differentiate through the row norm (PEFT and the paper treat it as a constant)", Kind: lab.BoolSetting, Default: false}

// Info describes DoRA.
func (DoRA) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "dora", Title: "DoRA", Colour: "#f472b6", Glyph: "✦", Hollow: "✧", DefaultLR: 3e-3, DefaultRank: 8,
		Settings: append(loraSettings[:len(loraSettings):len(loraSettings)], Exact),
		Summary:  "LoRA's direction, normalised per row, times a trained magnitude m: W′ = m ⊙ (W + s·B·A)/‖W + s·B·A‖",
		Paper:    "Liu et al., DoRA: Weight-Decomposed Low-Rank Adaptation (arXiv 2402.09353)",
		Claim:    "closer to full fine-tuning than LoRA at the same rank, by training magnitude and direction separately",
		Caveat:   "more memory and compute than LoRA: it keeps the layer's unscaled output and forms W + s·B·A and its norms every step",
		Explain: lab.Explanation{
			Trains: "A, B, m",
			Diagram: lab.Diagram{
				Main: []lab.Block{{"W {d_out}×{d_in}", "frozen"}},
				Side: []lab.Block{{"A {r}×{d_in}", "trains"}, {"B {d_out}×{r}", "trains"}},
				Op:   "×s",
				Out:  "⊙ m/‖·‖, + b",
			},
			Legend: []string{"⊙ m/‖·‖: every output row of W + s·B·A rescaled to the trained magnitude m ({d_out} numbers)"},
			Forward: []string{
				"H = X·Aᵀ                   (N × r)",
				"Z = X·Wᵀ + s·H·Bᵀ          (N × d_out)    = X·(W + s·B·A)ᵀ",
				"Y = Z ⊙ m/n + b            n = ‖W + s·B·A‖ per output row",
				"s = {scaling}",
			},
			Update: []string{
				"∂L/∂m = Σₙ G ⊙ Z / n    Ĝ = G ⊙ m/n    then LoRA's gradients with Ĝ for G",
				"A, B, m ← AdamW step at lr = {lr}; m starts at ‖W‖ per row, B at 0. Step 1: B = 0, so ∂L/∂A = 0.",
			},
			Trainable: "r·(d_in + d_out) + d_out", Kept: "X, H and Z", KeptSymbols: "N·(d_in + r + d_out)",
			Caveats: []string{
				"Every step it forms W + s·B·A ({d_out}×{d_in}) and its row norms: about 2·d_out·d_in·r more operations than LoRA per forward pass.",
			},
			More: func(cfg lab.Config, _ []lab.Shape) (update, caveats []string) {
				if Exact.Bool(cfg) {
					return []string{"dora-exact on: the norm n is differentiated too (∂L/∂A and ∂L/∂B get the norm's term)."}, nil
				}
				return []string{"The norm n is treated as a constant in backward, as in PEFT and the paper (§4.3); --dora-exact differentiates it."}, nil
			},
		},
	}
}

// Validate allows 1 ≤ r ≤ min(d_in, d_out).
func (DoRA) Validate(cfg lab.Config, layers []lab.Shape) error {
	return lab.ValidateLoRARank(cfg, layers)
}

// Build adapts every layer with a LoRA pair and a magnitude vector m = ‖W‖_row.
func (DoRA) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		l, n, name := env.Ledger, env.N, base.Name
		layer := &doraLayer{
			loraLayer: newLoRALayer(env, base, 1),
			exact:     Exact.Bool(env.Config),
			m:         newParam(l, name, "m", 1, base.DOut, 1, false), // a vector: no weight decay, as for biases
			z:         l.Mat(lab.Activations, name+".dora.Z", n, base.DOut),
			v:         l.Mat(lab.Workspace, name+".dora.V", base.DOut, base.DIn),
			norm:      l.Vec(lab.Workspace, name+".dora.norm", base.DOut),
			gHat:      l.Mat(lab.Workspace, name+".dora.Ghat", n, base.DOut),
		}
		rowNorms(base.W, layer.m.Value.Data) // m = ‖W‖ per row: W′ = W at the start
		out[i] = layer
	}
	return out
}

// Footprint per layer: LoRA's, plus m (d_out) trainable with its gradient and
// AdamW state, Z kept for backward, and V, n and Ĝ of scratch.
func (DoRA) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	var f lab.Footprint
	for _, s := range layers {
		lf := loraLayerFootprint(cfg.Rank, s, n)
		lf.Trainable += s.DOut
		lf.Gradients += s.DOut
		lf.Optimizer += 2 * s.DOut
		lf.Activations += n * s.DOut                     // Z
		lf.Workspace += s.DOut*s.DIn + s.DOut + n*s.DOut // V, n, Ĝ
		f = f.Plus(lf)
	}
	return f
}

type doraLayer struct {
	*loraLayer
	exact bool
	m     *lab.Param // magnitude, 1 × d_out
	z     *lab.Mat   // kept Z = X·Wᵀ + s·H·Bᵀ, N × d_out
	v     *lab.Mat   // scratch V = W + s·B·A, d_out × d_in (then D in an exact backward)
	norm  []float64  // scratch n = ‖V‖ per row, d_out
	gHat  *lab.Mat   // scratch Ĝ = G ⊙ m/n, N × d_out

	fixedNorm bool // tests: keep n from the last forward pass (see export_test.go)
}

// direction forms V = W + s·B·A and n = ‖V‖_row.
func (l *doraLayer) direction() {
	l.v.CopyFrom(l.base.W)
	lab.Gemm(l.s, l.b.Value, lab.NoT, l.a.Value, lab.NoT, 1, l.v) // V = W + s·B·A
	rowNorms(l.v, l.norm)
}

// Forward: H = X·Aᵀ; Z = X·Wᵀ + s·H·Bᵀ; Y = Z ⊙ m/n + b. Keeps X, H and Z.
func (l *doraLayer) Forward(x, y *lab.Mat) {
	if !l.fixedNorm {
		l.direction()
	}
	l.x.CopyFrom(x)
	lab.Gemm(1, x, lab.NoT, l.a.Value, lab.T, 0, l.h)     // H = X·Aᵀ
	lab.Gemm(1, x, lab.NoT, l.base.W, lab.T, 0, l.z)      // Z = X·Wᵀ
	lab.Gemm(l.s, l.h, lab.NoT, l.b.Value, lab.T, 1, l.z) //   + s·H·Bᵀ
	m := l.m.Value.Data
	for i := 0; i < y.Rows; i++ { // Y = Z ⊙ m/n + b
		yr, zr := y.Row(i), l.z.Row(i)
		for j := range yr {
			yr[j] = zr[j]*(m[j]/l.norm[j]) + l.base.Bias[j]
		}
	}
}

// Backward: ∂L/∂m = Σ_n G ⊙ Z / n; Ĝ = G ⊙ m/n; LoRA's backward with Ĝ; with
// dora-exact, the norm's term D = diag(−m ⊙ q / n³)·V added to ∂L/∂B and ∂L/∂A.
func (l *doraLayer) Backward(g, dx *lab.Mat) {
	m, gm := l.m.Value.Data, l.m.Grad.Data
	for i := 0; i < g.Rows; i++ {
		gr, zr, gh := g.Row(i), l.z.Row(i), l.gHat.Row(i)
		for j := range gr {
			gm[j] += gr[j] * zr[j] / l.norm[j] // ∂L/∂m += Σ_n G ⊙ Z / n
			gh[j] = gr[j] * (m[j] / l.norm[j]) // Ĝ = G ⊙ m/n
		}
	}
	if l.exact {
		// D = diag(−m ⊙ q / n³)·V, with q_j = Σ_n G_nj·Z_nj = n_j·(∂L/∂m_j of this batch).
		for j := 0; j < l.v.Rows; j++ {
			q := 0.0
			for i := 0; i < g.Rows; i++ {
				q += g.At(i, j) * l.z.At(i, j)
			}
			c := -m[j] * q / (l.norm[j] * l.norm[j] * l.norm[j])
			row := l.v.Row(j)
			for k := range row {
				row[k] *= c
			}
		}
		lab.Gemm(l.s, l.v, lab.NoT, l.a.Value, lab.T, 1, l.b.Grad) // ∂L/∂B += s·D·Aᵀ
		lab.Gemm(l.s, l.b.Value, lab.T, l.v, lab.NoT, 1, l.a.Grad) // ∂L/∂A += s·Bᵀ·D (V is scratch: the next forward forms it again)
	}
	l.loraLayer.Backward(l.gHat, dx)
}

// Params: A, B and m.
func (l *doraLayer) Params() []*lab.Param { return []*lab.Param{l.a, l.b, l.m} }

// EffectiveWeight writes W′ = m ⊙ (W + s·B·A) / ‖W + s·B·A‖_row.
func (l *doraLayer) EffectiveWeight(dst *lab.Mat) {
	dst.CopyFrom(l.base.W)
	lab.Gemm(l.s, l.b.Value, lab.NoT, l.a.Value, lab.NoT, 1, dst)
	norm := make([]float64, dst.Rows)
	rowNorms(dst, norm)
	for j := 0; j < dst.Rows; j++ {
		k := l.m.Value.Data[j] / norm[j]
		row := dst.Row(j)
		for i := range row {
			row[i] *= k
		}
	}
}

// PEFTCost is what PEFT's DoRA layer keeps beyond this Footprint (measured,
// PEFT 0.21, lab/scale/testdata/measured.json): the base layer's output
// (N·d_out, compute dtype; the Footprint's Z stands for PEFT's LoRA output)
// and three d_out vectors, and its forward builds an identity (d_in × d_in),
// B·A, W, s·B·A and W + s·B·A and squares one of them for the row norm
// (d_in² + 5·d_in·d_out, adapter dtype, transient).
func (DoRA) PEFTCost(_ lab.Config, s lab.Shape, n int) lab.PEFTCost {
	return lab.PEFTCost{ComputeKept: n * s.DOut, AdapterKept: 3 * s.DOut, Transient: s.DIn*s.DIn + 5*s.DIn*s.DOut}
}

// rowNorms writes the Euclidean norm of every row of w into out. A row
// whose squares overflow (or underflow) is measured scaled by its largest
// element, so a huge row gets its huge norm rather than +Inf.
func rowNorms(w *lab.Mat, out []float64) {
	for j := 0; j < w.Rows; j++ {
		row, s := w.Row(j), 0.0
		for _, v := range row {
			s += v * v
		}
		if s >= 1e-290 && s <= math.MaxFloat64 || s == 0 {
			out[j] = math.Sqrt(s)
			continue
		}
		big := 0.0
		for _, v := range row {
			big = max(big, math.Abs(v))
		}
		s = 0
		for _, v := range row {
			s += (v / big) * (v / big)
		}
		out[j] = big * math.Sqrt(s)
	}
}
