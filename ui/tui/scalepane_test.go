package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
	"github.com/loralab/loralab/ui/text"
)

// scaleRowOf returns the dialog's table row of the method titled title.
func scaleRowOf(t *testing.T, view, title string) string {
	t.Helper()
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		if strings.Contains(l, " "+title+" (") || strings.Contains(l, " "+title+"  ") {
			return l
		}
	}
	t.Fatalf("no row for %s:\n%s", title, ansi.Strip(view))
	return ""
}

// scaleCells splits a table row into its cells (two spaces or more apart):
// name, trainable, % params, total, peak, verdict, ...
func scaleCells(row string) []string {
	return regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(row), -1)
}

// TestScaleChoices: each key steps one choice, the compact line shows it,
// and every row's peak and verdict are scale's for those choices on that
// GPU; nothing of the lab changes.
func TestScaleChoices(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "full")})
	press(m, "M")
	sp := paneOf[*ScalePane](m)
	o := sp.Options()
	d := scale.DefaultOptions()
	if strings.Join(o.Targets, ",") != "q,v" || o.Batch != d.Batch || o.Seq != d.Seq || o.DType != d.DType || o.Checkpointing || sp.GPU().Name != DefaultScaleGPU {
		t.Fatalf("opens on %+v on %s; want scale.DefaultOptions on %s", o, sp.GPU().Name, DefaultScaleGPU)
	}
	cfg, cursor := m.lab.Config, m.lab.Cursor
	lora, full := m.lab.Methods[m.lab.Index("lora")], m.lab.Methods[m.lab.Index("full")]
	// want is what the keys pressed so far should have chosen, kept here
	// independently of the dialog.
	want, gpu := scale.DefaultOptions(), DefaultScaleGPU
	// check compares the view with scale for the choices in want on gpu.
	check := func(step string, line ...string) {
		t.Helper()
		v := m.View()
		checkFits(t, v, 120, 40)
		for _, l := range line {
			if !strings.Contains(ansi.Strip(v), l) {
				t.Errorf("%s: the view lacks %q:\n%s", step, l, ansi.Strip(v))
			}
		}
		g, err := scale.ParseGPU(gpu)
		if err != nil {
			t.Fatal(err)
		}
		model, o := sp.Model(), want
		o.Rank = 8
		for _, c := range []struct {
			title string
			m     lab.Method
		}{{"LoRA", lora}, {"Full FT", full}} {
			rep, err := scale.Estimate(model, c.m, o)
			row := scaleRowOf(t, v, c.title)
			if err != nil {
				if !strings.Contains(row, err.Error()[:min(40, len(err.Error()))]) {
					t.Errorf("%s: %s row %q lacks its error %q", step, c.title, row, err)
				}
				continue
			}
			cells := scaleCells(row)
			if verdict := string(scale.CheckFit(rep.Bytes.Peak, g).Verdict); len(cells) < 6 || cells[4] != text.Bytes(rep.Bytes.Peak) || cells[5] != verdict {
				t.Errorf("%s: %s row %q: want peak %s and %q", step, c.title, row, text.Bytes(rep.Bytes.Peak), verdict)
			}
		}
	}
	check("opening", "a targets q,v · d bf16 · b batch 1 · s seq 512 · c ckpt off · g rtx-4090 (23.1 GiB usable)", "on rtx-4090", "does not fit", "fits")
	press(m, "a")
	want.Targets = []string{"q", "k", "v", "o"}
	check("a", "a targets q,k,v,o")
	press(m, "a")
	want.Targets = []string{scale.AllLinear}
	check("a a", "a targets all-linear")
	press(m, "b", "b", "s")
	want.Batch, want.Seq = 4, 1024
	check("b b s", "b batch 4", "s seq 1,024")
	press(m, "B", "S", "S", "S", "S")
	want.Batch, want.Seq = 2, 128
	check("B S S S S", "b batch 2", "s seq 128")
	press(m, "S")
	check("S at the bottom", "s seq 128")
	press(m, "c")
	want.Checkpointing = true
	check("c", "c ckpt on")
	press(m, "g")
	gpu = "rtx-3090"
	check("g", "g rtx-3090")
	press(m, "G", "G")
	gpu = "l4"
	check("G G", "g l4")
	press(m, "G", "G")
	gpu = "h200"
	check("G G wraps", "g h200")
	press(m, "d", "d", "d", "d")
	want.DType = scale.NF4
	check("d ×4", "d 4bit", "dtype 4bit: full trains the base weights")
	press(m, "d")
	want.DType = scale.BF16
	check("d ×5", "d bf16")
	press(m, "a")
	want.Targets = []string{"q", "v"}
	check("a wraps", "a targets q,v")
	if !m.lab.Config.Equal(cfg) || m.lab.Cursor != cursor {
		t.Errorf("the dialog's keys changed the lab's settings or cursor")
	}
	// t steps the chart: total, above the base, peak, total.
	for _, want := range []string{"memory above the frozen base (bytes", "predicted peak (bytes", "total memory (bytes"} {
		press(m, "t")
		if v := ansi.Strip(m.View()); !strings.Contains(v, want) {
			t.Errorf("t: the chart is not %q:\n%s", want, v)
		}
	}
}

