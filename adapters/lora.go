package adapters

import (
	"math"

	"github.com/loralab/loralab/lab"
)

// LoRA (Hu et al., 2021): freeze W, learn a low-rank update ΔW = s·B·A.
//
//	A: r × d_in  (down-projection, random init)    B: d_out × r  (up-projection, zero init)
//	s = α / r    (rsLoRA: α / √r)
//
// Forward:
//
//	H     = X·Aᵀ                (N × r)
//	Y     = X·Wᵀ + b + s·H·Bᵀ   (N × d_out)
//
// Backward, with G = ∂L/∂Y (N × d_out):
//
//	∂L/∂B = s·Gᵀ·H              (d_out × r)
//	U     = G·B                 (N × r)
//	∂L/∂A = s·Uᵀ·X              (r × d_in)
//	∂L/∂X = G·W + s·U·A         (N × d_in)
//
// Kept for backward: X (N·d_in, only for ∂L/∂A) and H (N·r). The layer keeps
// its own copy of X, as the specification's memory table counts it; in the
// MLP the same numbers also sit in the previous layer's output (kept for its
// tanh), which a framework could share, so LoRA-FA's saving in the toy is an
// upper bound. At LLM scale the saving is real: PEFT casts X to the adapters'
// fp32 in every adapted layer, and LoRA-FA frees those copies (measured on
// Llama-3.2-3B, q and v at r = 32, batch 4×768: 19.0 GB peak against 21.2 GB).
type LoRA struct{}

// Info describes LoRA.
func (LoRA) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "lora", Title: "LoRA", Colour: "#60a5fa", Glyph: "●", Hollow: "○", DefaultLR: 3e-3, DefaultRank: 8,
		Settings: loraSettings,
		Summary:  "freeze W; learn ΔW = s·B·A with A r×d_in, B d_out×r, B starting at 0",
		Paper:    "Hu et al., LoRA: Low-Rank Adaptation of Large Language Models (arXiv 2106.09685)",
		Claim:    "matches full fine-tuning on GPT-3 175B with 10,000× fewer trainable parameters and 3× less GPU memory",
		Caveat:   "ΔW has rank at most r: a task whose shift needs more rank plateaus above zero loss",
		Explain: lab.Explanation{
			Trains:  "A, B",
			Diagram: loraDiagram("frozen", "trains", "trains"),
			Forward: loraForward,
			Update: []string{
				loraGradients,
				"A, B ← AdamW step at lr = {lr}; W and b never change. Step 1: B = 0, so ∂L/∂A = 0.",
			},
			Trainable: "r·(d_in + d_out)", Kept: "X and H", KeptSymbols: "N·(d_in + r)",
		},
	}
}

// loraSettings are the settings of the LoRA family: rank, α and rsLoRA.
var loraSettings = []lab.Setting{lab.RankSetting, lab.AlphaSetting, lab.RSLoRASetting}

// The explanation's pieces the LoRA family shares.
var (
	loraForward = []string{
		"H = X·Aᵀ                   (N × r)",
		"Y = X·Wᵀ + b + s·H·Bᵀ      (N × d_out)    ΔW = s·B·A",
		"s = {scaling}",
	}
	loraGradients = "∂L/∂B = s·Gᵀ·H    U = G·B    ∂L/∂A = s·Uᵀ·X    ∂L/∂X = G·W + s·U·A"
)

// loraDiagram draws W beside the A, B path, with each one's state.
func loraDiagram(wState, aState, bState string) lab.Diagram {
	return lab.Diagram{
		Main: []lab.Block{{"W {d_out}×{d_in}, b", wState}},
		Side: []lab.Block{{"A {r}×{d_in}", aState}, {"B {d_out}×{r}", bState}},
		Op:   "×s",
	}
}

// Validate allows 1 ≤ r ≤ min(d_in, d_out).
func (LoRA) Validate(cfg lab.Config, layers []lab.Shape) error {
	return lab.ValidateLoRARank(cfg, layers)
}

// Build adapts every layer with a LoRA pair.
func (LoRA) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		out[i] = newLoRALayer(env, base, 1)
	}
	return out
}

// Footprint per layer: W and b frozen; r·(d_in + d_out) trainable, as many
// gradients, twice as many AdamW numbers; keeps X and H; U is scratch.
func (LoRA) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	var f lab.Footprint
	for _, s := range layers {
		f = f.Plus(loraLayerFootprint(cfg.Rank, s, n))
	}
	return f
}

