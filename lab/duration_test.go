package lab_test

import (
	"testing"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestWorkOfCountsTheProducts: the multiply-adds of a step, by hand, for
// LoRA and full fine-tuning on two 64 × 64 layers at batch 8 (rank 2), and
// of an evaluation of the 16 held-out rows.
func TestWorkOfCountsTheProducts(t *testing.T) {
	cfg := with(defaults(), "width", 64, "depth", 2, "train-size", 64, "eval-size", 16)
	cfg.Batch, cfg.Rank, cfg.Steps, cfg.EvalEvery = 8, 2, 100, 10
	const n, base, adapter = 8.0, 64 * 64, 2 * (64 + 64) // B·A's numbers: r·(d_in + d_out)
	lora := lab.WorkOf(job(adapters.LoRA{}, cfg))
	if want := n*(1*base+3*adapter) + n*(2*base+3*adapter); lora.PerStep != want {
		t.Errorf("LoRA: %g multiply-adds a step, want %g", lora.PerStep, want)
	}
	if want := 16.0 * 2 * (base + adapter); lora.PerEval != want {
		t.Errorf("LoRA: %g a evaluation, want %g", lora.PerEval, want)
	}
	if lora.Steps != 100 || lora.Evals != 11 {
		t.Errorf("steps %d, evaluations %d", lora.Steps, lora.Evals)
	}
	full := lab.WorkOf(job(adapters.Full{}, cfg))
	if want := n*(2*base) + n*(3*base); full.PerStep != want {
		t.Errorf("full: %g a step, want %g (∂L/∂W too, no adapter)", full.PerStep, want)
	}
}

// TestEstimateDurationCatchesTheRunOfDays: ten million steps at width
// 1024, depth 16 (about 89 days when it was tried) are estimated at more
// than a day on any machine this runs on, and a default run at less than
// LongRun.
func TestEstimateDurationCatchesTheRunOfDays(t *testing.T) {
	long := with(defaults(), "width", 1024, "depth", 16, "steps", lab.MaxSteps)
	if d := lab.EstimateDuration(job(adapters.LoRA{}, long)); d < 24*time.Hour {
		t.Errorf("10M steps at width 1024, depth 16: estimated %v", d)
	}
	if d := lab.EstimateDuration(job(adapters.LoRA{}, defaults())); d <= 0 || d > lab.LongRun {
		t.Errorf("a default run: estimated %v", d)
	}
}
