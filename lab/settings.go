package lab

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Kind is the type of a setting's value.
type Kind int

// The kinds of settings.
const (
	IntSetting Kind = iota
	FloatSetting
	BoolSetting
	StringSetting
)

// Setting is one named setting of a run, by its flag name. The same table
// drives the command-line flags, the TUI's settings pane, preset files,
// sweeps and the reproducing command line, so a setting has one name and one
// parser everywhere.
type Setting struct {
	Name      string    // flag name, e.g. "lr-ratio"
	Help      string    // one line for --help
	Kind      Kind      // value type
	Live      bool      // can change while a run trains (applies from the next step)
	Sweepable bool      // can be the varied setting of a sweep
	Ladder    []float64 // values the TUI steps through with ←/→ (numbers only)
	// For names the one method the setting is for ("" for all, or for
	// every method with a rank when RankOnly).
	For      string
	RankOnly bool
	field    func(c *Config) any
	// explicit, if set, checks a value a person gives: for settings whose
	// zero (or -1) stands for "the default", a typed 0 must not silently
	// become the default.
	explicit func(text string, x float64) error
}

// Checks for values given explicitly to settings with a "default" sentinel.
func aboveZero(name string) func(string, float64) error {
	return func(text string, x float64) error {
		if x <= 0 {
			return fmt.Errorf("%s %s: must be a finite number above 0", name, text)
		}
		return nil
	}
}

func atLeastOne(name string) func(string, float64) error {
	return func(text string, x float64) error {
		if x < 1 {
			return fmt.Errorf("%s %s: must be at least 1", name, text)
		}
		return nil
	}
}

func zeroOrMoreOrAuto(name string) func(string, float64) error {
	return func(text string, x float64) error {
		if x < 0 && x != -1 {
			return fmt.Errorf("%s %s: must be at least 0 (or -1 for steps/4)", name, text)
		}
		return nil
	}
}

// AppliesTo reports whether the setting changes anything for a method:
// lr-ratio only for LoRA+, rank only for methods that have one, and so on.
func (s Setting) AppliesTo(info MethodInfo) bool {
	switch {
	case s.For != "":
		return info.Name == s.For
	case s.RankOnly:
		return info.UsesRank
	}
	return true
}

// Settings lists every setting in display order.
var Settings = []Setting{
	{Name: "method", Help: "fine-tuning method: " + "lora, lora-fa, vera, delta-lora, lora-plus, full", Kind: StringSetting, field: func(c *Config) any { return &c.Method }},
	{Name: "rank", Help: "adapter rank r, 1 … min(d_in, d_out), VeRA up to 4096 (default: 8; vera 256)", Kind: IntSetting, Sweepable: true, Ladder: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, RankOnly: true, explicit: atLeastOne("rank"), field: func(c *Config) any { return &c.Rank }},
	{Name: "alpha", Help: "LoRA α; the update is scaled by α/r (default: α = rank)", Kind: FloatSetting, Sweepable: true, Ladder: []float64{1, 2, 4, 8, 16, 32, 64, 128}, RankOnly: true, explicit: aboveZero("alpha"), field: func(c *Config) any { return &c.Alpha }},
	{Name: "rslora", Help: "rsLoRA scaling α/√r instead of α/r", Kind: BoolSetting, RankOnly: true, field: func(c *Config) any { return &c.RSLoRA }},
	{Name: "lr", Help: "learning rate (default: the method's own, see above)", Kind: FloatSetting, Live: true, Sweepable: true, Ladder: []float64{1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1}, explicit: aboveZero("lr"), field: func(c *Config) any { return &c.LR }},
	{Name: "lr-ratio", Help: "LoRA+ λ: B's learning rate is λ × lr (≥ 1)", Kind: FloatSetting, Sweepable: true, Ladder: []float64{1, 2, 4, 8, 16, 32, 64, 128}, For: "lora-plus", field: func(c *Config) any { return &c.LRRatio }},
	{Name: "vera-d-init", Help: "VeRA's initial value of d (> 0)", Kind: FloatSetting, Sweepable: true, Ladder: []float64{0.01, 0.03, 0.1, 0.3, 1}, For: "vera", field: func(c *Config) any { return &c.VeraDInit }},
	{Name: "delta-ratio", Help: "Delta-LoRA λ: W moves by λ·s·(B′A′ − BA) (≥ 1)", Kind: FloatSetting, Sweepable: true, Ladder: []float64{1, 2, 4, 8}, For: "delta-lora", field: func(c *Config) any { return &c.DeltaRatio }},
	{Name: "delta-start", Help: "Delta-LoRA K: W starts moving after step K (default: steps/4)", Kind: IntSetting, Ladder: []float64{0, 50, 100, 250, 500, 1000}, For: "delta-lora", explicit: zeroOrMoreOrAuto("delta-start"), field: func(c *Config) any { return &c.DeltaStart }},
	{Name: "lorafa-projected", Help: "LoRA-FA: PEFT's projected gradient for B", Kind: BoolSetting, For: "lora-fa", field: func(c *Config) any { return &c.LoRAFAProjected }},
	{Name: "weight-decay", Help: "AdamW decoupled weight decay (≥ 0)", Kind: FloatSetting, Ladder: []float64{0, 1e-4, 1e-3, 1e-2, 1e-1}, field: func(c *Config) any { return &c.WeightDecay }},
	{Name: "steps", Help: "optimiser steps", Kind: IntSetting, Ladder: []float64{100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000}, field: func(c *Config) any { return &c.Steps }},
	{Name: "batch", Help: "examples per step", Kind: IntSetting, Sweepable: true, Ladder: []float64{8, 16, 32, 64, 128, 256}, field: func(c *Config) any { return &c.Batch }},
	{Name: "seed", Help: "random seed: base weights, teacher, data and init", Kind: IntSetting, field: func(c *Config) any { return &c.Seed }},
	{Name: "task", Help: "task: shift", Kind: StringSetting, field: func(c *Config) any { return &c.Task }},
	{Name: "task-rank", Help: "intrinsic rank k of the teacher's shift per layer", Kind: IntSetting, Sweepable: true, Ladder: []float64{1, 2, 4, 8, 16, 32, 64}, field: func(c *Config) any { return &c.TaskRank }},
	{Name: "noise", Help: "standard deviation of the noise on the targets", Kind: FloatSetting, Ladder: []float64{0, 0.001, 0.01, 0.03, 0.1, 0.3}, field: func(c *Config) any { return &c.Noise }},
	{Name: "width", Help: "width of every layer", Kind: IntSetting, Ladder: []float64{16, 32, 64, 128, 256}, field: func(c *Config) any { return &c.Width }},
	{Name: "depth", Help: "number of linear layers", Kind: IntSetting, Ladder: []float64{1, 2, 3, 4, 6, 8}, field: func(c *Config) any { return &c.Depth }},
	{Name: "activation", Help: "nonlinearity between layers: tanh, relu, identity", Kind: StringSetting, field: func(c *Config) any { return &c.Activation }},
	{Name: "eval-every", Help: "steps between eval-loss measurements", Kind: IntSetting, Ladder: []float64{1, 5, 10, 20, 50, 100}, explicit: atLeastOne("eval-every"), field: func(c *Config) any { return &c.EvalEvery }},
	{Name: "eval-size", Help: "held-out examples", Kind: IntSetting, field: func(c *Config) any { return &c.EvalSize }},
	{Name: "train-size", Help: "examples in the training set", Kind: IntSetting, field: func(c *Config) any { return &c.TrainSize }},
	{Name: "divergence-factor", Help: "a loss above this × the starting loss counts as diverged", Kind: FloatSetting, field: func(c *Config) any { return &c.DivergenceFactor }},
}

