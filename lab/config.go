package lab

import (
	"fmt"
	"math"
)

// Config holds every setting of a run. JSON names are the flag names with '-'
// replaced by '_'. Zero values of Rank, LR and Alpha, and DeltaStart < 0, mean
// "the default" and are filled in by Resolve.
type Config struct {
	Method           string  `json:"method"`
	Rank             int     `json:"rank"`
	Alpha            float64 `json:"alpha"`
	RSLoRA           bool    `json:"rslora"`
	LR               float64 `json:"lr"`
	LRRatio          float64 `json:"lr_ratio"`          // LoRA+ λ: B's learning rate is λ·lr
	VeraDInit        float64 `json:"vera_d_init"`       // VeRA's initial d
	DeltaRatio       float64 `json:"delta_ratio"`       // Delta-LoRA λ
	DeltaStart       int     `json:"delta_start"`       // Delta-LoRA K: W starts moving after step K
	LoRAFAProjected  bool    `json:"lorafa_projected"`  // LoRA-FA: PEFT's projected gradient for B
	WeightDecay      float64 `json:"weight_decay"`      // AdamW's decoupled weight decay
	Steps            int     `json:"steps"`             // optimiser steps
	Batch            int     `json:"batch"`             // examples per step
	Seed             uint64  `json:"seed"`              // fixes base weights, teacher, batches, eval set and init
	Task             string  `json:"task"`              // "shift"
	TaskRank         int     `json:"task_rank"`         // intrinsic rank k of the teacher's shift, per layer
	Noise            float64 `json:"noise"`             // standard deviation of the noise added to targets
	Width            int     `json:"width"`             // width of every layer
	Depth            int     `json:"depth"`             // number of linear layers
	Activation       string  `json:"activation"`        // "tanh", "relu" or "identity"
	EvalEvery        int     `json:"eval_every"`        // steps between eval-loss measurements (and history points)
	EvalSize         int     `json:"eval_size"`         // held-out examples (rounded up to a multiple of batch)
	TrainSize        int     `json:"train_size"`        // examples in the training set batches are drawn from
	DivergenceFactor float64 `json:"divergence_factor"` // a loss above this × the starting loss counts as diverged
}

// Defaults returns the default settings, for LoRA. Resolve fills in the
// method-dependent ones.
func Defaults() Config {
	return Config{
		Method: "lora", Rank: 0, LRRatio: 16, VeraDInit: 0.1, DeltaRatio: 2, DeltaStart: -1,
		Steps: 2000, Batch: 64, Seed: 1, Task: "shift", TaskRank: 4, Noise: 0.01,
		Width: 64, Depth: 4, Activation: "tanh", EvalEvery: 20, EvalSize: 256, TrainSize: 4096, DivergenceFactor: 1e4,
	}
}

// Limits of the settings, shared by validation, help texts and the UI.
const (
	MaxSteps     = 10_000_000
	MaxBatch     = 4096
	MaxWidth     = 1024
	MaxDepth     = 16
	MaxEvalSize  = 100_000
	MaxTrainSize = 1_000_000
	MaxVeraRank  = 4096
	MaxRunBytes  = 2 << 30 // what one run's data and model may hold, roughly
)

// Resolve fills in the defaults that depend on the method or on other
// settings: the method's rank and learning rate, α = rank, Delta-LoRA's K = steps/4.
func (c Config) Resolve(info MethodInfo) Config {
	c.Method = info.Name
	if c.Rank == 0 {
		c.Rank = info.DefaultRank
		if c.Rank == 0 {
			c.Rank = 8
		}
	}
	if c.Alpha == 0 {
		c.Alpha = float64(c.Rank)
	}
	if c.LR == 0 {
		c.LR = info.DefaultLR
	}
	if c.DeltaStart < 0 {
		c.DeltaStart = c.Steps / 4
	}
	if c.EvalEvery == 0 {
		c.EvalEvery = max(1, c.Steps/100)
	}
	return c
}

// Layers returns the shapes of the model's linear layers, all width × width.
func (c Config) Layers() []Shape {
	s := make([]Shape, c.Depth)
	for i := range s {
		s[i] = Shape{Name: fmt.Sprintf("layer%d", i+1), DIn: c.Width, DOut: c.Width}
	}
	return s
}

