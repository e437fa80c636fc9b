package adapters

import (
	"fmt"
	"math"

	"github.com/loralab/loralab/lab"
)

// VeRA (Kopiczko et al., 2023): one frozen random pair shared by all layers,
// and two small trainable vectors per layer.
//
//	A_sh: r × max_in, B_sh: max_out × r, frozen; layer slices A = A_sh[:, :d_in], B = B_sh[:d_out, :]
//	ΔW = diag(b)·B·diag(d)·A       (no α/r scaling)
//
// Forward:
//
//	U     = X·Aᵀ                (N × r)
//	V     = U ⊙ d               (each row times d)
//	Z     = V·Bᵀ                (N × d_out)
//	Y     = X·Wᵀ + bias + Z ⊙ b
//
// Backward, with G = ∂L/∂Y:
//
//	∂L/∂b = Σ_n G ⊙ Z           (d_out)
//	Ĝ     = G ⊙ b               (N × d_out)
//	dV    = Ĝ·B                 (N × r)
//	∂L/∂d = Σ_n dV ⊙ U          (r)
//	∂L/∂X = G·W + (dV ⊙ d)·A    (N × d_in)
//
// Kept for backward: U (N·r) and Z (N·d_out).
type VeRA struct{}

// DInit is VeRA's initial value of d (the paper found ≤ 0.1 better than 1).
// It is bounded by MaxDInit: d scales the update and its gradients, and
// d = 1e200 overflowed AdamW's second moment (every update 0).
var DInit = lab.Setting{Name: "vera-d-init", Help: "VeRA's initial value of d (> 0, at most 100)", Kind: lab.FloatSetting, Default: 0.1, Sweepable: true,
	Ladder: []float64{0.01, 0.03, 0.1, 0.3, 1}, Check: lab.AboveAtMost("vera-d-init", 0, MaxDInit)}

// MaxDInit bounds VeRA's initial d: a thousand times the paper's largest.
const MaxDInit = 100

// Info describes VeRA.
func (VeRA) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "vera", Title: "VeRA", Colour: "#c084fc", Glyph: "◆", Hollow: "◇", DefaultLR: 2e-2, DefaultRank: 256,
		Settings:   []lab.Setting{lab.RankSetting, DInit}, // no α: VeRA has no α/r scaling
		Summary:    "one frozen random pair shared by all layers; per layer only d (r) and b (d_out) train",
		Paper:      "Kopiczko, Blankevoort, Asano, VeRA: Vector-based Random Matrix Adaptation (arXiv 2310.11454)",
		Claim:      "LoRA-level results with about 10× fewer trainable parameters (0.061M vs 0.8M on RoBERTa-large)",
		Caveat:     "needs much higher ranks and about 10× larger learning rates; papers often leave the shared matrices out of the count",
		MemoryNote: "grows with r, large vs the toy's width; at LLM width below LoRA",
		Explain: lab.Explanation{
			Trains: "d, b",
			Diagram: lab.Diagram{
				Main: []lab.Block{{"W {d_out}×{d_in}, b", "frozen"}},
				Side: []lab.Block{
					{"A {r}×{d_in}", "frozen", "shared"},
					{"⊙ d ({r})", "trains"},
					{"B {d_out}×{r}", "frozen", "shared"},
					{"⊙ b ({d_out})", "trains"},
				},
			},
			Legend: []string{"shared: one copy for all {layers} layers"},
			Forward: []string{
				"U = X·Aᵀ (N × r)    V = U ⊙ d    Z = V·Bᵀ (N × d_out)",
				"Y = X·Wᵀ + bias + Z ⊙ b        ΔW = diag(b)·B·diag(d)·A, no α/r scaling",
				"A and B are slices of one random pair shared by every layer.",
			},
			Update: []string{
				"∂L/∂b = Σₙ G ⊙ Z    G′ = G ⊙ b    dV = G′·B    ∂L/∂d = Σₙ dV ⊙ U",
				"d, b ← AdamW step at lr = {lr} (no weight decay); d starts at {vera-d-init}, b at 0",
				"The shared A and B, W and bias never change. Step 1: b = 0, so ∂L/∂d = 0.",
			},
			Trainable: "d_out + r", Kept: "U and Z", KeptSymbols: "N·(r + d_out)",
			Caveats: []string{
				"A higher rank adds only r trainable numbers per layer, but N·r kept activations and N·r of scratch per layer: memory grows with r.",
				"VeRA holds more than LoRA only when its rank is large against the width (the toy: r = 256, width 64); at LLM width it holds less (loralab memory --model llama-3.2-3b --methods lora,vera).",
			},
			More: func(cfg lab.Config, layers []lab.Shape) (update, caveats []string) {
				maxIn, maxOut := maxDims(layers)
				return nil, []string{fmt.Sprintf("Here the shared pair is r·(max_in + max_out) = %d·(%d + %d) = %s frozen numbers, held once for all layers.",
					cfg.Rank, maxIn, maxOut, lab.Thousands(int64(sharedPair(cfg.Rank, layers))))}
			},
		},
	}
}