// TestScaleVerdictsEveryGPU: on every card the verdicts are CheckFit's
// for the peaks shown, and the usable memory in the line is the card's.
func TestScaleVerdictsEveryGPU(t *testing.T) {
	m := newTestModelWith(t, 200, 60, Options{Preset: marks("lora", "dora", "full")})
	press(m, "M")
	sp := paneOf[*ScalePane](m)
	for range scale.GPUs() {
		g := sp.GPU()
		v := ansi.Strip(m.View())
		if !strings.Contains(v, "g "+g.Name+" ("+text.Bytes(g.Usable())+" usable)") {
			t.Errorf("%s: the line lacks its usable memory %s", g.Name, text.Bytes(g.Usable()))
		}
		for i, title := range []string{"LoRA", "DoRA", "Full FT"} {
			cfg, _ := m.lab.ConfigFor(m.lab.RaceMethods()[i])
			o := sp.Options()
			o.Rank, o.Config = cfg.Resolve(m.lab.Methods[m.lab.RaceMethods()[i]], nil).Rank, cfg
			rep, err := scale.Estimate(sp.Model(), m.lab.Methods[m.lab.RaceMethods()[i]], o)
			if err != nil {
				t.Fatal(err)
			}
			cells := scaleCells(scaleRowOf(t, v, title))
			if want := string(scale.CheckFit(rep.Bytes.Peak, g).Verdict); len(cells) < 6 || cells[4] != text.Bytes(rep.Bytes.Peak) || cells[5] != want {
				t.Errorf("%s on %s: cells %q, want peak %s and %q", title, g.Name, cells, text.Bytes(rep.Bytes.Peak), want)
			}
		}
		press(m, "g")
	}
	// The checked-against line: in full when it fits, short when not, and
	// "not measured" for a GPT-2.
	if v := ansi.Strip(m.View()); !strings.Contains(v, "checked: "+scale.Calibration.String()) {
		t.Errorf("200 wide: no full checked line:\n%s", v)
	}
	resize(m, 80, 24)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "checked: "+scale.Calibration.Short()) {
		t.Errorf("80 wide: no short checked line:\n%s", v)
	}
	for sp.Model().Name != "gpt2-medium" {
		press(m, "left")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "checked: not measured: gpt2-style blocks") {
		t.Errorf("gpt2-medium: no not-measured line:\n%s", v)
	}
	for _, sz := range featureSizes {
		resize(m, sz[0], sz[1])
		checkFits(t, m.View(), sz[0], sz[1])
	}
}

// TestScaleLabSettings: a method's own settings in the lab reach its
// estimate (LoRA-FA's projected gradient adds an r × r inverse per layer,
// 64 × 8² fp32 numbers on llama-2-7b's q and v).
func TestScaleLabSettings(t *testing.T) {
	m := newTestModelWith(t, 200, 60, Options{Preset: marks("lora-fa")})
	press(m, "M")
	extras := func() string {
		cells := scaleCells(scaleRowOf(t, m.View(), "LoRA-FA"))
		return cells[len(cells)-4] // … extras, activ: net, activ: method, peak at
	}
	if got := extras(); got != "0 B" {
		t.Fatalf("extras %q before", got)
	}
	s, err := catalog.Setting("lorafa-projected")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.lab.SetSetting(s, "true"); err != nil {
		t.Fatal(err)
	}
	if got, want := extras(), text.Bytes(64*8*8*4); got != want {
		t.Errorf("extras %q with the projected gradient, want %q", got, want)
	}
}
