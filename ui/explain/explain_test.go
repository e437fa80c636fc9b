package explain

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// shift is the task the explanations are checked on.
var shift = tasks.Shift{}

// defaults are the default settings: LoRA on the shift task.
func defaults() lab.Config {
	return lab.Catalog{Methods: adapters.All(), Tasks: tasks.All()}.Defaults()
}

// configs are the settings the explanations are checked at: several
// ranks, shapes, batches and activations, VeRA's rank above the width, and
// LoRA-FA's projected gradient.
func configs() []lab.Config {
	var out []lab.Config
	for _, c := range []struct {
		rank, width, depth, batch int
		act                       string
		rs, projected             bool
	}{
		{8, 64, 4, 64, "tanh", false, false},
		{1, 16, 1, 8, "relu", false, true},
		{4, 32, 3, 5, "identity", true, false},
		{32, 128, 6, 32, "tanh", false, true},
		{256, 64, 2, 16, "relu", false, false}, // only VeRA runs at this rank
	} {
		cfg := defaults()
		cfg.Rank, cfg.Batch, cfg.RSLoRA = c.rank, c.batch, c.rs
		cfg = cfg.With("width", c.width).With("depth", c.depth).With("activation", c.act).With("lorafa-projected", c.projected)
		out = append(out, cfg)
	}
	return out
}

var (
	trainableRE = regexp.MustCompile(`= ([\d,]+) per layer × (\d+) layers = ([\d,]+) \(([\d.]+ %) of ([\d,]+)\)`)
	keptRE      = regexp.MustCompile(`(?m)^  = ([\d,]+) numbers = ([\d,]+) B at 8 B each$`)
	memRE       = regexp.MustCompile(`(?m)^  (frozen|trainable|gradients|optimizer|activations|other|workspace|total) +([\d,]+)$`)
)

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

// parsed reads the evaluated numbers back out of an explanation.
type parsed struct {
	perLayer, layers, trainable, total int
	keptNumbers, keptBytes             int
	memory                             map[string]int
}

func parse(t *testing.T, text string) parsed {
	t.Helper()
	flat := strings.Join(strings.Fields(text), " ") // undo wrapping
	m := trainableRE.FindStringSubmatch(flat)
	if m == nil {
		t.Fatalf("no trainable-parameter line in:\n%s", text)
	}
	p := parsed{perLayer: atoi(t, m[1]), layers: atoi(t, m[2]), trainable: atoi(t, m[3]), total: atoi(t, m[5]), memory: map[string]int{}}
	k := keptRE.FindStringSubmatch(text)
	if k == nil {
		t.Fatalf("no kept-for-backward total in:\n%s", text)
	}
	p.keptNumbers, p.keptBytes = atoi(t, k[1]), atoi(t, k[2])
	for _, mm := range memRE.FindAllStringSubmatch(text, -1) {
		p.memory[mm[1]] = atoi(t, mm[2])
	}
	return p
}

