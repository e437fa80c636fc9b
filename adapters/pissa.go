package adapters

import (
	"fmt"
	"math"

	"github.com/loralab/loralab/lab"
	"gonum.org/v1/gonum/mat"
)

// PiSSA (Meng et al., 2024): principal singular values and singular vectors
// adaptation. LoRA's model and training, with a different start: A and B
// take the top-r singular triplets of W, and the frozen base becomes the
// residual, so the adapted layer computes exactly W before the first step.
//
//	W = U·S·Vᵀ                       (the SVD of d_out × d_in W)
//	A = √S_r·V_rᵀ / √s               (r × d_in)
//	B = U_r·√S_r / √s                (d_out × r)     so s·B·A = U_r·S_r·V_rᵀ
//	W_res = W − s·B·A                (frozen: W without its top r directions)
//
// Forward and backward are LoRA's on W_res:
//
//	H = X·Aᵀ;  Y = X·W_resᵀ + b + s·H·Bᵀ
//	∂L/∂B = s·Gᵀ·H;  U = G·B;  ∂L/∂A = s·Uᵀ·X;  ∂L/∂X = G·W_res + s·U·A
//
// Both A and B start nonzero, so unlike LoRA both get a gradient on step 1.
// The SVD (gonum's, thin) is the whole extra cost, paid once at the start.
// Memory is LoRA's: the residual replaces W in place.
type PiSSA struct{}

// PEFTInit is PiSSA's name in Hugging Face PEFT: LoraConfig's
// init_lora_weights value for the exact SVD ("pissa_niter_N" is its fast
// approximation), which the lab computes too.
const PEFTInit = "pissa"

// Info describes PiSSA.
func (PiSSA) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "pissa", Title: "PiSSA", Colour: "#22d3ee", Glyph: "♠", Hollow: "♤", DefaultLR: 2e-3, DefaultRank: 8,
		Settings: loraSettings,
		Summary:  "LoRA started in W's principal subspace: A, B from the top-r singular triplets, the residual W − s·B·A frozen",
		Paper:    "Meng, Wang, Zhang, PiSSA: Principal Singular Values and Singular Vectors Adaptation of Large Language Models (arXiv 2404.02948)",
		Claim:    "converges faster and ends better than LoRA at the same rank, by training the principal components and freezing the rest",
		Caveat:   "its advantage needs a W whose top singular directions matter: pretrained weights have a decaying spectrum, a random matrix does not",
		Explain: lab.Explanation{
			Trains: "A, B",
			Diagram: lab.Diagram{
				Main: []lab.Block{{"W_res {d_out}×{d_in}, b", "frozen", "W − s·B₀·A₀"}},
				Side: []lab.Block{{"A {r}×{d_in}", "trains", "√S_r·V_rᵀ/√s"}, {"B {d_out}×{r}", "trains", "U_r·√S_r/√s"}},
				Op:   "×s",
			},
			Legend: []string{"the start: W = U·S·Vᵀ; A and B from the top {r} singular triplets, W_res the rest"},
			Forward: []string{
				"H = X·Aᵀ                       (N × r)",
				"Y = X·W_resᵀ + b + s·H·Bᵀ      (N × d_out)    = X·Wᵀ + b before the first step",
				"s = {scaling}",
			},
			Update: []string{
				loraGradients,
				"A, B ← AdamW step at lr = {lr}; W_res and b never change. Both start nonzero: both have a gradient on step 1.",
			},
			Trainable: "r·(d_in + d_out)", Kept: "X and H", KeptSymbols: "N·(d_in + r)",
			Caveats: []string{
				"Here W is the task's random base: its singular values fall slowly (a Marchenko–Pastur spectrum), so its top {r} directions are not special and PiSSA's start is close to an arbitrary one; on a pretrained model the top directions carry most of W.",
			},
		},
	}
}

// Validate allows 1 ≤ r ≤ min(d_in, d_out).
func (PiSSA) Validate(cfg lab.Config, layers []lab.Shape) error {
	return lab.ValidateLoRARank(cfg, layers)
}

// Build factorises every W, starts A and B at its top r singular triplets
// and replaces W by the residual W − s·B·A.
func (PiSSA) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		layer := newLoRALayer(env, base, 1)
		principal(base.W, env.Config.Rank, layer.s, layer.a.Value, layer.b.Value)
		lab.Gemm(-layer.s, layer.b.Value, lab.NoT, layer.a.Value, lab.NoT, 1, base.W) // W_res = W − s·B·A
		out[i] = layer
	}
	return out
}

// Footprint is LoRA's: the residual takes W's place.
func (PiSSA) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	return LoRA{}.Footprint(cfg, layers, n)
}

// principal writes A = √S_r·V_rᵀ/√s (r × d_in) and B = U_r·√S_r/√s
// (d_out × r) from the top r singular triplets of w.
func principal(w *lab.Mat, r int, s float64, a, b *lab.Mat) {
	dense := mat.NewDense(w.Rows, w.Cols, nil)
	for i := 0; i < w.Rows; i++ {
		dense.SetRow(i, w.Row(i))
	}
	var svd mat.SVD
	if !svd.Factorize(dense, mat.SVDThin) {
		// The SVD of a finite matrix converges; a failure here is a bug.
		panic(fmt.Sprintf("pissa: the SVD of a %d×%d weight did not converge", w.Rows, w.Cols))
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	sigma := svd.Values(nil) // descending
	for k := 0; k < r; k++ {
		root := math.Sqrt(sigma[k] / s)
		for j := 0; j < w.Cols; j++ {
			a.Set(k, j, root*v.At(j, k))
		}
		for i := 0; i < w.Rows; i++ {
			b.Set(i, k, u.At(i, k)*root)
		}
	}
}
