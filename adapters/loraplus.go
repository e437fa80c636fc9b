package adapters

import "github.com/loralab/loralab/lab"

// LoRAPlus (Hayou et al., 2024): the LoRA model with one change in the
// optimiser: B's learning rate is λ times A's (λ = lr-ratio, 16 by default).
// The lab trains no biases under the LoRA family, so no other tensor gets λ.
type LoRAPlus struct{}

// Info describes LoRA+.
func (LoRAPlus) Info() lab.MethodInfo {
	return lab.MethodInfo{
		Name: "lora-plus", Title: "LoRA+", Colour: "#facc15", Glyph: "★", DefaultLR: 1e-3, DefaultRank: 8, UsesRank: true,
		Summary: "LoRA with B's learning rate λ times A's (λ = 16): B and A need different step sizes",
		Paper:   "Hayou, Ghosh, Yu, LoRA+: Efficient Low Rank Adaptation of Large Models (arXiv 2402.12354)",
		Claim:   "1–2 % better results and up to about 2× faster convergence at LoRA's cost",
		Caveat:  "one more hyperparameter: too large a λ makes B's updates unstable",
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
		out[i] = newLoRALayer(env, base, env.Config.LRRatio)
	}
	return out
}

// Footprint is LoRA's: LoRA+ changes only learning rates.
func (LoRAPlus) Footprint(cfg lab.Config, layers []lab.Shape, n int) lab.Footprint {
	return LoRA{}.Footprint(cfg, layers, n)
}