// TestNumbersAgreeWithFootprint parses the evaluated numbers out of every
// explanation and compares them with the method's Footprint formula plus
// lab.ModelFootprint: the formulas the engine's ledger is tested against.
func TestNumbersAgreeWithFootprint(t *testing.T) {
	for _, cfg := range configs() {
		for _, m := range adapters.All() {
			name := fmt.Sprintf("%s/r%d-w%d-d%d-n%d-%s", m.Info().Name, cfg.Rank, tasks.Width.Int(cfg), tasks.Depth.Int(cfg), cfg.Batch, tasks.Activation.Text(cfg))
			t.Run(name, func(t *testing.T) {
				c := cfg
				c.Method = m.Info().Name
				text := Method(m, shift, c, Options{Width: 100})
				p := parse(t, text)
				res := c.Resolve(m, shift)
				layers := shift.Layers(res, false)
				own := m.Footprint(res, layers, res.Batch)
				all := own.Plus(shift.Footprint(res, false))
				if p.trainable != own.Trainable || p.perLayer*p.layers != p.trainable || p.layers != tasks.Depth.Int(res) {
					t.Errorf("trainable: text says %d per layer × %d = %d; Footprint says %d", p.perLayer, p.layers, p.trainable, own.Trainable)
				}
				if p.total != all.Frozen+all.Trainable {
					t.Errorf("of %d parameters; Footprint holds %d", p.total, all.Frozen+all.Trainable)
				}
				if p.keptNumbers != all.Activations || p.keptBytes != 8*all.Activations {
					t.Errorf("kept for backward: text says %d numbers, %d B; Footprint says %d numbers", p.keptNumbers, p.keptBytes, all.Activations)
				}
				for _, cat := range lab.Categories {
					if want := 8 * all.Get(cat); p.memory[cat.String()] != want {
						t.Errorf("memory %s: text says %d B, Footprint %d B", cat, p.memory[cat.String()], want)
					}
				}
				if p.memory["total"] != 8*all.Total() {
					t.Errorf("memory total: text says %d B, Footprint %d B", p.memory["total"], 8*all.Total())
				}
				num := Evaluate(m, shift, c)
				if num.Trainable != own.Trainable || num.Kept != all.Activations || num.KeptPer*num.Layers+num.KeptModel != all.Activations {
					t.Errorf("Evaluate: trainable %d, kept %d = %d×%d + %d; Footprint: %d, %d", num.Trainable, num.Kept, num.KeptPer, num.Layers, num.KeptModel, own.Trainable, all.Activations)
				}
			})
		}
	}
}

// TestNumbersAgreeWithLedger runs a real model for each method and compares
// the explanation's numbers with what the engine's ledger measured.
func TestNumbersAgreeWithLedger(t *testing.T) {
	cfg := defaults()
	cfg.Batch, cfg.Rank, cfg.Steps = 10, 3, 2
	cfg = cfg.With("width", 24).With("depth", 3).With("eval-size", 20)
	for _, m := range adapters.All() {
		t.Run(m.Info().Name, func(t *testing.T) {
			c := cfg
			c.Method = m.Info().Name
			res, err := lab.Execute(context.Background(), lab.Job{Method: m, Task: shift, Config: c}, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := parse(t, Method(m, shift, c, Options{}))
			if p.trainable != res.Params.Trainable || p.total != res.Params.Total {
				t.Errorf("text: %d trainable of %d; the run: %d of %d", p.trainable, p.total, res.Params.Trainable, res.Params.Total)
			}
			mem := res.Memory
			want := map[string]int64{"frozen": mem.Frozen, "trainable": mem.Trainable, "gradients": mem.Gradients, "optimizer": mem.Optimizer,
				"activations": mem.Activations, "other": mem.Other, "workspace": mem.Workspace, "total": mem.Total}
			for k, v := range want {
				if int64(p.memory[k]) != v {
					t.Errorf("memory %s: text says %d B, the ledger %d B", k, p.memory[k], v)
				}
			}
			if int64(p.keptBytes) != mem.Activations {
				t.Errorf("kept for backward: text says %d B, the ledger %d B", p.keptBytes, mem.Activations)
			}
		})
	}
}

func TestExample(t *testing.T) {
	text := Method(adapters.LoRA{}, shift, defaults(), Options{Width: 120})
	for _, want := range []string{
		"r·(d_in + d_out) = 8·(64 + 64) = 1,024 per layer × 4 layers = 4,096 (19.8 % of 20,736)",
		"X and H: N·(d_in + r) = 64·(64 + 8) = 4,608 per layer × 4 layers = 18,432",
		"= 30,720 numbers = 245,760 B",
		"Y = X·Wᵀ + b + s·H·Bᵀ",
		"s = α/r = 8/8 = 1",
		"arXiv 2106.09685",
		"Claim: matches full fine-tuning",
		"┌", "▶", "frozen", "trains",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("LoRA explanation lacks %q:\n%s", want, text)
		}
	}
	fa := Method(adapters.LoRAFA{}, shift, defaults(), Options{})
	for _, want := range []string{"H only, not X", "row space", "8 random directions of the 64"} {
		if !strings.Contains(strings.Join(strings.Fields(fa), " "), want) {
			t.Errorf("LoRA-FA explanation lacks %q", want)
		}
	}
	d := strings.Join(strings.Fields(Method(adapters.DeltaLoRA{}, shift, defaults(), Options{})), " ")
	for _, want := range []string{"K = 500", "λ = 2", "reviewers", "rank at most 16"} {
		if !strings.Contains(d, want) {
			t.Errorf("Delta-LoRA explanation lacks %q", want)
		}
	}
	r8 := defaults()
	r8.Rank = 8
	v := Method(adapters.VeRA{}, shift, r8, Options{})
	if !strings.Contains(v, "shared") || !strings.Contains(v, "8·(64 + 64) = 1,024") {
		t.Errorf("VeRA explanation lacks the shared pair:\n%s", v)
	}
}