// LookupSetting returns the setting called name (its flag name).
func LookupSetting(name string) (Setting, error) {
	for _, s := range Settings {
		if s.Name == name {
			return s, nil
		}
	}
	var names []string
	for _, s := range Settings {
		names = append(names, s.Name)
	}
	return Setting{}, fmt.Errorf("setting %q: unknown; the settings are: %s", name, strings.Join(names, ", "))
}

// SweepableNames lists the settings a sweep may vary.
func SweepableNames() []string {
	var names []string
	for _, s := range Settings {
		if s.Sweepable {
			names = append(names, s.Name)
		}
	}
	return names
}

// Get returns the setting's value in c, formatted as Set accepts it.
func (s Setting) Get(c Config) string {
	switch p := s.field(&c).(type) {
	case *int:
		return strconv.Itoa(*p)
	case *uint64:
		return strconv.FormatUint(*p, 10)
	case *float64:
		return strconv.FormatFloat(*p, 'g', -1, 64)
	case *bool:
		return strconv.FormatBool(*p)
	case *string:
		return *p
	}
	return ""
}

// Value returns a numeric setting's value in c (bools are 0 or 1).
func (s Setting) Value(c Config) float64 {
	switch p := s.field(&c).(type) {
	case *int:
		return float64(*p)
	case *uint64:
		return float64(*p)
	case *float64:
		return *p
	case *bool:
		if *p {
			return 1
		}
	}
	return 0
}

// Set parses v and stores it in c. It checks the syntax, and that a value
// given for rank, alpha, lr, eval-every or delta-start is a real one (their
// 0, or -1, stands for "the default" inside Config); Config.Validate and
// Prepare check the ranges. Errors are one line naming the setting.
func (s Setting) Set(c *Config, v string) error {
	v = strings.TrimSpace(v)
	switch p := s.field(c).(type) {
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s %q: not a whole number", s.Name, v)
		}
		if s.explicit != nil {
			if err := s.explicit(v, float64(n)); err != nil {
				return err
			}
		}
		*p = n
	case *uint64:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%s %q: not a whole number of at least 0", s.Name, v)
		}
		*p = n
	case *float64:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s %q: not a finite number", s.Name, v)
		}
		if s.explicit != nil {
			if err := s.explicit(v, x); err != nil {
				return err
			}
		}
		*p = x
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s %q: not true or false", s.Name, v)
		}
		*p = b
	case *string:
		*p = v
	}
	return nil
}

// Step moves a numeric setting one rung up (dir > 0) or down its ladder from
// the current value in c, returning the new value as text and false at the ends.
func (s Setting) Step(c Config, dir int) (string, bool) {
	if s.Kind == BoolSetting {
		return strconv.FormatBool(s.Value(c) == 0), true
	}
	if len(s.Ladder) == 0 {
		return "", false
	}
	cur := s.Value(c)
	i, _ := slices.BinarySearch(s.Ladder, cur)
	switch {
	case dir > 0:
		if i < len(s.Ladder) && s.Ladder[i] == cur {
			i++
		}
	case dir < 0:
		i--
	}
	if i < 0 || i >= len(s.Ladder) {
		return "", false
	}
	x := s.Ladder[i]
	if s.Kind == IntSetting {
		return strconv.Itoa(int(x)), true
	}
	return strconv.FormatFloat(x, 'g', -1, 64), true
}

// Diff returns "name=value" for every setting whose value in c differs from
// base, in display order: what a reproducing command line must state.
func Diff(base, c Config) [][2]string {
	var out [][2]string
	for _, s := range Settings {
		if a, b := s.Get(base), s.Get(c); a != b {
			out = append(out, [2]string{s.Name, b})
		}
	}
	return out
}
