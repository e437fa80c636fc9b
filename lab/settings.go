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

// Setting is one named setting of a run, by its flag name. The same rows
// drive the command-line flags, the TUI's settings pane, preset files,
// sweeps and the reproducing command line, so a setting has one name and one
// parser everywhere.
//
// Settings every run reads are listed in Common; a method declares the ones
// it reads in its MethodInfo.Settings (rank, α, LoRA+'s lr-ratio, …) and a
// task in its TaskInfo.Settings (the shift task's width, task-rank, …).
// SettingsFor puts them together for one method on one task. Core settings
// live in a Config field; a method's or task's own settings are options,
// kept in the Config by name (Config.With) and read with Int, Float, Bool
// and Text.
type Setting struct {
	Name      string    // flag name, e.g. "lr-ratio"
	Help      string    // one line for --help
	Kind      Kind      // value type
	Live      bool      // can change while a run trains (applies from the next step)
	Sweepable bool      // can be the varied setting of a sweep
	Ladder    []float64 // values the TUI steps through with ←/→ (numbers only)
	// Default is an option's value when the Config does not set it: an int,
	// float64, bool or string, as Kind says. Core settings take theirs from
	// Defaults.
	Default any
	// Check, if set, refuses an option's value that is out of range, with a
	// one-line error naming the setting. Prepare calls it on the resolved value.
	Check func(v any) error
	// Resolve, if set, turns an option's "automatic" value into the one a run
	// uses, from the other settings (Delta-LoRA's K = -1 means steps/4), and
	// Auto names that automatic value for people ("steps/4").
	Resolve func(c Config, v any) any
	Auto    string

	field func(c *Config) any
	// explicit, if set, checks a value a person gives: for settings whose
	// zero (or -1) stands for "the default", a typed 0 must not silently
	// become the default.
	explicit func(text string, x float64) error
}

// Option reports whether the setting is an option (kept by name in the
// Config) rather than a core field.
func (s Setting) Option() bool { return s.field == nil }

// Checks for values given explicitly to settings with a "default" sentinel.
func aboveZero(name string) func(string, float64) error {
	return func(text string, x float64) error {
		if x <= 0 {
			return fmt.Errorf("%s %s: must be a finite number above 0", name, text)
		}
		return nil
	}
}

