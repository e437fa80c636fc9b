package lab_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// validConfig is the default config resolved for LoRA: every test case
// below changes one setting of it.
func validConfig(t *testing.T) lab.Config {
	t.Helper()
	cfg := lab.Defaults().Resolve(adapters.LoRA{}.Info())
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the resolved defaults are refused: %v", err)
	}
	return cfg
}

// TestValidateNamesTheSetting proves every bad value is refused with a
// one-line error that starts with the name of the setting at fault.
func TestValidateNamesTheSetting(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		setting string
		change  func(c *lab.Config)
	}{
		{"rank", func(c *lab.Config) { c.Rank = 0 }},
		{"lr", func(c *lab.Config) { c.LR = -1e-3 }},
		{"lr", func(c *lab.Config) { c.LR = nan }},
		{"lr", func(c *lab.Config) { c.LR = inf }},
		{"alpha", func(c *lab.Config) { c.Alpha = -8 }},
		{"alpha", func(c *lab.Config) { c.Alpha = nan }},
		{"lr-ratio", func(c *lab.Config) { c.LRRatio = 0.5 }},
		{"lr-ratio", func(c *lab.Config) { c.LRRatio = inf }},
		{"delta-ratio", func(c *lab.Config) { c.DeltaRatio = 0 }},
		{"delta-ratio", func(c *lab.Config) { c.DeltaRatio = nan }},
		{"vera-d-init", func(c *lab.Config) { c.VeraDInit = 0 }},
		{"weight-decay", func(c *lab.Config) { c.WeightDecay = -0.1 }},
		{"weight-decay", func(c *lab.Config) { c.WeightDecay = nan }},
		{"noise", func(c *lab.Config) { c.Noise = -1 }},
		{"noise", func(c *lab.Config) { c.Noise = 11 }},
		{"noise", func(c *lab.Config) { c.Noise = nan }},
		{"steps", func(c *lab.Config) { c.Steps = 0 }},
		{"steps", func(c *lab.Config) { c.Steps = lab.MaxSteps + 1 }},
		{"batch", func(c *lab.Config) { c.Batch = 0 }},
		{"batch", func(c *lab.Config) { c.Batch = lab.MaxBatch + 1 }},
		{"width", func(c *lab.Config) { c.Width = 1 }},
		{"width", func(c *lab.Config) { c.Width = lab.MaxWidth + 1 }},
		{"depth", func(c *lab.Config) { c.Depth = 0 }},
		{"depth", func(c *lab.Config) { c.Depth = lab.MaxDepth + 1 }},
		{"eval-every", func(c *lab.Config) { c.EvalEvery = -1 }},
		{"eval-size", func(c *lab.Config) { c.EvalSize = 0 }},
		{"eval-size", func(c *lab.Config) { c.EvalSize = lab.MaxEvalSize + 1 }},
		{"train-size", func(c *lab.Config) { c.TrainSize = 0 }},
		{"delta-start", func(c *lab.Config) { c.DeltaStart = lab.MaxSteps + 1 }},
		{"task-rank", func(c *lab.Config) { c.TaskRank = 0 }},
		{"task-rank", func(c *lab.Config) { c.TaskRank = c.Width + 1 }},
		{"task", func(c *lab.Config) { c.Task = "parity" }},
		{"activation", func(c *lab.Config) { c.Activation = "gelu" }},
		{"divergence-factor", func(c *lab.Config) { c.DivergenceFactor = 1 }},
		{"divergence-factor", func(c *lab.Config) { c.DivergenceFactor = nan }},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d-%s", i, c.setting), func(t *testing.T) {
			cfg := validConfig(t)
			c.change(&cfg)
			err := cfg.Validate()
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
			cfg := lab.Defaults()
			cfg.Width, cfg.TaskRank, cfg.Rank = width, 4, c.rank
			_, err = lab.Prepare(m, cfg)
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
	for _, width := range []int{1, lab.MaxWidth + 1} {
		cfg := lab.Defaults()
		cfg.Width = width
		if _, err := lab.Prepare(adapters.LoRA{}, cfg); err == nil || !strings.HasPrefix(err.Error(), "width ") {
			t.Errorf("width %d: error %v, want one about the width", width, err)
		}
	}
}

// TestPrepareResolvesDefaults proves Prepare fills in the method-dependent
// defaults: α = rank, the method's own learning rate, Delta-LoRA's K =
// steps/4, eval-every = steps/100; explicit values are kept.
func TestPrepareResolvesDefaults(t *testing.T) {
	for _, m := range adapters.All() {
		cfg := lab.Defaults()
		cfg.Rank, cfg.Steps, cfg.EvalEvery = 4, 1000, 0
		got, err := lab.Prepare(m, cfg)
		if err != nil {
			t.Fatalf("%s: %v", m.Info().Name, err)
		}
		if got.Method != m.Info().Name || got.Alpha != 4 || got.LR != m.Info().DefaultLR || got.DeltaStart != 250 || got.EvalEvery != 10 {
			t.Errorf("%s: resolved method %q α %g lr %g K %d eval-every %d; want %q 4 %g 250 10",
				m.Info().Name, got.Method, got.Alpha, got.LR, got.DeltaStart, got.EvalEvery, m.Info().Name, m.Info().DefaultLR)
		}
		cfg.Alpha, cfg.LR, cfg.DeltaStart = 3, 0.25, 7
		if got, _ := lab.Prepare(m, cfg); got.Alpha != 3 || got.LR != 0.25 || got.DeltaStart != 7 {
			t.Errorf("%s: explicit α 3, lr 0.25, K 7 became %g, %g, %d", m.Info().Name, got.Alpha, got.LR, got.DeltaStart)
		}
	}
}

// TestRankDefaultsPerMethod checks that an unset rank resolves to the method's
// own default: 8 for the LoRA family, 256 for VeRA (PEFT's defaults), and
// that α follows it.
func TestRankDefaultsPerMethod(t *testing.T) {
	for _, m := range adapters.All() {
		cfg, err := lab.Prepare(m, lab.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		want := 8
		if m.Info().Name == "vera" {
			want = 256
		}
		if cfg.Rank != want || cfg.Alpha != float64(want) {
			t.Errorf("%s: rank %d, alpha %v; want %d and %d", m.Info().Name, cfg.Rank, cfg.Alpha, want, want)
		}
	}
}