// sharedPair is the size of VeRA's shared frozen pair: r·(max_in + max_out).
func sharedPair(r int, layers []lab.Shape) int {
	maxIn, maxOut := maxDims(layers)
	return r * (maxIn + maxOut)
}

// Validate allows 1 ≤ r ≤ MaxVeraRank: VeRA's rank may exceed the layer
// dimensions (the paper uses 256–1024), since only d and b train.
func (VeRA) Validate(cfg lab.Config, _ []lab.Shape) error {
	if cfg.Rank < 1 || cfg.Rank > lab.MaxVeraRank {
		return fmt.Errorf("rank %d: must be between 1 and %d for vera (its rank may exceed the layer size)", cfg.Rank, lab.MaxVeraRank)
	}
	return nil
}

// Build draws the shared pair once (uniform ±√(6/fan_in): fan_in = max_in for
// A_sh, r for B_sh), then gives every layer its slices, d = d_init and b = 0.
func (VeRA) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	l, r, n := env.Ledger, env.Config.Rank, env.N
	maxIn, maxOut := maxDims(shapesOf(layers))
	aShared := l.Mat(lab.Frozen, "vera.A_shared", r, maxIn)
	bShared := l.Mat(lab.Frozen, "vera.B_shared", maxOut, r)
	lab.FillUniform(aShared, env.Rand, math.Sqrt(6/float64(maxIn)))
	lab.FillUniform(bShared, env.Rand, math.Sqrt(6/float64(r)))
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		name := base.Name
		layer := &veraLayer{
			base:    base,
			sharedA: aShared.View(r, base.DIn),
			sharedB: bShared.View(base.DOut, r),
			fullA:   aShared,
			fullB:   bShared,
			// d and b are vectors: no weight decay on them, as is usual for
			// 1-D parameters (the default weight decay is 0 anyway).
			lambdaD: newParam(l, name, "d", 1, r, 1, false),
			lambdaB: newParam(l, name, "b", 1, base.DOut, 1, false),
			u:       l.Mat(lab.Activations, name+".vera.U", n, r),
			z:       l.Mat(lab.Activations, name+".vera.Z", n, base.DOut),
			v:       l.Mat(lab.Workspace, name+".vera.V", n, r),
			gHat:    l.Mat(lab.Workspace, name+".vera.Ghat", n, base.DOut),
		}
		for j := range layer.lambdaD.Value.Data {
			layer.lambdaD.Value.Data[j] = DInit.Float(env.Config)
		}
		out[i] = layer
	}
	return out
}

// Footprint: the shared pair r·(max_in + max_out) once; per layer W and b
// frozen, d_out + r trainable, keeps U and Z; V (reused as dV) and Ĝ are scratch.
func (VeRA) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	r := cfg.Rank
	f := lab.Footprint{Frozen: sharedPair(r, layers)}
	for _, s := range layers {
		p := s.DOut + r
		f = f.Plus(lab.Footprint{
			Frozen:    s.DOut*s.DIn + s.BiasLen(),
			Trainable: p, Gradients: p, Optimizer: 2 * p,
			Activations: n*r + n*s.DOut, // U and Z
			Workspace:   n*r + n*s.DOut, // V (then dV) and Ĝ
		})
	}
	return f
}

// veraLayer names follow PEFT: vera_A/vera_B are the shared pair,
// lambda_d/lambda_b the trainable vectors the paper calls d and b.
type veraLayer struct {
	base             *lab.Linear
	sharedA, sharedB *lab.Mat   // views of the shared pair: A r × d_in, B d_out × r
	fullA, fullB     *lab.Mat   // the whole shared pair: r × max_in, max_out × r
	lambdaD, lambdaB *lab.Param // trainable vectors: d (1 × r), b (1 × d_out)
	u, z             *lab.Mat   // kept: U = X·Aᵀ (N × r), Z = V·Bᵀ (N × d_out)
	v, gHat          *lab.Mat   // scratch: V = U ⊙ d, later dV (N × r); Ĝ = G ⊙ b (N × d_out)
}