func aboveZeroAtMost(name string, hi float64) func(string, float64) error {
	return func(text string, x float64) error {
		if x <= 0 || x > hi {
			return fmt.Errorf("%s %s: must be above 0 and at most %g", name, text, hi)
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

// ZeroOrMoreOrAuto is the explicit-value check of an integer option whose -1
// means "automatic": any value of at least 0, or -1.
func ZeroOrMoreOrAuto(name, auto string) func(string, float64) error {
	return func(text string, x float64) error {
		if x < 0 && x != -1 {
			return fmt.Errorf("%s %s: must be at least 0 (or -1 for %s)", name, text, auto)
		}
		return nil
	}
}

// WithExplicit returns s with a check of the values people type, for an
// option whose sentinel value stands for "automatic" (see ZeroOrMoreOrAuto).
func (s Setting) WithExplicit(check func(text string, x float64) error) Setting {
	s.explicit = check
	return s
}

// AtLeast returns a Check refusing numbers below lo (and non-finite ones).
func AtLeast(name string, lo float64) func(any) error {
	return func(v any) error {
		x := toFloat(v)
		if !finite(x) || x < lo {
			return fmt.Errorf("%s %v: must be a finite number of at least %g", name, v, lo)
		}
		return nil
	}
}

// Above returns a Check refusing numbers at or below lo (and non-finite ones).
func Above(name string, lo float64) func(any) error {
	return func(v any) error {
		x := toFloat(v)
		if !finite(x) || x <= lo {
			return fmt.Errorf("%s %v: must be a finite number above %g", name, v, lo)
		}
		return nil
	}
}

// AboveAtMost returns a Check refusing numbers outside (lo, hi] (and
// non-finite ones).
func AboveAtMost(name string, lo, hi float64) func(any) error {
	return func(v any) error {
		x := toFloat(v)
		if !finite(x) || x <= lo || x > hi {
			return fmt.Errorf("%s %v: must be above %g and at most %g", name, v, lo, hi)
		}
		return nil
	}
}

// Between returns a Check refusing numbers outside [lo, hi].
func Between(name string, lo, hi float64) func(any) error {
	return func(v any) error {
		x := toFloat(v)
		if !finite(x) || x < lo || x > hi {
			return fmt.Errorf("%s %v: must be between %g and %g", name, v, lo, hi)
		}
		return nil
	}
}

// OneOf returns a Check refusing strings other than the given ones.
func OneOf(name string, allowed ...string) func(any) error {
	return func(v any) error {
		s, _ := v.(string)
		if !slices.Contains(allowed, s) {
			return fmt.Errorf("%s %q: unknown; choose one of: %s", name, s, strings.Join(allowed, ", "))
		}
		return nil
	}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// The settings every method and task reads, by field of Config.
var (
	methodSetting = Setting{Name: "method", Help: "fine-tuning method (loralab explain lists them)", Kind: StringSetting, field: func(c *Config) any { return &c.Method }}
	taskSetting   = Setting{Name: "task", Help: "the task: what the model is fine-tuned on (loralab run --help lists them)", Kind: StringSetting, field: func(c *Config) any { return &c.Task }}

	// RankSetting is the adapter rank r, read by every method that has one.
	RankSetting = Setting{Name: "rank", Help: "adapter rank r, 1 … min(d_in, d_out), VeRA up to 4096 (default: the method's own)", Kind: IntSetting, Sweepable: true, Ladder: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, explicit: atLeastOne("rank"), field: func(c *Config) any { return &c.Rank }}
	// AlphaSetting is LoRA's α: the update is scaled by s = α/r.
	AlphaSetting = Setting{Name: "alpha", Help: "LoRA α; the update is scaled by s = α/r (default: 8 whatever the rank, as PEFT)", Kind: FloatSetting, Sweepable: true, Ladder: []float64{1, 2, 4, 8, 16, 32, 64, 128}, explicit: aboveZeroAtMost("alpha", MaxAlpha), field: func(c *Config) any { return &c.Alpha }}
	// RSLoRASetting switches to rsLoRA's scaling α/√r.
	RSLoRASetting = Setting{Name: "rslora", Help: "rsLoRA scaling α/√r instead of α/r", Kind: BoolSetting, field: func(c *Config) any { return &c.RSLoRA }}
)

// Common lists the settings every run reads, whatever its method and task,
// in display order.
var Common = []Setting{
	{Name: "lr", Help: "learning rate (default: the method's own)", Kind: FloatSetting, Live: true, Sweepable: true, Ladder: []float64{1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1}, explicit: aboveZero("lr"), field: func(c *Config) any { return &c.LR }},
	{Name: "schedule", Help: "learning-rate schedule: constant, linear (to 0 at the end) or cosine (half a cosine to 0)", Kind: StringSetting, Sweepable: true, field: func(c *Config) any { return &c.Schedule }},
	{Name: "warmup", Help: "steps of linear learning-rate warmup from 0 before the schedule", Kind: IntSetting, Sweepable: true, Ladder: []float64{0, 10, 50, 100, 200, 500}, field: func(c *Config) any { return &c.Warmup }},
	{Name: "weight-decay", Help: "AdamW decoupled weight decay (≥ 0)", Kind: FloatSetting, Ladder: []float64{0, 1e-4, 1e-3, 1e-2, 1e-1}, field: func(c *Config) any { return &c.WeightDecay }},
	{Name: "steps", Help: "optimiser steps", Kind: IntSetting, Ladder: []float64{100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000}, field: func(c *Config) any { return &c.Steps }},
	{Name: "batch", Help: "examples per step", Kind: IntSetting, Sweepable: true, Ladder: []float64{8, 16, 32, 64, 128, 256}, field: func(c *Config) any { return &c.Batch }},
	{Name: "seed", Help: "random seed: base weights, data and init", Kind: IntSetting, Sweepable: true, field: func(c *Config) any { return &c.Seed }},
	{Name: "eval-every", Help: "steps between eval-loss measurements", Kind: IntSetting, Ladder: []float64{1, 5, 10, 20, 50, 100}, explicit: atLeastOne("eval-every"), field: func(c *Config) any { return &c.EvalEvery }},
	{Name: "divergence-factor", Help: "a loss above this × the starting loss counts as diverged", Kind: FloatSetting, field: func(c *Config) any { return &c.DivergenceFactor }},
}

// SettingsFor lists the settings a run of method m on task t reads, in
// display order (see ordered).
func SettingsFor(m Method, t Task) []Setting {
	var ms, ts []Setting
	if m != nil {
		ms = m.Info().Settings
	}
	if t != nil {
		ts = t.Info().Settings
	}
	return ordered(ms, ts)
}

// ordered puts settings in display order: the method, the methods' settings
// that are core fields (rank, α, rsLoRA), the common settings, the methods'
// options, the task and the tasks' settings. Each appears once.
func ordered(methods, tasks []Setting) []Setting {
	out := []Setting{methodSetting}
	seen := map[string]bool{methodSetting.Name: true}
	add := func(list []Setting, keep func(Setting) bool) {
		for _, s := range list {
			if keep(s) && !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s)
			}
		}
	}
	all := func(Setting) bool { return true }
	add(methods, func(s Setting) bool { return !s.Option() })
	add(Common, all)
	add(methods, Setting.Option)
	add([]Setting{taskSetting}, all)
	add(tasks, all)
	return out
}

// Applies reports whether setting name means anything for method m on task t.
func Applies(name string, m Method, t Task) bool {
	_, ok := FindSetting(SettingsFor(m, t), name)
	return ok
}

// FindSetting returns the setting called name in list.
func FindSetting(list []Setting, name string) (Setting, bool) {
	for _, s := range list {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// Names lists the settings' names.
func Names(list []Setting) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name
	}
	return out
}

// Get returns the setting's value in c, formatted as Set accepts it.
func (s Setting) Get(c Config) string {
	switch v := s.value(c).(type) {
	case int:
		return strconv.Itoa(v)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	return ""
}

// value is the setting's value in c: the field's, or the option's (its
// Default when c does not set it).
func (s Setting) value(c Config) any {
	if s.field == nil {
		if v, ok := c.opts[s.Name]; ok {
			return v
		}
		return s.Default
	}
	switch p := s.field(&c).(type) {
	case *int:
		return *p
	case *uint64:
		return *p
	case *float64:
		return *p
	case *bool:
		return *p
	case *string:
		return *p
	}
	return nil
}

// Value returns a numeric setting's value in c (bools are 0 or 1).
func (s Setting) Value(c Config) float64 {
	switch v := s.value(c).(type) {
	case uint64:
		return float64(v)
	default:
		return toFloat(v)
	}
}

// Int returns an integer setting's value in c.
func (s Setting) Int(c Config) int { v, _ := s.value(c).(int); return v }

// Float returns a number setting's value in c.
func (s Setting) Float(c Config) float64 { v, _ := s.value(c).(float64); return v }

// Bool returns a true/false setting's value in c.
func (s Setting) Bool(c Config) bool { v, _ := s.value(c).(bool); return v }

// Text returns a text setting's value in c.
func (s Setting) Text(c Config) string { v, _ := s.value(c).(string); return v }

// Set parses v and stores it in c. It checks the syntax, an option's range
// (its Check), and that a value given for a setting whose 0 (or -1) stands
// for "the default" is a real one; Prepare checks the core settings' ranges.
// Errors are one line naming the setting.
func (s Setting) Set(c *Config, v string) error {
	v = strings.TrimSpace(v)
	var parsed any
	switch s.kindOf() {
	case intValue:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s %q: not a whole number", s.Name, v)
		}
		if s.explicit != nil {
			if err := s.explicit(v, float64(n)); err != nil {
				return err
			}
		}
		parsed = n
	case uintValue:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%s %q: not a whole number of at least 0", s.Name, v)
		}
		parsed = n
	case floatValue:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s %q: not a finite number", s.Name, v)
		}
		if s.explicit != nil {
			if err := s.explicit(v, x); err != nil {
				return err
			}
		}
		parsed = x
	case boolValue:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s %q: not true or false", s.Name, v)
		}
		parsed = b
	default:
		parsed = v
	}
	if s.Check != nil && s.Resolve == nil { // an automatic value is checked once resolved (Prepare)
		if err := s.Check(parsed); err != nil {
			return err
		}
	}
	s.store(c, parsed)
	return nil
}