// Validate checks the settings that do not depend on the method. Each error
// is one line naming the setting, the value, and what is allowed.
func (c Config) Validate() error {
	finitePos := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return fmt.Errorf("%s %v: must be a finite number above 0", name, v)
		}
		return nil
	}
	if c.Rank < 1 {
		return fmt.Errorf("rank %d: must be at least 1", c.Rank)
	}
	if err := finitePos("lr", c.LR); err != nil {
		return err
	}
	if err := finitePos("alpha", c.Alpha); err != nil {
		return err
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"lr-ratio", c.LRRatio}, {"delta-ratio", c.DeltaRatio}} {
		if math.IsNaN(r.v) || math.IsInf(r.v, 0) || r.v < 1 {
			return fmt.Errorf("%s %v: must be a finite number of at least 1", r.name, r.v)
		}
	}
	if err := finitePos("vera-d-init", c.VeraDInit); err != nil {
		return err
	}
	if math.IsNaN(c.WeightDecay) || math.IsInf(c.WeightDecay, 0) || c.WeightDecay < 0 {
		return fmt.Errorf("weight-decay %v: must be a finite number of at least 0", c.WeightDecay)
	}
	if math.IsNaN(c.Noise) || math.IsInf(c.Noise, 0) || c.Noise < 0 || c.Noise > 10 {
		return fmt.Errorf("noise %v: must be between 0 and 10", c.Noise)
	}
	ints := []struct {
		name      string
		v, lo, hi int
	}{
		{"steps", c.Steps, 1, MaxSteps},
		{"batch", c.Batch, 1, MaxBatch},
		{"width", c.Width, 2, MaxWidth},
		{"depth", c.Depth, 1, MaxDepth},
		{"eval-every", c.EvalEvery, 1, MaxSteps},
		{"eval-size", c.EvalSize, 1, MaxEvalSize},
		{"train-size", c.TrainSize, 1, MaxTrainSize},
		{"delta-start", c.DeltaStart, 0, MaxSteps},
		{"task-rank", c.TaskRank, 1, c.Width},
	}
	for _, x := range ints {
		if x.v < x.lo || x.v > x.hi {
			return fmt.Errorf("%s %d: must be between %d and %d", x.name, x.v, x.lo, x.hi)
		}
	}
	if c.Batch > c.TrainSize {
		return fmt.Errorf("batch %d: must be at most train-size (%d)", c.Batch, c.TrainSize)
	}
	// The task's data and the model's buffers must fit comfortably in memory:
	// refuse combinations of sizes that would not, before allocating anything.
	data := int64(c.TrainSize+c.EvalSize) * int64(2*c.Width) * BytesPerNumber
	model := int64(c.Depth) * (int64(c.Width)*int64(c.Width)*6 + int64(c.Batch)*int64(c.Width)*8) * BytesPerNumber
	if data+model > MaxRunBytes {
		return fmt.Errorf("train-size %d, eval-size %d, width %d, depth %d, batch %d: the run would hold about %.1f GiB, more than the %d GiB allowed; make them smaller",
			c.TrainSize, c.EvalSize, c.Width, c.Depth, c.Batch, float64(data+model)/(1<<30), MaxRunBytes>>30)
	}
	if c.Task != "shift" {
		return fmt.Errorf("task %q: unknown; the tasks are: shift", c.Task)
	}
	if _, err := activationByName(c.Activation); err != nil {
		return err
	}
	if math.IsNaN(c.DivergenceFactor) || math.IsInf(c.DivergenceFactor, 0) || c.DivergenceFactor <= 1 {
		return fmt.Errorf("divergence-factor %v: must be a finite number above 1", c.DivergenceFactor)
	}
	return nil
}

// ValidateLoRARank checks 1 ≤ r ≤ min(d_in, d_out) over the layers: the rule of
// every method whose ΔW = B·A is a product of rank at most r.
func ValidateLoRARank(cfg Config, layers []Shape) error {
	limit := math.MaxInt
	for _, s := range layers {
		limit = min(limit, s.DIn, s.DOut)
	}
	if cfg.Rank < 1 || cfg.Rank > limit {
		return fmt.Errorf("rank %d: must be between 1 and %d (the smallest layer dimension) for %s", cfg.Rank, limit, cfg.Method)
	}
	return nil
}