func loraLayerFootprint(r int, s lab.Shape, n int) lab.Footprint {
	p := r * (s.DIn + s.DOut)
	return lab.Footprint{
		Frozen:      s.DOut*s.DIn + s.BiasLen(),
		Trainable:   p,
		Gradients:   p,
		Optimizer:   2 * p,
		Activations: n*s.DIn + n*r, // X and H
		Workspace:   n * r,         // U = G·B
	}
}

// loraLayer is one linear layer with a LoRA pair.
type loraLayer struct {
	base *lab.Linear
	s    float64
	a, b *lab.Param // A: r × d_in, B: d_out × r
	x    *lab.Mat   // kept X, N × d_in
	h    *lab.Mat   // kept H = X·Aᵀ, N × r
	u    *lab.Mat   // scratch U = G·B, N × r
}

// newLoRALayer allocates A (uniform ±1/√d_in, as PyTorch's kaiming_uniform
// with a = √5), B = 0, their gradients and the buffers kept for backward.
// bScale is B's learning-rate multiplier (LoRA+ sets it to λ).
func newLoRALayer(env *lab.Env, base *lab.Linear, bScale float64) *loraLayer {
	l, r, n, name := env.Ledger, env.Config.Rank, env.N, base.Name
	layer := &loraLayer{
		base: base,
		s:    lab.Scale(env.Config),
		a:    newParam(l, name, "A", r, base.DIn, 1, true),
		b:    newParam(l, name, "B", base.DOut, r, bScale, true),
		x:    l.Mat(lab.Activations, name+".lora.X", n, base.DIn),
		h:    l.Mat(lab.Activations, name+".lora.H", n, r),
		u:    l.Mat(lab.Workspace, name+".lora.U", n, r),
	}
	lab.FillUniform(layer.a.Value, env.Rand, 1/math.Sqrt(float64(base.DIn)))
	return layer
}

// Forward: H = X·Aᵀ; Y = X·Wᵀ + b + s·H·Bᵀ. Keeps X and H.
func (l *loraLayer) Forward(x, y *lab.Mat) {
	l.x.CopyFrom(x)
	lab.Gemm(1, x, lab.NoT, l.a.Value, lab.T, 0, l.h)   // H = X·Aᵀ
	l.base.Forward(x, y)                                // Y = X·Wᵀ + b
	lab.Gemm(l.s, l.h, lab.NoT, l.b.Value, lab.T, 1, y) //   + s·H·Bᵀ
}

// Backward: ∂L/∂B = s·Gᵀ·H; U = G·B; ∂L/∂A = s·Uᵀ·X; ∂L/∂X = G·W + s·U·A.
func (l *loraLayer) Backward(g, dx *lab.Mat) {
	lab.Gemm(l.s, g, lab.T, l.h, lab.NoT, 1, l.b.Grad)   // ∂L/∂B += s·Gᵀ·H
	lab.Gemm(1, g, lab.NoT, l.b.Value, lab.NoT, 0, l.u)  // U = G·B
	lab.Gemm(l.s, l.u, lab.T, l.x, lab.NoT, 1, l.a.Grad) // ∂L/∂A += s·Uᵀ·X
	if dx != nil {
		l.base.InputGrad(g, dx)                                // ∂L/∂X = G·W
		lab.Gemm(l.s, l.u, lab.NoT, l.a.Value, lab.NoT, 1, dx) //   + s·U·A
	}
}

// Params: A and B.
func (l *loraLayer) Params() []*lab.Param { return []*lab.Param{l.a, l.b} }

// BeforeUpdate does nothing for LoRA.
func (l *loraLayer) BeforeUpdate() {}

// AfterUpdate does nothing for LoRA.
func (l *loraLayer) AfterUpdate(int) {}

// EffectiveWeight writes W + s·B·A.
func (l *loraLayer) EffectiveWeight(dst *lab.Mat) {
	dst.CopyFrom(l.base.W)
	lab.Gemm(l.s, l.b.Value, lab.NoT, l.a.Value, lab.NoT, 1, dst)
}

// newParam allocates a rows × cols trainable tensor and its gradient.
func newParam(l *lab.Ledger, layer, role string, rows, cols int, lrScale float64, decay bool) *lab.Param {
	return &lab.Param{
		Name: layer + "." + role, Role: role,
		Value:   l.Mat(lab.Trainable, layer+"."+role, rows, cols),
		Grad:    l.Mat(lab.Gradients, layer+"."+role+".grad", rows, cols),
		LRScale: lrScale, WeightDecay: decay,
	}
}
