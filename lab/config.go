package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// Config holds every setting of a run. The core settings every run reads
// are fields; a method's or a task's own settings (LoRA+'s lr-ratio, the
// shift task's width, …) are options kept by flag name: set them with
// Setting.Set or With, read them with the Setting's Int, Float, Bool or Text.
// Zero values of Rank, LR, Alpha and EvalEvery mean "the default" and are
// filled in by Resolve. A Config is a value: copies never share options.
//
// Its JSON form has every core field and every option it holds, named by
// flag name with '-' replaced by '_'.
type Config struct {
	Method           string  `json:"method"`
	Task             string  `json:"task"`
	Rank             int     `json:"rank"`
	Alpha            float64 `json:"alpha"`
	RSLoRA           bool    `json:"rslora"`
	LR               float64 `json:"lr"`
	Schedule         string  `json:"schedule"`          // learning-rate schedule: constant, linear or cosine
	Warmup           int     `json:"warmup"`            // steps of linear warmup from 0 before the schedule
	WeightDecay      float64 `json:"weight_decay"`      // AdamW's decoupled weight decay
	Steps            int     `json:"steps"`             // optimiser steps
	Batch            int     `json:"batch"`             // examples per step
	Seed             uint64  `json:"seed"`              // fixes base weights, data and init
	EvalEvery        int     `json:"eval_every"`        // steps between eval-loss measurements (and history points)
	DivergenceFactor float64 `json:"divergence_factor"` // a loss above this × the starting loss counts as diverged

	opts map[string]any // options by flag name; never changed in place (see With)
}

// Defaults returns the default core settings. The method and task are left
// empty: Catalog.Defaults names the first of each.
func Defaults() Config {
	return Config{Schedule: ScheduleConstant, Steps: 2000, Batch: 64, Seed: 1, EvalEvery: 20, DivergenceFactor: 1e4}
}

// Defaults returns the default settings for the catalog's first method on
// its first task.
func (c Catalog) Defaults() Config {
	cfg := Defaults()
	if len(c.Methods) > 0 {
		cfg.Method = c.Methods[0].Info().Name
	}
	if len(c.Tasks) > 0 {
		cfg.Task = c.Tasks[0].Info().Name
	}
	return cfg
}

// Limits of the core settings, shared by validation, help texts and the UI.
const (
	MaxSteps    = 10_000_000
	MaxBatch    = 4096
	MaxVeraRank = 4096
	MaxRunBytes = 2 << 30 // what one run's data and model may hold, roughly
	// MaxAlpha bounds LoRA's α: far beyond any scaling in use (PEFT's
	// default is 8), below the scales whose gradients overflow AdamW's
	// second moment (α = 1e200 made every update 0).
	MaxAlpha = 1e4
)

// With returns a copy of c whose option name holds v (an int, float64, bool
// or string, as the option's Setting says). It does not check v: Prepare does.
func (c Config) With(name string, v any) Config {
	c.opts = maps.Clone(c.opts)
	if c.opts == nil {
		c.opts = map[string]any{}
	}
	c.opts[name] = v
	return c
}

// Options returns the names of the options c holds, sorted.
func (c Config) Options() []string { return slices.Sorted(maps.Keys(c.opts)) }

// Equal reports whether c and d hold the same settings.
func (c Config) Equal(d Config) bool {
	co, do := c.opts, d.opts
	c.opts, d.opts = nil, nil
	return reflect.DeepEqual(c, d) && maps.Equal(co, do)
}

// DefaultAlpha is α when none is given: 8 whatever the rank, as PEFT's
// default (lora_alpha = 8), so s = α/r = 8/r shrinks as the rank grows —
// the effect rsLoRA's s = α/√r corrects.
const DefaultAlpha = 8