// store puts a value of the setting's type into c.
func (s Setting) store(c *Config, v any) {
	if s.field == nil {
		*c = c.With(s.Name, v)
		return
	}
	switch p := s.field(c).(type) {
	case *int:
		*p = v.(int)
	case *uint64:
		*p = v.(uint64)
	case *float64:
		*p = v.(float64)
	case *bool:
		*p = v.(bool)
	case *string:
		*p = v.(string)
	}
}

type valueKind int

const (
	intValue valueKind = iota
	uintValue
	floatValue
	boolValue
	stringValue
)

// kindOf is how the setting's value is stored (the seed is a uint64).
func (s Setting) kindOf() valueKind {
	if s.field != nil {
		var c Config
		if _, ok := s.field(&c).(*uint64); ok {
			return uintValue
		}
	}
	switch s.Kind {
	case IntSetting:
		return intValue
	case FloatSetting:
		return floatValue
	case BoolSetting:
		return boolValue
	}
	return stringValue
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

// Diff returns "name=value" for every setting of list whose value in c
// differs from base, in list order: what a reproducing command line must state.
func Diff(list []Setting, base, c Config) [][2]string {
	var out [][2]string
	for _, s := range list {
		if a, b := s.Get(base), s.Get(c); a != b {
			out = append(out, [2]string{s.Name, b})
		}
	}
	return out
}
