package lab_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// validConfig is the default config resolved for LoRA: every test case
// below changes one setting of it.
func validConfig(t *testing.T) lab.Config {
	t.Helper()
	cfg, err := prepare(adapters.LoRA{}, defaults())
	if err != nil {
		t.Fatalf("the resolved defaults are refused: %v", err)
	}
	return cfg
}

// TestValidateNamesTheSetting proves every bad value is refused with a
// one-line error that starts with the name of the setting at fault, whether
// it is a core setting, a method's or the task's.
func TestValidateNamesTheSetting(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		setting string
		method  lab.Method // the method whose setting it is (LoRA for the others)
		change  func(c *lab.Config)
	}{
		{"rank", nil, func(c *lab.Config) { c.Rank = -1 }},
		{"lr", nil, func(c *lab.Config) { c.LR = -1e-3 }},
		{"lr", nil, func(c *lab.Config) { c.LR = nan }},
		{"lr", nil, func(c *lab.Config) { c.LR = inf }},
		{"alpha", nil, func(c *lab.Config) { c.Alpha = -8 }},
		{"alpha", nil, func(c *lab.Config) { c.Alpha = nan }},
		{"lr-ratio", adapters.LoRAPlus{}, func(c *lab.Config) { *c = c.With("lr-ratio", 0.5) }},
		{"lr-ratio", adapters.LoRAPlus{}, func(c *lab.Config) { *c = c.With("lr-ratio", inf) }},
		{"delta-ratio", adapters.DeltaLoRA{}, func(c *lab.Config) { *c = c.With("delta-ratio", 0.0) }},
		{"delta-ratio", adapters.DeltaLoRA{}, func(c *lab.Config) { *c = c.With("delta-ratio", nan) }},
		{"vera-d-init", adapters.VeRA{}, func(c *lab.Config) { *c = c.With("vera-d-init", 0.0) }},
		{"weight-decay", nil, func(c *lab.Config) { c.WeightDecay = -0.1 }},
		{"weight-decay", nil, func(c *lab.Config) { c.WeightDecay = nan }},
		{"noise", nil, func(c *lab.Config) { *c = c.With("noise", -1.0) }},
		{"noise", nil, func(c *lab.Config) { *c = c.With("noise", 11.0) }},
		{"noise", nil, func(c *lab.Config) { *c = c.With("noise", nan) }},
		{"steps", nil, func(c *lab.Config) { c.Steps = 0 }},
		{"steps", nil, func(c *lab.Config) { c.Steps = lab.MaxSteps + 1 }},
		{"batch", nil, func(c *lab.Config) { c.Batch = 0 }},
		{"batch", nil, func(c *lab.Config) { c.Batch = lab.MaxBatch + 1 }},
		{"width", nil, func(c *lab.Config) { *c = c.With("width", 1) }},
		{"width", nil, func(c *lab.Config) { *c = c.With("width", tasks.MaxWidth+1) }},
		{"depth", nil, func(c *lab.Config) { *c = c.With("depth", 0) }},
		{"depth", nil, func(c *lab.Config) { *c = c.With("depth", tasks.MaxDepth+1) }},
		{"eval-every", nil, func(c *lab.Config) { c.EvalEvery = -1 }},
		{"eval-size", nil, func(c *lab.Config) { *c = c.With("eval-size", 0) }},
		{"eval-size", nil, func(c *lab.Config) { *c = c.With("eval-size", tasks.MaxEvalSize+1) }},
		{"train-size", nil, func(c *lab.Config) { *c = c.With("train-size", 0) }},
		{"delta-start", adapters.DeltaLoRA{}, func(c *lab.Config) { *c = c.With("delta-start", lab.MaxSteps+1) }},
		{"task-rank", nil, func(c *lab.Config) { *c = c.With("task-rank", 0) }},
		{"task-rank", nil, func(c *lab.Config) { *c = c.With("task-rank", 65) }},
		{"activation", nil, func(c *lab.Config) { *c = c.With("activation", "gelu") }},
		{"divergence-factor", nil, func(c *lab.Config) { c.DivergenceFactor = 1 }},
		{"divergence-factor", nil, func(c *lab.Config) { c.DivergenceFactor = nan }},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d-%s", i, c.setting), func(t *testing.T) {
			m := c.method
			if m == nil {
				m = adapters.LoRA{}
			}
			cfg := validConfig(t)
			c.change(&cfg)
			_, err := prepare(m, cfg)
			if err == nil {
				t.Fatalf("accepted a bad %s", c.setting)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, c.setting+" ") {
				t.Errorf("error %q does not start with the setting's name %q", msg, c.setting)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
		})
	}
	if _, err := catalog.Job(with(defaults(), "task", "parity")); err == nil || !strings.HasPrefix(err.Error(), "task ") {
		t.Errorf("unknown task: %v, want an error naming the task", err)
	}
}