// Resolve fills in the defaults that depend on the method or on other
// settings: the method's rank and learning rate, α (DefaultAlpha), eval-every, and
// every option of the method and the task (its Default, then its Resolve),
// so that the resolved Config states every value the run uses.
func (c Config) Resolve(m Method, t Task) Config {
	info := m.Info()
	c.Method = info.Name
	if t != nil {
		c.Task = t.Info().Name
	}
	if c.Rank == 0 {
		c.Rank = info.DefaultRank
		if c.Rank == 0 {
			c.Rank = 8
		}
	}
	if c.Alpha == 0 {
		c.Alpha = DefaultAlpha
	}
	if c.LR == 0 {
		c.LR = info.DefaultLR
	}
	if c.EvalEvery == 0 {
		c.EvalEvery = max(1, c.Steps/100)
	}
	for _, s := range SettingsFor(m, t) {
		if !s.Option() {
			continue
		}
		v := s.value(c)
		if s.Resolve != nil {
			v = s.Resolve(c, v)
		}
		c = c.With(s.Name, v)
	}
	return c
}

// Validate checks the core settings. Each error is one line naming the
// setting, the value, and what is allowed. The options are checked by their
// own Check and the task's and method's Validate (see Prepare).
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
	if c.Alpha > MaxAlpha {
		return fmt.Errorf("alpha %v: must be above 0 and at most %g", c.Alpha, float64(MaxAlpha))
	}
	if math.IsNaN(c.WeightDecay) || math.IsInf(c.WeightDecay, 0) || c.WeightDecay < 0 {
		return fmt.Errorf("weight-decay %v: must be a finite number of at least 0", c.WeightDecay)
	}
	ints := []struct {
		name      string
		v, lo, hi int
	}{
		{"steps", c.Steps, 1, MaxSteps},
		{"batch", c.Batch, 1, MaxBatch},
		{"eval-every", c.EvalEvery, 1, MaxSteps},
	}
	for _, x := range ints {
		if x.v < x.lo || x.v > x.hi {
			return fmt.Errorf("%s %d: must be between %d and %d", x.name, x.v, x.lo, x.hi)
		}
	}
	if !slices.Contains(Schedules, c.Schedule) {
		return fmt.Errorf("schedule %q: unknown; the schedules are: %s", c.Schedule, strings.Join(Schedules, ", "))
	}
	if c.Warmup < 0 || c.Warmup > c.Steps {
		return fmt.Errorf("warmup %d: must be between 0 and steps (%d)", c.Warmup, c.Steps)
	}
	if math.IsNaN(c.DivergenceFactor) || math.IsInf(c.DivergenceFactor, 0) || c.DivergenceFactor <= 1 {
		return fmt.Errorf("divergence-factor %v: must be a finite number above 1", c.DivergenceFactor)
	}
	return nil
}

// CheckOptions checks the options method m (and task t, if not nil) read
// in cfg against their ranges, automatic values resolved first (Delta-LoRA's
// K = -1 is steps/4), as Prepare does; for faces that estimate rather than
// train (the memory calculator). Errors are one line naming the setting.
func CheckOptions(m Method, t Task, cfg Config) error {
	for _, s := range SettingsFor(m, t) {
		if !s.Option() || s.Check == nil {
			continue
		}
		v := s.value(cfg)
		if s.Resolve != nil {
			v = s.Resolve(cfg, v)
		}
		if err := s.Check(v); err != nil {
			return err
		}
	}
	return nil
}

// checkOptions runs the Check of every option the method and the task read.
func (c Config) checkOptions(m Method, t Task) error {
	for _, s := range SettingsFor(m, t) {
		if s.Option() && s.Check != nil {
			if err := s.Check(s.value(c)); err != nil {
				return err
			}
		}
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

// MarshalJSON writes the core fields, then every option by flag name with
// '-' replaced by '_', sorted.
func (c Config) MarshalJSON() ([]byte, error) {
	type core Config // without this method
	head, err := json.Marshal(core(c))
	if err != nil {
		return nil, err
	}
	if len(c.opts) == 0 {
		return head, nil
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-1]) // without the closing brace
	for _, name := range c.Options() {
		v, err := json.Marshal(c.opts[name])
		if err != nil {
			return nil, fmt.Errorf("config option %s: %w", name, err)
		}
		fmt.Fprintf(&b, ",%q:%s", strings.ReplaceAll(name, "-", "_"), v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
