package adapters

import (
	"math"

	"github.com/loralab/loralab/lab"
	"gonum.org/v1/gonum/mat"
)

// LoRAFA (Zhang et al., 2023): LoRA with A frozen at its random init; only B trains.
//
// Forward (LoRA's, written out again so each method reads on its own):
//
//	H     = X·Aᵀ                (N × r)
//	Y     = X·Wᵀ + b + s·H·Bᵀ   (N × d_out)
//
// Backward, with G = ∂L/∂Y:
//
//	∂L/∂B = s·Gᵀ·H              (d_out × r)
//	∂L/∂X = G·W + s·(G·B)·A     (parameters only: X is not needed)
//
// Kept for backward: only H (N·r). Not keeping X is the activation-memory saving.
//
// Option "projected gradient" (PEFT's LoRA-FA optimiser, off by default so
// that every method here runs the same plain AdamW): before the AdamW step,
// ∂L/∂B ← ∂L/∂B · (1/s²)·(A·Aᵀ + 1e-8·I)⁻¹. The lab keeps AdamW's ε = 1e-8 and
// its usual weight decay order (PEFT uses ε = 1e-6 and decays after the step).
type LoRAFA struct{}

// Projected is LoRA-FA's option of PEFT's projected gradient for B.
var Projected = lab.Setting{Name: "lorafa-projected", Help: "LoRA-FA: PEFT's projected gradient for B", Kind: lab.BoolSetting, Default: false}

// Info describes LoRA-FA.
func (LoRAFA) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "lora-fa", Title: "LoRA-FA", Colour: "#34d399", Glyph: "▲", Hollow: "△", DefaultLR: 5e-3, DefaultRank: 8,
		Settings:   append(loraSettings[:len(loraSettings):len(loraSettings)], Projected),
		Summary:    "LoRA with A frozen at its random init: only B trains, X need not be kept",
		Paper:      "Zhang et al., LoRA-FA: Memory-efficient Low-rank Adaptation (arXiv 2308.03303)",
		Claim:      "up to 1.4× less memory than LoRA at close accuracy, by not storing the layer input",
		Caveat:     "ΔW = s·B·A lives in A's fixed random row space: it stalls when the task needs input directions outside it (isotropic inputs), not when the inputs are low-rank",
		MemoryNote: "saves only a duplicate of X here; at LLM scale a real saving",
		Explain: lab.Explanation{
			Trains:  "B",
			Diagram: loraDiagram("frozen", "frozen", "trains"),
			Forward: loraForward,
			Update: []string{
				"∂L/∂B = s·Gᵀ·H    ∂L/∂X = G·W + s·(G·B)·A    (no ∂L/∂A, so X need not be kept)",
				"B ← AdamW step at lr = {lr}; A (random), W and b never change",
			},
			Trainable: "r·d_out", Kept: "H only, not X", KeptSymbols: "N·r",
			Caveats: []string{
				"Here A's rows span {r} random directions of the {d_in} inputs: whatever the task needs outside them, LoRA-FA cannot learn at any length of training.",
				"Memory: in this toy LoRA's X is also the previous layer's output, kept there anyway, so the saving shown here would exist only if X were not otherwise kept. At LLM scale it is real: PEFT keeps an fp32 copy of X per adapted layer, which LoRA-FA frees (Llama-3.2-3B, q,v, r = 32, 4×768: 19.0 GB peak against 21.2 GB measured).",
			},
			More: func(cfg lab.Config, _ []lab.Shape) (update, caveats []string) {
				if Projected.Bool(cfg) {
					return []string{"Projected gradient on: ∂L/∂B ← ∂L/∂B·(1/s²)·(A·Aᵀ + εI)⁻¹ before AdamW (PEFT's LoRA-FA optimiser)."}, nil
				}
				return []string{"PEFT's projected gradient ∂L/∂B·(1/s²)·(A·Aᵀ + εI)⁻¹ is off (--lorafa-projected turns it on)."}, nil
			},
		},
	}
}

// Validate allows 1 ≤ r ≤ min(d_in, d_out).
func (LoRAFA) Validate(cfg lab.Config, layers []lab.Shape) error {
	return lab.ValidateLoRARank(cfg, layers)
}

// projectionEps is the ridge added to A·Aᵀ before inverting it, as in PEFT.
const projectionEps = 1e-8

// Build adapts every layer with a frozen A and a trainable B.
func (LoRAFA) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		l, r, n, name := env.Ledger, env.Config.Rank, env.N, base.Name
		layer := &loraFALayer{
			base: base,
			s:    lab.Scale(env.Config),
			a:    l.Mat(lab.Frozen, name+".A", r, base.DIn),
			b:    newParam(l, name, "B", base.DOut, r, 1, true),
			h:    l.Mat(lab.Activations, name+".lorafa.H", n, r),
			u:    l.Mat(lab.Workspace, name+".lorafa.U", n, r),
		}
		lab.FillUniform(layer.a, env.Rand, 1/math.Sqrt(float64(base.DIn)))
		if Projected.Bool(env.Config) {
			layer.proj = l.Mat(lab.Other, name+".lorafa.projection", r, r)
			layer.tmp = l.Mat(lab.Workspace, name+".lorafa.gradB", base.DOut, r)
			layer.computeProjection()
		}
		out[i] = layer
	}
	return out
}