// TestDoRADiagramRescalesTheSum checks that DoRA's diagram applies m/‖·‖
// to the whole W + s·B·A, after the sum (Y = Z ⊙ m/n + b), not to the
// adapter's branch alone; in the narrow list too.
func TestDoRADiagramRescalesTheSum(t *testing.T) {
	for _, width := range []int{120, 40} {
		text := Method(adapters.DoRA{}, shift, defaults(), Options{Width: width})
		found := false
		for _, line := range strings.Split(text, "\n") {
			if i := strings.Index(line, "⊙ m/‖·‖"); i >= 0 && strings.Contains(line, "Y") && !strings.Contains(line, "rescaled") {
				found = true
				if !strings.Contains(line[:i], "⊕") && !strings.Contains(line[:i], "sum") {
					t.Errorf("width %d: the rescale comes before the sum: %q", width, line)
				}
				if strings.Contains(line[:i], "×s") {
					t.Errorf("width %d: the rescale is on the adapter's branch: %q", width, line)
				}
			}
		}
		if !found {
			t.Errorf("width %d: no diagram line with ⊙ m/‖·‖ on the way to Y:\n%s", width, text)
		}
	}
}

func TestASCII(t *testing.T) {
	for _, cfg := range configs() {
		for _, m := range adapters.All() {
			for _, w := range []int{40, 80, 200} {
				text := Method(m, shift, cfg, Options{ASCII: true, Width: w})
				if strings.Count(text, "?") != strings.Count(Method(m, shift, cfg, Options{Width: w}), "?") {
					t.Fatalf("%s: a character has no ASCII spelling (shown as '?'):\n%s", m.Info().Name, text)
				}
				for i, r := range text {
					if r >= 0x80 {
						t.Fatalf("%s (width %d): non-ASCII %q at %d:\n%s", m.Info().Name, w, r, i, text)
					}
				}
			}
		}
		if text := Compare(adapters.All(), shift, cfg, Options{ASCII: true}); strings.ContainsFunc(text, func(r rune) bool { return r >= 0x80 }) || strings.Count(text, "?") != strings.Count(Compare(adapters.All(), shift, cfg), "?") {
			t.Fatalf("Compare with ASCII has non-ASCII:\n%s", text)
		}
	}
	text := Method(adapters.LoRA{}, shift, defaults(), Options{ASCII: true})
	for _, want := range []string{"+------", "-->|", "--> *s ---+", "r*(d_in + d_out) = 8*(64 + 64)", "alpha/r", "X*W^T"} {
		if !strings.Contains(text, want) {
			t.Errorf("ASCII LoRA lacks %q:\n%s", want, text)
		}
	}
}

func TestWidth(t *testing.T) {
	for _, w := range []int{40, 60, 80, 120} {
		for _, m := range adapters.All() {
			text := Method(m, shift, defaults(), Options{Width: w})
			for _, line := range strings.Split(text, "\n") {
				if width(line) > w {
					t.Errorf("%s at width %d: line of %d cells: %q", m.Info().Name, w, width(line), line)
				}
			}
		}
	}
	// The diagram is drawn when it fits and listed when it does not.
	if text := Method(adapters.LoRA{}, shift, defaults(), Options{Width: 80}); !strings.Contains(text, "┌") {
		t.Errorf("LoRA at 80 columns should draw the diagram:\n%s", text)
	}
	if text := Method(adapters.VeRA{}, shift, defaults(), Options{Width: 50}); strings.Contains(text, "┌") || !strings.Contains(text, "[A 256×64, frozen, shared]") {
		t.Errorf("VeRA at 50 columns should list the diagram:\n%s", text)
	}
}

