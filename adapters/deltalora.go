package adapters

import (
	"fmt"

	"github.com/loralab/loralab/lab"
)

// DeltaLoRA (Zi et al., 2023): LoRA whose frozen W also moves, by the change
// of the low-rank product. AdamW trains A and B as in LoRA; after each step
// t > K:
//
//	W ← W + λ·s·(B_{t+1}·A_{t+1} − B_t·A_t)
//
// W gets no gradient, no optimiser state and no weight decay. The product
// difference is computed as two products, never as (B′−B)·(A′−A). Because W
// keeps absorbing deltas, W_T − W_0 can exceed rank r. Same forward and
// backward as LoRA, with no dropout.
//
// What the lab measures (Result.DeltaRank): the deltas telescope,
// Σ_{t>K} (B_{t+1}A_{t+1} − B_tA_t) = B_T·A_T − B_K·A_K, so the effective
// change W_T + s·B_T·A_T − W_0 = (1+λ)·s·B_T·A_T − λ·s·B_K·A_K has rank at
// most 2r: more than LoRA's r, but bounded. With K = 0, B_K = 0 and the
// change collapses to (1+λ)·s·B_T·A_T: rank r, LoRA with a larger step.
type DeltaLoRA struct{}

// The settings of Delta-LoRA.
var (
	// DeltaRatio is λ: W moves by λ·s·(B′A′ − BA).
	DeltaRatio = lab.Setting{Name: "delta-ratio", Help: "Delta-LoRA λ: W moves by λ·s·(B′A′ − BA) (≥ 1)", Kind: lab.FloatSetting, Default: 2.0, Sweepable: true,
		Ladder: []float64{1, 2, 4, 8}, Check: lab.AtLeast("delta-ratio", 1)}
	// DeltaStart is K: W starts moving after step K (-1: steps/4).
	DeltaStart = lab.Setting{Name: "delta-start", Help: "Delta-LoRA K: W starts moving after step K (default: steps/4)", Kind: lab.IntSetting, Default: -1,
		Ladder: []float64{0, 50, 100, 250, 500, 1000}, Check: lab.Between("delta-start", 0, lab.MaxSteps), Auto: "steps/4",
		Resolve: func(c lab.Config, v any) any {
			if v.(int) < 0 {
				return c.Steps / 4
			}
			return v
		}}.WithExplicit(lab.ZeroOrMoreOrAuto("delta-start", "steps/4"))
)

// Info describes Delta-LoRA.
func (DeltaLoRA) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "delta-lora", Title: "Delta-LoRA", Colour: "#fb923c", Glyph: "▼", Hollow: "▽", DefaultLR: 2e-3, DefaultRank: 8, WritesBase: true,
		Settings: append(loraSettings[:len(loraSettings):len(loraSettings)], DeltaRatio, DeltaStart),
		Summary:  "LoRA that also moves W by λ·s·(B′A′ − BA) after each step past K: total change can exceed rank r",
		Paper:    "Zi et al., Delta-LoRA: Fine-Tuning High-Rank Parameters with the Delta of Low-Rank Matrices (arXiv 2309.02411)",
		Claim:    "better than LoRA at the same memory, by updating W with the delta of the low-rank product",
		Caveat:   "ICLR 2024 reviewers (rejected) argued it is close to LoRA with a larger learning rate; the deltas telescope, so ΔW's rank is at most 2r; it also keeps the previous A and B",
		Explain: lab.Explanation{
			Trains:  "A, B (+W)",
			Diagram: loraDiagram("frozen*", "trains", "trains"),
			Legend:  []string{"frozen*: no gradient, but moves with the change of B·A"},
			Forward: loraForward,
			Update: []string{
				loraGradients,
				"A, B ← AdamW step at lr = {lr}. Step 1: B = 0, so ∂L/∂A = 0.",
				"then after every step t > K = {delta-start}: W ← W + λ·s·(B′·A′ − B·A), λ = {delta-ratio}",
				"W gets no gradient, no AdamW state and no weight decay; it keeps the previous A and B.",
			},
			Trainable: "r·(d_in + d_out)", Kept: "X and H", KeptSymbols: "N·(d_in + r)",
			More: func(cfg lab.Config, _ []lab.Shape) (update, caveats []string) {
				return nil, []string{fmt.Sprintf("After T steps W has moved by λ·s·(B_T·A_T − B_K·A_K): with r = %d the model's total change has rank at most %d.", cfg.Rank, 2*cfg.Rank)}
			},
		},
	}
}

// Validate allows 1 ≤ r ≤ min(d_in, d_out).
func (DeltaLoRA) Validate(cfg lab.Config, layers []lab.Shape) error {
	return lab.ValidateLoRARank(cfg, layers)
}

// Build adapts every layer with a LoRA pair plus copies of the previous A and B.
func (DeltaLoRA) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		l, r, name := env.Ledger, env.Config.Rank, base.Name
		out[i] = &deltaLoRALayer{
			loraLayer: newLoRALayer(env, base, 1),
			ratio:     DeltaRatio.Float(env.Config),
			start:     DeltaStart.Int(env.Config),
			prevA:     l.Mat(lab.Other, name+".delta.prevA", r, base.DIn),
			prevB:     l.Mat(lab.Other, name+".delta.prevB", base.DOut, r),
		}
	}
	return out
}

// Footprint is LoRA's plus the previous A and B, r·(d_in + d_out) per layer.
func (DeltaLoRA) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	f := LoRA{}.Footprint(cfg, layers, n)
	for _, s := range layers {
		f.Other += cfg.Rank * (s.DIn + s.DOut)
	}
	return f
}

type deltaLoRALayer struct {
	*loraLayer
	ratio        float64  // λ
	start        int      // K
	prevA, prevB *lab.Mat // A_t and B_t, saved before the optimiser step
}

// BeforeUpdate saves A_t and B_t.
func (l *deltaLoRALayer) BeforeUpdate() {
	l.prevA.CopyFrom(l.a.Value)
	l.prevB.CopyFrom(l.b.Value)
}

// AfterUpdate applies W ← W + λ·s·(B_{t+1}·A_{t+1} − B_t·A_t) once step > K.
func (l *deltaLoRALayer) AfterUpdate(step int) {
	if step <= l.start {
		return
	}
	k := l.ratio * l.s
	l.base.Gemm(k, l.b.Value, lab.NoT, l.a.Value, lab.NoT, 1, l.base.W) // W += λ·s·B′·A′
	l.base.Gemm(-k, l.prevB, lab.NoT, l.prevA, lab.NoT, 1, l.base.W)    // W −= λ·s·B·A
	l.base.Repack()                                                     // W changed: refresh its packed copies
}