// TestPrepareRankLimits proves the rank rules per method: the LoRA family
// refuses a rank above min(d_in, d_out) (and accepts it equal), VeRA accepts
// a rank above the width up to lab.MaxVeraRank and refuses one beyond, and
// full fine-tuning ignores the rank. Errors name the rank and the method.
func TestPrepareRankLimits(t *testing.T) {
	const width = 16
	cases := []struct {
		method string
		rank   int
		ok     bool
	}{
		{"lora", width, true}, {"lora", width + 1, false}, {"lora", -1, false},
		{"lora-fa", width, true}, {"lora-fa", width + 1, false},
		{"delta-lora", width, true}, {"delta-lora", width + 1, false},
		{"lora-plus", width, true}, {"lora-plus", width + 1, false},
		{"vera", width + 1, true}, {"vera", lab.MaxVeraRank, true}, {"vera", lab.MaxVeraRank + 1, false}, {"vera", -1, false},
		{"full", 1000, true},
	}
	// Rank 0 means "the method's default" (8, or 256 for VeRA); below that is refused.
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/r=%d", c.method, c.rank), func(t *testing.T) {
			m, err := adapters.Lookup(c.method)
			if err != nil {
				t.Fatal(err)
			}
			cfg := with(defaults(), "width", width, "task-rank", 4)
			cfg.Rank = c.rank
			_, err = prepare(m, cfg)
			if c.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !c.ok {
				if err == nil {
					t.Fatal("accepted")
				}
				if msg := err.Error(); !strings.HasPrefix(msg, "rank ") || !strings.Contains(msg, c.method) {
					t.Errorf("error %q does not start with the setting's name or does not name the method", msg)
				}
			}
		})
	}
	// A nonsensical shape is reported as such, not as a rank problem.
	for _, width := range []int{1, tasks.MaxWidth + 1} {
		cfg := defaults().With("width", width)
		if _, err := prepare(adapters.LoRA{}, cfg); err == nil || !strings.HasPrefix(err.Error(), "width ") {
			t.Errorf("width %d: error %v, want one about the width", width, err)
		}
	}
}

// TestPrepareResolvesDefaults proves Prepare fills in the method-dependent
// defaults: α = 8 (PEFT's, whatever the rank), the method's own learning rate, Delta-LoRA's K =
// steps/4, eval-every = steps/100; explicit values are kept.
func TestPrepareResolvesDefaults(t *testing.T) {
	for _, m := range adapters.All() {
		cfg := defaults()
		cfg.Rank, cfg.Steps, cfg.EvalEvery = 4, 1000, 0
		got, err := prepare(m, cfg)
		if err != nil {
			t.Fatalf("%s: %v", m.Info().Name, err)
		}
		k := adapters.DeltaStart.Int(got)
		if _, reads := lab.FindSetting(m.Info().Settings, "delta-start"); !reads {
			k = 250 // only Delta-LoRA has a K
		}
		if got.Method != m.Info().Name || got.Alpha != lab.DefaultAlpha || got.LR != m.Info().DefaultLR || k != 250 || got.EvalEvery != 10 {
			t.Errorf("%s: resolved method %q α %g lr %g K %d eval-every %d; want %q 8 %g 250 10",
				m.Info().Name, got.Method, got.Alpha, got.LR, k, got.EvalEvery, m.Info().Name, m.Info().DefaultLR)
		}
		cfg.Alpha, cfg.LR = 3, 0.25
		cfg = cfg.With("delta-start", 7)
		if got, _ := prepare(m, cfg); got.Alpha != 3 || got.LR != 0.25 || adapters.DeltaStart.Int(got) != 7 {
			t.Errorf("%s: explicit α 3, lr 0.25, K 7 became %g, %g, %d", m.Info().Name, got.Alpha, got.LR, adapters.DeltaStart.Int(got))
		}
	}
}

// TestRankDefaultsPerMethod checks that an unset rank resolves to the method's
// own default: 8 for the LoRA family, 256 for VeRA (PEFT's defaults), and
// that α stays PEFT's 8 whatever the rank (s = α/r).
func TestRankDefaultsPerMethod(t *testing.T) {
	for _, m := range adapters.All() {
		cfg, err := prepare(m, defaults())
		if err != nil {
			t.Fatal(err)
		}
		want := 8
		if m.Info().Name == "vera" {
			want = 256
		}
		if cfg.Rank != want || cfg.Alpha != lab.DefaultAlpha {
			t.Errorf("%s: rank %d, alpha %v; want %d and %d", m.Info().Name, cfg.Rank, cfg.Alpha, want, lab.DefaultAlpha)
		}
	}
}

// TestTaskDefaults: every task's core defaults name a common setting and
// parse, DefaultsFor applies them over the catalog's defaults (and only
// them), and an unknown task gets the plain defaults.
func TestTaskDefaults(t *testing.T) {
	for _, task := range catalog.Tasks {
		info := task.Info()
		cfg := catalog.DefaultsFor(info.Name)
		if cfg.Task != info.Name {
			t.Errorf("DefaultsFor(%s) has task %q", info.Name, cfg.Task)
		}
		for name, v := range info.Defaults {
			s, ok := lab.FindSetting(lab.Common, name)
			if !ok {
				t.Errorf("%s: default for %q, which is not a common setting", info.Name, name)
				continue
			}
			var probe lab.Config
			if err := s.Set(&probe, v); err != nil {
				t.Errorf("%s: default %s=%s: %v", info.Name, name, v, err)
			}
			if got := s.Get(cfg); got != v {
				t.Errorf("DefaultsFor(%s): %s = %s, want %s", info.Name, name, got, v)
			}
		}
		for _, s := range lab.Common {
			if _, own := info.Defaults[s.Name]; !own && s.Get(cfg) != s.Get(defaults()) {
				t.Errorf("DefaultsFor(%s) changed %s without saying so", info.Name, s.Name)
			}
		}
	}
	if !catalog.DefaultsFor("nope").Equal(defaults()) {
		t.Error("DefaultsFor of an unknown task differs from Defaults")
	}
	if c := catalog.DefaultsFor("charlm"); c.Batch != 8 || c.Steps != 200 {
		t.Errorf("charlm defaults: batch %d, steps %d", c.Batch, c.Steps)
	}
}