func TestBadSettingsDoNotPanic(t *testing.T) {
	for _, mut := range []func(*lab.Config){
		func(c *lab.Config) { c.Rank = 100 },
		func(c *lab.Config) { c.Rank = -3 },
		func(c *lab.Config) { *c = c.With("depth", 0) },
		func(c *lab.Config) { *c = c.With("depth", -1) },
		func(c *lab.Config) { *c = c.With("width", 0) },
		func(c *lab.Config) { c.Batch = -5 },
		func(c *lab.Config) { c.Rank = 1 << 40 },
		func(c *lab.Config) { *c = c.With("activation", "nope") },
	} {
		cfg := defaults()
		mut(&cfg)
		for _, m := range adapters.All() {
			text := Method(m, shift, cfg, Options{})
			num := Evaluate(m, shift, cfg)
			if num.Err == nil && m.Info().Name == "lora" {
				t.Errorf("lora at %+v: Evaluate reports no error", cfg)
			}
			if num.Err != nil && !strings.Contains(text, "would not run") {
				t.Errorf("%s: the explanation does not say the settings would not run:\n%s", m.Info().Name, text)
			}
		}
		_ = Compare(adapters.All(), shift, cfg)
	}
}

func TestCompare(t *testing.T) {
	text := Compare(adapters.All(), shift, defaults())
	for _, m := range adapters.All() {
		num := Evaluate(m, shift, defaults())
		row := ""
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, m.Info().Title+" ") {
				row = line
			}
		}
		if row == "" {
			t.Fatalf("no row for %s:\n%s", m.Info().Title, text)
		}
		for _, want := range []string{n(num.Trainable), n(num.Kept*8) + " B", n64(num.Memory.Total) + " B"} {
			if !strings.Contains(row, want) {
				t.Errorf("%s row %q lacks %q", m.Info().Title, row, want)
			}
		}
	}
	// Each method at its own default rank: VeRA's is 256.
	if !strings.Contains(text, "each method's default") || !strings.Contains(text, "VeRA        256") {
		t.Errorf("Compare at the default rank:\n%s", text)
	}
	// A rank only VeRA allows: the others are noted, VeRA still counts.
	cfg := defaults()
	cfg.Rank = 256
	text = Compare(adapters.All(), shift, cfg)
	if !strings.Contains(text, "LoRA would not run: rank 256") || !strings.Contains(text, "1,280") {
		t.Errorf("Compare at rank 256:\n%s", text)
	}
}

func TestIsASCIILocale(t *testing.T) {
	for _, c := range []struct {
		env   map[string]string
		ascii bool
	}{
		{map[string]string{}, true},
		{map[string]string{"LANG": "C"}, true},
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LANG": "de_DE.utf8"}, false},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": "C"}, true},
		{map[string]string{"LANG": "C", "LC_ALL": "C.UTF-8"}, false},
		{map[string]string{"LANG": "C", "LC_CTYPE": "en_GB.UTF-8"}, false},
	} {
		if got := IsASCIILocale(func(k string) string { return c.env[k] }); got != c.ascii {
			t.Errorf("IsASCIILocale(%v) = %v, want %v", c.env, got, c.ascii)
		}
	}
}

func TestFormatting(t *testing.T) {
	for v, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 20736: "20,736", 1234567: "1,234,567", -4096: "-4,096"} {
		if got := n(v); got != want {
			t.Errorf("n(%d) = %q, want %q", v, got, want)
		}
	}
	if got := percent(4096, 20736); got != "19.8 %" {
		t.Errorf("percent = %q", got)
	}
}