// Footprint per layer: W, b and A frozen; r·d_out trainable; keeps H only.
// With the projected gradient: an r × r inverse and a d_out × r scratch.
func (LoRAFA) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	var f lab.Footprint
	r := cfg.Rank
	for _, s := range layers {
		p := r * s.DOut
		lf := lab.Footprint{
			Frozen:    s.DOut*s.DIn + s.BiasLen() + r*s.DIn,
			Trainable: p, Gradients: p, Optimizer: 2 * p,
			Activations: n * r, // H
			Workspace:   n * r, // U = G·B
		}
		if Projected.Bool(cfg) {
			lf.Other += r * r
			lf.Workspace += s.DOut * r
		}
		f = f.Plus(lf)
	}
	return f
}

type loraFALayer struct {
	base      *lab.Linear
	s         float64
	a         *lab.Mat   // frozen A: r × d_in
	b         *lab.Param // B: d_out × r
	h         *lab.Mat   // kept H = X·Aᵀ, N × r
	u         *lab.Mat   // scratch U = G·B, N × r
	proj, tmp *lab.Mat   // projected gradient: (1/s²)(AAᵀ+εI)⁻¹ (r × r) and scratch (d_out × r)
}

// computeProjection sets proj = (1/s²)·(A·Aᵀ + ε·I)⁻¹ once: A never changes.
func (l *loraFALayer) computeProjection() {
	r := l.a.Rows
	aat := mat.NewDense(r, r, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			sum := 0.0
			for k, v := range l.a.Row(i) {
				sum += v * l.a.At(j, k)
			}
			if i == j {
				sum += projectionEps
			}
			aat.Set(i, j, sum)
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(aat); err != nil {
		// A·Aᵀ + εI is symmetric positive definite; a failure here is a bug.
		panic("lorafa: cannot invert A·Aᵀ + εI: " + err.Error())
	}
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			l.proj.Set(i, j, inv.At(i, j)/(l.s*l.s))
		}
	}
}

// Forward: H = X·Aᵀ; Y = X·Wᵀ + b + s·H·Bᵀ. Keeps H only.
func (l *loraFALayer) Forward(x, y *lab.Mat) {
	lab.Gemm(1, x, lab.NoT, l.a, lab.T, 0, l.h)         // H = X·Aᵀ
	l.base.Forward(x, y)                                // Y = X·Wᵀ + b
	lab.Gemm(l.s, l.h, lab.NoT, l.b.Value, lab.T, 1, y) //   + s·H·Bᵀ
}

// Backward: ∂L/∂B = s·Gᵀ·H; ∂L/∂X = G·W + s·(G·B)·A.
func (l *loraFALayer) Backward(g, dx *lab.Mat) {
	lab.Gemm(l.s, g, lab.T, l.h, lab.NoT, 1, l.b.Grad) // ∂L/∂B += s·Gᵀ·H
	if dx != nil {
		lab.Gemm(1, g, lab.NoT, l.b.Value, lab.NoT, 0, l.u) // U = G·B
		l.base.InputGrad(g, dx)                             // ∂L/∂X = G·W
		lab.Gemm(l.s, l.u, lab.NoT, l.a, lab.NoT, 1, dx)    //   + s·U·A
	}
}

// Params: B only.
func (l *loraFALayer) Params() []*lab.Param { return []*lab.Param{l.b} }

// BeforeUpdate applies the projected gradient when the option is on:
// ∂L/∂B ← ∂L/∂B · (1/s²)(A·Aᵀ + εI)⁻¹.
func (l *loraFALayer) BeforeUpdate() {
	if l.proj == nil {
		return
	}
	lab.Gemm(1, l.b.Grad, lab.NoT, l.proj, lab.NoT, 0, l.tmp)
	l.b.Grad.CopyFrom(l.tmp)
}

// AfterUpdate does nothing.
func (l *loraFALayer) AfterUpdate(int) {}

// RowSpace is the frozen A: ΔW = s·B·A acts on an input only through A·x.
func (l *loraFALayer) RowSpace() *lab.Mat { return l.a }

// Tensors lists the frozen A (lab.Tensorer, for export).
func (l *loraFALayer) Tensors() []lab.Tensor {
	return []lab.Tensor{{Name: l.base.Name + ".A", Role: "A", Mat: l.a}}
}

// EffectiveWeight writes W + s·B·A.
func (l *loraFALayer) EffectiveWeight(dst *lab.Mat) {
	dst.CopyFrom(l.base.W)
	lab.Gemm(l.s, l.b.Value, lab.NoT, l.a, lab.NoT, 1, dst)
}
