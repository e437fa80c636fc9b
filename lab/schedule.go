package lab

import "math"

// The learning-rate schedules.
const (
	ScheduleConstant = "constant" // the rate as set (after any warmup)
	ScheduleLinear   = "linear"   // falls linearly to 0 at the last step (LoRA's paper)
	ScheduleCosine   = "cosine"   // half a cosine down to 0 (PEFT's method-comparison benchmark)
)

// Schedules lists the schedules, the default first.
var Schedules = []string{ScheduleConstant, ScheduleLinear, ScheduleCosine}

// Schedule is how the learning rate changes over a run: a multiplier of the
// base rate for each step, after Warmup steps of a linear ramp from 0. It
// follows Hugging Face transformers' schedulers exactly (get_constant_-,
// get_linear_- and get_cosine_schedule_with_warmup), so an exported script
// reproduces a run: step k (0-based, the steps already taken) trains at
//
//	k < warmup:   k / warmup                       (the first step at rate 0)
//	otherwise:    p = (k − warmup) / (steps − warmup)
//	              constant 1;  linear 1 − p;  cosine ½·(1 + cos π·p)
//
// Every per-parameter multiplier (LoRA+'s λ on B) multiplies the scheduled rate.
type Schedule struct {
	Kind          string
	Warmup, Steps int
}

// ScheduleOf is the schedule cfg asks for.
func ScheduleOf(cfg Config) Schedule {
	return Schedule{Kind: cfg.Schedule, Warmup: cfg.Warmup, Steps: cfg.Steps}
}

// Factor is the multiplier of the base rate for step k (0-based).
func (s Schedule) Factor(k int) float64 {
	if k < s.Warmup {
		return float64(k) / float64(max(1, s.Warmup))
	}
	p := float64(k-s.Warmup) / float64(max(1, s.Steps-s.Warmup))
	switch s.Kind {
	case ScheduleLinear:
		return max(0, 1-p)
	case ScheduleCosine:
		return max(0, 0.5*(1+math.Cos(math.Pi*p)))
	}
	return 1
}