// Forward: U = X·Aᵀ; V = U ⊙ d; Z = V·Bᵀ; Y = X·Wᵀ + bias + Z ⊙ b.
func (l *veraLayer) Forward(x, y *lab.Mat) {
	d, bv := l.lambdaD.Value.Data, l.lambdaB.Value.Data
	l.base.Gemm(1, x, lab.NoT, l.sharedA, lab.T, 0, l.u) // U = X·Aᵀ
	for i := 0; i < l.u.Rows; i++ {                      // V = U ⊙ d
		vr := l.v.Row(i)
		for j, uv := range l.u.Row(i) {
			vr[j] = uv * d[j]
		}
	}
	l.base.Gemm(1, l.v, lab.NoT, l.sharedB, lab.T, 0, l.z) // Z = V·Bᵀ
	l.base.Forward(x, y)                                   // Y = X·Wᵀ + bias
	for i := 0; i < y.Rows; i++ {                          //   + Z ⊙ b
		yr, zr := y.Row(i), l.z.Row(i)
		for j := range yr {
			yr[j] += zr[j] * bv[j]
		}
	}
}

// Backward: ∂L/∂b = Σ_n G ⊙ Z; Ĝ = G ⊙ b; dV = Ĝ·B; ∂L/∂d = Σ_n dV ⊙ U;
// ∂L/∂X = G·W + (dV ⊙ d)·A.
func (l *veraLayer) Backward(g, dx *lab.Mat) {
	d, bv, gd, gb := l.lambdaD.Value.Data, l.lambdaB.Value.Data, l.lambdaD.Grad.Data, l.lambdaB.Grad.Data
	for i := 0; i < g.Rows; i++ {
		gr, zr, gh := g.Row(i), l.z.Row(i), l.gHat.Row(i)
		for j := range gr {
			gb[j] += gr[j] * zr[j] // ∂L/∂b += Σ_n G ⊙ Z
			gh[j] = gr[j] * bv[j]  // Ĝ = G ⊙ b
		}
	}
	dV := l.v                                                  // V is no longer needed: reuse it for dV
	l.base.Gemm(1, l.gHat, lab.NoT, l.sharedB, lab.NoT, 0, dV) // dV = Ĝ·B
	for i := 0; i < dV.Rows; i++ {
		dr, ur := dV.Row(i), l.u.Row(i)
		for j := range dr {
			gd[j] += dr[j] * ur[j] // ∂L/∂d += Σ_n dV ⊙ U
			dr[j] *= d[j]          // dV ⊙ d, for ∂L/∂X
		}
	}
	if dx != nil {
		l.base.InputGrad(g, dx)                                // ∂L/∂X = G·W
		l.base.Gemm(1, dV, lab.NoT, l.sharedA, lab.NoT, 1, dx) //   + (dV ⊙ d)·A
	}
}

// Params: d and b.
func (l *veraLayer) Params() []*lab.Param { return []*lab.Param{l.lambdaD, l.lambdaB} }

// BeforeUpdate does nothing.
func (l *veraLayer) BeforeUpdate() {}

// AfterUpdate does nothing.
func (l *veraLayer) AfterUpdate(int) {}

// Tensors lists the whole shared pair, under the same names in every layer
// (lab.Tensorer, for export): a layer uses A[:, :d_in] and B[:d_out, :].
func (l *veraLayer) Tensors() []lab.Tensor {
	return []lab.Tensor{{Name: "vera.A_shared", Role: "A", Mat: l.fullA}, {Name: "vera.B_shared", Role: "B", Mat: l.fullB}}
}

// EffectiveWeight writes W + diag(b)·B·diag(d)·A.
func (l *veraLayer) EffectiveWeight(dst *lab.Mat) {
	bd := lab.NewMat(l.sharedB.Rows, l.sharedB.Cols) // diag(b)·B·diag(d), d_out × r
	for i := 0; i < bd.Rows; i++ {
		for j := 0; j < bd.Cols; j++ {
			bd.Set(i, j, l.lambdaB.Value.Data[i]*l.sharedB.At(i, j)*l.lambdaD.Value.Data[j])
		}
	}
	dst.CopyFrom(l.base.W)
	lab.Gemm(1, bd, lab.NoT, l.sharedA, lab.NoT, 1, dst)
}

func shapesOf(layers []*lab.Linear) []lab.Shape {
	s := make([]lab.Shape, len(layers))
	for i, l := range layers {
		s[i] = l.Shape
	}
	return s
}

func maxDims(layers []lab.Shape) (maxIn, maxOut int) {
	for _, s := range layers {
		maxIn, maxOut = max(maxIn, s.DIn), max(maxOut, s.DOut)
	}
	return maxIn, maxOut
}
