package adapters

import (
	"fmt"

	"github.com/loralab/loralab/lab"
)

// LoRAPlus (Hayou et al., 2024): the LoRA model with one change in the
// optimiser: B's learning rate is λ times A's (λ = lr-ratio, 16 by default).
// The lab trains no biases under the LoRA family, so no other tensor gets λ.
type LoRAPlus struct{}

// LRRatio is LoRA+'s λ: B's learning rate is λ × lr.
var LRRatio = lab.Setting{Name: "lr-ratio", Help: "LoRA+ λ: B's learning rate is λ × lr (≥ 1)", Kind: lab.FloatSetting, Default: 16.0, Sweepable: true,
	Ladder: []float64{1, 2, 4, 8, 16, 32, 64, 128}, Check: lab.AtLeast("lr-ratio", 1)}

// Info describes LoRA+.
func (LoRAPlus) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "lora-plus", Title: "LoRA+", Colour: "#facc15", Glyph: "★", Hollow: "☆", DefaultLR: 1e-3, DefaultRank: 8,
		Settings: append(loraSettings[:len(loraSettings):len(loraSettings)], LRRatio),
		Summary:  "LoRA with B's learning rate λ times A's (λ = 16): B and A need different step sizes",
		Paper:    "Hayou, Ghosh, Yu, LoRA+: Efficient Low Rank Adaptation of Large Models (arXiv 2402.12354)",
		Claim:    "1–2 % better results and up to about 2× faster convergence at LoRA's cost",
		Caveat:   "one more hyperparameter: too large a λ makes B's updates unstable",
		Explain: lab.Explanation{
			Trains:    "A, B",
			Diagram:   loraDiagram("frozen", "trains, lr", "trains, λ·lr"),
			Forward:   loraForward,
			Update:    []string{loraGradients},
			Trainable: "r·(d_in + d_out)", Kept: "X and H", KeptSymbols: "N·(d_in + r)",
			Caveats: []string{"λ = {lr-ratio} here; the paper and its code recommend 16 (the README example uses 20)."},
			More: func(cfg lab.Config, _ []lab.Shape) (update, caveats []string) {
				return []string{
					fmt.Sprintf("A ← AdamW step at lr = {lr};  B ← AdamW step at λ·lr = {lr-ratio} × {lr} = %g", LRRatio.Float(cfg)*cfg.LR),
					"W and b never change. Memory and compute are LoRA's: only B's step size differs.",
				}, nil
			},
		},
	}
}

// Validate allows 1 ≤ r ≤ min(d_in, d_out).
func (LoRAPlus) Validate(cfg lab.Config, layers []lab.Shape) error {
	return lab.ValidateLoRARank(cfg, layers)
}

// Build adapts every layer with a LoRA pair whose B learns λ times faster.
func (LoRAPlus) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	out := make([]lab.Adapted, len(layers))
	for i, base := range layers {
		out[i] = newLoRALayer(env, base, LRRatio.Float(env.Config))
	}
	return out
}

// Footprint is LoRA's: LoRA+ changes only learning rates.
func (LoRAPlus) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	return LoRA{}.Footprint(cfg, layers, n)
}
