package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/explain"
	"github.com/loralab/loralab/ui/text"
)

// The sizes every new screen must fit exactly.
var featureSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// resize sends a window-size message.
func resize(m *Model, w, h int) { m.Update(tea.WindowSizeMsg{Width: w, Height: h}) }

// TestDialogsFit opens every dialog at every size, with and without runs and
// a sweep, and checks the screen is exactly the terminal's size; esc closes
// each one.
func TestDialogsFit(t *testing.T) {
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := presetModel(t, w, h, "race-five")
			for round := 0; round < 2; round++ {
				for _, k := range []string{"p", "i", "M", "w", "?"} {
					press(m, k)
					if m.Dialog() == "" {
						t.Fatalf("%s opened no dialog", k)
					}
					checkFits(t, m.View(), w, h)
					press(m, "down", "pgdown", "tab", "t", "right")
					checkFits(t, m.View(), w, h)
					press(m, "esc")
					if m.Dialog() != "" {
						t.Fatalf("esc left the %s dialog open", m.Dialog())
					}
				}
				for i := range m.lab.Methods {
					fakeRun(m, i, 300*i, 2000, lab.Running)
				}
				m.lab.record("race", m.lab.RaceMethods(), "", nil)
				fakeSweep(m, "rank", []string{"1", "2", "4", "8", "16", "32", "64", "128"}, m.lab.RaceMethods())
			}
			for range paneSlots {
				checkFits(t, m.View(), w, h)
				press(m, "tab")
			}
		})
	}
}

// writePreset writes a user preset file into dir.
func writePreset(t *testing.T, dir, file, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPresetPicker(t *testing.T) {
	dir := t.TempDir()
	writePreset(t, dir, "mine.toml", `name = "my-ranks"
title = "My ranks"
mode = "race"
methods = ["lora", "lora-fa"]
question = "Does rank 2 do?"
notes = "A preset of my own."
[settings]
rank = 2
steps = 300
`)
	writePreset(t, dir, "broken.toml", "name = \"broken\"\nmode = \"sprint\"\nmethods = [\"lora\"]\n")
	m := newTestModelWith(t, 80, 24, Options{PresetDir: dir, Preset: marks("full")})
	pressRun(m, "p")
	if m.Dialog() != "presets" {
		t.Fatalf("p opened %q", m.Dialog())
	}
	v := m.View()
	checkFits(t, v, 80, 24)
	for _, want := range []string{"race-five", "vera-budget", "race", "sweep", "✗ " + filepath.Join(dir, "broken.toml")} {
		if !strings.Contains(v, want) {
			t.Errorf("picker lacks %q:\n%s", want, v)
		}
	}
	pp := paneOf[*PresetPicker](m)
	// The user's preset follows the built-in ones: the list scrolls to it.
	for pp.list[pp.cur].Name != "my-ranks" {
		press(m, "down")
	}
	if v := m.View(); !strings.Contains(v, "my-ranks") || !strings.Contains(v, "My ranks") {
		t.Errorf("picker at the user's preset lacks it:\n%s", v)
	}
	for pp.cur > 0 {
		press(m, "up")
	}
	if len(pp.Errors()) != 1 || !strings.Contains(pp.Errors()[0], "sprint") || strings.Contains(pp.Errors()[0], "\n") {
		t.Fatalf("bad file errors: %q", pp.Errors())
	}
	// Keys go to the picker: ↓ moves its cursor, not the methods'.
	cursor := m.lab.Cursor
	for pp.list[pp.cur].Name != "vera-budget" {
		press(m, "down")
	}
	if m.lab.Cursor != cursor || m.Dialog() != "presets" {
		t.Fatal("↓ in the picker moved the method cursor or closed it")
	}
	// esc closes without loading.
	press(m, "esc")
	if m.Dialog() != "" || m.lab.Preset.Name != "" {
		t.Fatalf("esc: dialog %q, preset %q", m.Dialog(), m.lab.Preset.Name)
	}
	// enter loads it as --preset does.
	pressRun(m, "p")
	for pp.list[pp.cur].Name != "vera-budget" {
		press(m, "down")
	}
	press(m, "enter")
	l := m.lab
	if m.Dialog() != "" || l.Preset.Name != "vera-budget" {
		t.Fatalf("enter: dialog %q, preset %q", m.Dialog(), l.Preset.Name)
	}
	p, _ := presets.Lookup(presets.BuiltIn(), "vera-budget")
	want, _ := p.Config()
	if !l.Config.Equal(want) || l.Infos[l.Cursor].Name != "vera" {
		t.Fatalf("config %+v (want %+v), cursor %s", l.Config, want, l.Infos[l.Cursor].Name)
	}
	for i, info := range l.Infos {
		if l.Marked[i] != (info.Name == "vera" || info.Name == "lora") {
			t.Fatalf("marks %v", l.Marked)
		}
	}
	if c, _ := l.ConfigFor(l.Index("vera")); c.Rank != 256 {
		t.Fatalf("vera rank %d, want the preset's override 256", c.Rank)
	}
	if c, _ := l.ConfigFor(l.Index("lora")); c.Rank != 1 {
		t.Fatalf("lora rank %d, want the preset's override 1", c.Rank)
	}
	v = m.View()
	if !strings.Contains(v, "preset vera-budget") {
		t.Errorf("header does not name the preset:\n%s", v)
	}
	press(m, "shift+tab") // narrow: the about pane under the methods
	v = m.View()
	for _, want := range []string{"About · vera-budget", "Question: VeRA trains 1,280", "Notes: VeRA shares one frozen"} {
		if !strings.Contains(v, want) {
			t.Errorf("about pane lacks %q:\n%s", want, v)
		}
	}
	// A user preset loads too, and names itself on a command line by name.
	pressRun(m, "p")
	for pp.list[pp.cur].Name != "my-ranks" {
		press(m, "down")
	}
	press(m, "enter")
	if l.Preset.Name != "my-ranks" || l.Config.Rank != 2 || strings.Join(l.Preset.Args, " ") != "--preset-file "+filepath.Join(dir, "mine.toml") {
		t.Fatalf("user preset: %q rank %d args %q", l.Preset.Name, l.Config.Rank, l.Preset.Args)
	}
	// Bad input: a preset whose settings would not run is refused, and
	// nothing changes.
	pressRun(m, "p")
	pp.list = append(pp.list, presets.Preset{Name: "too-wide", Mode: presets.Race, Methods: []string{"lora"}, Settings: map[string]string{"rank": "999"}})
	press(m, "end", "enter")
	if m.Dialog() != "presets" || !strings.Contains(m.View(), "refused: preset too-wide") || l.Preset.Name != "my-ranks" || l.Config.Rank != 2 {
		t.Fatalf("bad preset: dialog %q preset %q rank %d\n%s", m.Dialog(), l.Preset.Name, l.Config.Rank, m.View())
	}
	for _, sz := range featureSizes {
		resize(m, sz[0], sz[1])
		checkFits(t, m.View(), sz[0], sz[1])
	}
	press(m, "p") // p closes the picker too
	if m.Dialog() != "" {
		t.Fatalf("p did not close the picker")
	}
}

// A sweep preset loaded with the picker sets the sweep dialog up with its
// setting and values.
func TestSweepPresetFillsTheDialog(t *testing.T) {
	m := newTestModel(t, 120, 40)
	pressRun(m, "p")
	pp := paneOf[*PresetPicker](m)
	for pp.list[pp.cur].Name != "rank-matters" {
		press(m, "down")
	}
	press(m, "enter", "w")
	p, _ := presets.Lookup(presets.BuiltIn(), "rank-matters")
	if paneOf[*SweepPane](m).names[paneOf[*SweepPane](m).cur] != p.Sweep.Setting || paneOf[*SweepPane](m).input.Value() != strings.Join(p.Sweep.Values, ",") {
		t.Fatalf("sweep dialog on %s = %q, want %s = %v", paneOf[*SweepPane](m).names[paneOf[*SweepPane](m).cur], paneOf[*SweepPane](m).input.Value(), p.Sweep.Setting, p.Sweep.Values)
	}
}

// The preset's teaching notes are on screen without a key press in every
// wide layout; at 80 × 24 the header names the preset and the notes are one
// shift+tab away.
func TestNotesOnScreen(t *testing.T) {
	for _, sz := range [][2]int{{110, 36}, {120, 40}, {160, 48}, {200, 60}, {250, 80}} {
		m := presetModel(t, sz[0], sz[1], "race-five")
		for i := range m.lab.Methods {
			fakeRun(m, i, 700, 1500, lab.Running)
		}
		m.lab.record("race", m.lab.RaceMethods(), "", nil)
		v := m.View()
		checkFits(t, v, sz[0], sz[1])
		for _, want := range []string{"preset race-five", "Question: Which method wins", "Notes: Six methods, one task"} {
			if !strings.Contains(v, want) {
				t.Errorf("%v: screen lacks %q:\n%s", sz, want, v)
			}
		}
	}
	m := presetModel(t, 80, 24, "race-five")
	if v := m.View(); !strings.Contains(v, "preset race-five") {
		t.Fatalf("80x24: header does not name the preset:\n%s", v)
	}
	press(m, "shift+tab")
	if v := m.View(); m.Focused() != "about" || !strings.Contains(v, "Notes: Six methods") {
		t.Fatalf("80x24: notes not one shift+tab away:\n%s", v)
	}
	// The about pane scrolls when it has the focus.
	ap := paneOf[*AboutPane](m)
	press(m, "down", "down")
	if ap.scroll.off != 2 || m.lab.Cursor != 0 {
		t.Fatalf("↓ in about: offset %d, method cursor %d", ap.scroll.off, m.lab.Cursor)
	}
	press(m, "end")
	if v := m.View(); !strings.Contains(v, "i: the full explanation of LoRA") {
		t.Errorf("about end:\n%s", v)
	}
}

func TestExplainPane(t *testing.T) {
	m := presetModel(t, 80, 24, "vera-budget") // cursor on VeRA (rank 256 by override)
	press(m, "i")
	ep := paneOf[*ExplainPane](m)
	if m.Dialog() != "explain" {
		t.Fatalf("i opened %q", m.Dialog())
	}
	cfg, _ := m.lab.ConfigFor(m.lab.Index("vera"))
	want := explain.Method(m.lab.Methods[m.lab.Index("vera")], taskOf(cfg), cfg, explain.Options{Width: 78})
	if ep.Text() != strings.TrimRight(want, "\n") {
		t.Fatalf("explanation differs from explain.Method at width 78:\n%s", ep.Text())
	}
	v := m.View()
	checkFits(t, v, 80, 24)
	for _, want := range []string{"Explain VeRA", "VeRA — one frozen random pair", "r = 256"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	// Scroll keys scroll the explanation only.
	press(m, "down", "down", "pgdown")
	if ep.scroll.off != 2+ep.scroll.h-1 || m.lab.Cursor != m.lab.Index("vera") {
		t.Fatalf("scroll: offset %d (page %d), cursor %d", ep.scroll.off, ep.scroll.h, m.lab.Cursor)
	}
	press(m, "end")
	if !strings.Contains(m.View(), "Caveats") {
		t.Errorf("end does not show the caveats:\n%s", m.View())
	}
	press(m, "home", "up")
	if ep.scroll.off != 0 {
		t.Fatalf("home, up: offset %d", ep.scroll.off)
	}
	press(m, "i") // i closes too
	if m.Dialog() != "" {
		t.Fatal("i did not close the explanation")
	}
	// The settings are the current ones: LoRA at rank 1 by the preset's
	// override, then at 4 once the user sets it.
	press(m, "up", "up", "i") // LoRA
	if !strings.Contains(ep.Text(), "r = 1,") {
		t.Fatalf("LoRA explained without its override:\n%s", ep.Text())
	}
	press(m, "esc", "tab", "enter", "ctrl+u", "4", "enter", "shift+tab", "i")
	if !strings.Contains(ep.Text(), "r = 4,") {
		t.Fatalf("LoRA explained without the new rank (%s):\n%s", paneOf[*SettingsPane](m).Err(), ep.Text())
	}
	// Wide: the explanation takes the right column, the methods stay.
	for _, sz := range featureSizes {
		resize(m, sz[0], sz[1])
		v := m.View()
		checkFits(t, v, sz[0], sz[1])
		if sz[0] >= 110 && (!strings.Contains(v, "Methods") || ep.w != m.lo.rightW-2) {
			t.Errorf("%v: width %d (right column %d), methods shown %v", sz, ep.w, m.lo.rightW, strings.Contains(v, "Methods"))
		}
		if sz[0] < 110 && ep.w != sz[0]-2 {
			t.Errorf("%v: width %d", sz, ep.w)
		}
	}
	// An ASCII locale gives an ASCII explanation.
	ep.getenv = func(string) string { return "" }
	press(m, "esc", "i")
	if i := strings.IndexFunc(ep.Text(), func(r rune) bool { return r > 127 }); i >= 0 {
		t.Fatalf("non-ASCII in the C locale: %q", ep.Text()[max(0, i-20):i+10])
	}
}

func TestScalePane(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Preset: marks("lora", "vera", "full")})
	press(m, "M")
	sp := paneOf[*ScalePane](m)
	if m.Dialog() != "scale" || sp.Model().Name != "llama-2-7b" {
		t.Fatalf("M: dialog %q model %s", m.Dialog(), sp.Model().Name)
	}
	v := m.View()
	checkFits(t, v, 80, 24)
	model, _ := scale.LookupModel("llama-2-7b")
	rep, err := scale.Estimate(model, m.lab.Methods[m.lab.Index("lora")], scale.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"llama-2-7b", "LoRA (8)", "VeRA (256)", "Full FT", "trainable", "% params", "total",
		text.Bytes(rep.Bytes.Total), fmtParams(rep.Params.Trainable), "against rank", "r=1", "GiB", "●", "◆", "■"} {
		if !strings.Contains(v, want) {
			t.Errorf("scale view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "LoRA-FA") {
		t.Errorf("an unmarked method is shown:\n%s", v)
	}
	// ←/→ cycle the models and touch nothing else.
	cfg, cursor := m.lab.Config, m.lab.Cursor
	press(m, "right")
	if sp.Model().Name != "llama-2-13b" || !strings.Contains(m.View(), "llama-2-13b") {
		t.Fatalf("→: %s", sp.Model().Name)
	}
	press(m, "left", "left")
	if sp.Model().Name != "llama-7b" || !m.lab.Config.Equal(cfg) || m.lab.Cursor != cursor {
		t.Fatalf("←←: model %s; settings or cursor changed", sp.Model().Name)
	}
	press(m, "t")
	if !strings.Contains(m.View(), "memory above the frozen base") {
		t.Errorf("t did not switch the chart:\n%s", m.View())
	}
	// VeRA's ranks run to 1024; without VeRA the chart stops at 256.
	resize(m, 200, 60)
	if v := m.View(); !strings.Contains(v, "r=1024") || !strings.Contains(v, "assumptions") {
		t.Errorf("200x60 with VeRA: no r=1024 or assumptions:\n%s", v)
	}
	m.lab.Mark(m.lab.Index("vera"), false)
	if v := m.View(); strings.Contains(v, "r=1024") || !strings.Contains(v, "r=256") {
		t.Errorf("200x60 without VeRA: wrong ranks:\n%s", v)
	}
	for _, sz := range featureSizes {
		resize(m, sz[0], sz[1])
		checkFits(t, m.View(), sz[0], sz[1])
	}
	press(m, "M")
	if m.Dialog() != "" {
		t.Fatal("M did not close the dialog")
	}
}

func TestSweepResultViews(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Preset: marks("lora", "vera")})
	fakeSweep(m, "rank", []string{"1", "2", "4", "8"}, m.lab.RaceMethods())
	press(m, "w")
	titles := []string{"latest eval loss (log scale) against rank · 7 of 8 ended", "eval loss curves of ● LoRA, one per rank",
		"eval loss at step 10 (log scale) against rank", "trainable parameters (log scale) against rank",
		"memory in bytes (log scale; K/M = KiB/MiB) against rank", "final eval loss; * best per method"}
	for i, want := range titles {
		v := m.View()
		checkFits(t, v, 80, 24)
		if !strings.Contains(v, want) || !strings.Contains(v, fmt.Sprintf("view %d/%d", i+1, len(titles))) {
			t.Errorf("view %d lacks %q:\n%s", i+1, want, v)
		}
		press(m, "tab")
	}
	if m.Focused() != "methods" || m.Dialog() != "sweep" {
		t.Fatalf("tab left the dialog: focus %q, dialog %q", m.Focused(), m.Dialog())
	}
	// Wide: two pages, the overview and the curves with the loss at step N.
	for _, sz := range [][2]int{{120, 40}, {200, 60}} {
		resize(m, sz[0], sz[1])
		for paneOf[*SweepPane](m).view%len(wideViews) != 0 {
			press(m, "tab")
		}
		overview := m.View()
		press(m, "tab")
		curves := m.View()
		press(m, "tab")
		checkFits(t, overview, sz[0], sz[1])
		checkFits(t, curves, sz[0], sz[1])
		for i, want := range titles {
			v := overview
			if i == 1 || i == 2 {
				v = curves
			}
			if !strings.Contains(v, want) {
				t.Errorf("%v lacks %q:\n%s", sz, want, v)
			}
		}
		if strings.Contains(overview, "view 1/") || !strings.Contains(curves, "page 2/2") {
			t.Errorf("%v: everything fits, yet views cycle", sz)
		}
	}
	// The table: the best value of each method is marked, the running run
	// shows its progress.
	v := m.View()
	if !strings.Contains(v, "0.026*") || !strings.Contains(v, "40%") {
		t.Errorf("table:\n%s", v)
	}
}

// The sweep runs with each method's settings, a preset's per-method
// overrides included, as loralab sweep does.
func TestSweepUsesOverrides(t *testing.T) {
	m := presetModel(t, 80, 24, "vera-budget")
	m.lab.Config.Steps = 5
	if err := m.lab.StartSweep("lr", "0.001,0.01"); err != nil {
		t.Fatal(err)
	}
	drive(t, m, 60*time.Second, func() bool { return m.lab.Sweep.Done() == 4 })
	for _, r := range m.lab.Sweep.Runs {
		want := map[string]int{"vera": 256, "lora": 1}[m.lab.Infos[r.Method].Name]
		if r.Result.Config.Rank != want {
			t.Errorf("%s lr=%s: rank %d, want %d", m.lab.Infos[r.Method].Name, r.Value, r.Result.Config.Rank, want)
		}
		if r.Trainable != r.Result.Params.Trainable || r.Memory != r.Result.Memory.Total {
			t.Errorf("sweep run's trainable/memory not from the ledger")
		}
	}
	if line := m.lab.ReproduceLine(); !strings.HasPrefix(line, "loralab sweep --methods lora,vera --preset vera-budget --steps 5 --seed 1 --vary lr=0.001,0.01") {
		t.Errorf("sweep line: %s", line)
	}
}

func TestReproduceLine(t *testing.T) {
	// No preset: the settings that differ from the defaults.
	m := newTestModelWith(t, 80, 24, Options{})
	m.lab.Config.Steps = 30
	press(m, "enter")
	if got := m.lab.ReproduceLine(); got != "loralab run --method lora --steps 30 --seed 1" {
		t.Fatalf("run line: %q", got)
	}
	drive(t, m, 30*time.Second, func() bool { return m.lab.Runs[0].Result != nil })
	press(m, "shift+tab")
	if v := m.View(); !strings.Contains(v, "reproduce: loralab run --method lora --steps 30 --seed 1") {
		t.Errorf("about pane lacks the line:\n%s", v)
	}
	if s := m.Summary(); !strings.HasSuffix(s, "\nreproduce: loralab run --method lora --steps 30 --seed 1") || !strings.HasPrefix(s, "LoRA Lab: LoRA done") {
		t.Errorf("summary: %q", s)
	}

	// A preset: named, and only what the user changed given. A setting set
	// in the settings pane is given even at the preset's value, since it
	// replaced the preset's per-method values.
	m = presetModel(t, 80, 24, "vera-budget")
	press(m, "tab", "enter", "ctrl+u", "2", "enter") // rank 2 for both
	toSetting(t, m, "steps")
	press(m, "enter", "ctrl+u", "100000", "enter", "shift+tab") // steps 100000
	press(m, "r")
	want := "loralab race --methods lora,vera --preset vera-budget --rank 2 --steps 100000 --seed 1"
	if got := m.lab.ReproduceLine(); got != want {
		t.Fatalf("race line: %q, want %q", got, want)
	}
	// A live learning-rate change is flagged: the line gives the start.
	press(m, "tab")
	toSetting(t, m, "lr")
	press(m, "right", "shift+tab") // lr one rung up, live
	if !m.lab.LiveChanged() {
		t.Fatalf("live lr change not noticed (%s)", paneOf[*SettingsPane](m).note)
	}
	if s := m.Summary(); !strings.Contains(s, want+"\n(the learning rate was changed while it trained") {
		t.Errorf("summary: %q", s)
	}
	m.Shutdown()
}

// Every row of every key table (the rows that dispatch keys) is on the help
// screen (scrolled if need be).
func TestHelpListsEveryBinding(t *testing.T) {
	for _, sz := range featureSizes {
		m := newTestModel(t, sz[0], sz[1])
		press(m, "?")
		seen := ""
		for range 40 {
			seen += ansi.Strip(m.View())
			press(m, "down")
		}
		for _, tb := range m.helpTables() {
			for _, r := range tb.Rows {
				if h := r.Binding.Help(); !strings.Contains(seen, h.Key) || !strings.Contains(seen, h.Desc) {
					t.Errorf("%v: help lacks %q %q", sz, h.Key, h.Desc)
				}
			}
		}
	}
}

// Under NO_COLOR no dialog draws a colour code, and series stay apart by
// glyph; with colour they get colour.
func TestDialogsWithoutColour(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera")})
	fakeSweep(m, "rank", []string{"1", "2", "4"}, m.lab.RaceMethods())
	for _, k := range []string{"p", "i", "M", "w"} {
		press(m, k)
		v := m.View()
		if strings.Contains(v, "\x1b") {
			t.Errorf("%s: escape codes under NO_COLOR", k)
		}
		if k == "M" && (!strings.Contains(v, "●●") || !strings.Contains(v, "◆◆")) {
			t.Errorf("%s: series not drawn with their glyphs:\n%s", k, v)
		}
		if k == "w" { // each method's measured values, dotted with its glyph on the chart's rows
			plot := ""
			for _, line := range strings.Split(v, "\n") {
				if strings.Contains(line, "┤") || strings.Contains(line, "│·") || strings.Contains(line, "│ ") {
					plot += line
				}
			}
			if !strings.Contains(plot, "●") || !strings.Contains(plot, "◆") {
				t.Errorf("%s: measured points not drawn with their glyphs:\n%s", k, v)
			}
		}
		if !strings.Contains(v, "┏━ ▸ ") {
			t.Errorf("%s: the dialog's frame is not marked focused", k)
		}
		press(m, "esc")
	}
}

// While a text field is open every key is the field's: the dialog keys type
// letters; with the field closed they open their dialogs from any pane.
func TestDialogKeysRoute(t *testing.T) {
	m := newTestModel(t, 80, 24)
	sp := paneOf[*SettingsPane](m)
	press(m, "tab", "enter", "ctrl+u", "p", "i", "M", "w")
	if m.Dialog() != "" || sp.input.Value() != "piMw" {
		t.Fatalf("editing: dialog %q, field %q", m.Dialog(), sp.input.Value())
	}
	press(m, "esc")
	for _, k := range []string{"p", "i", "M", "w", "?"} {
		for range paneSlots {
			press(m, k)
			if m.Dialog() == "" {
				t.Fatalf("%s from pane %q opened nothing", k, m.Focused())
			}
			press(m, "esc", "tab")
		}
	}
	// In the sweep dialog q types; in the others q quits.
	press(m, "w", "q")
	if m.quit {
		t.Fatal("q quit from the sweep dialog's field")
	}
	press(m, "esc", "M", "q")
	if !m.quit {
		t.Fatal("q did not quit from the memory-at-scale dialog")
	}
}

// TestEveryBindingIsInATable: every binding the KeyMap names is a row of
// some key table, so no key is named without doing something, and the help
// screen (drawn from the tables) lists it.
func TestEveryBindingIsInATable(t *testing.T) {
	m := newTestModel(t, 80, 24)
	inTables := map[key.Help]bool{}
	for _, tb := range m.helpTables() {
		for _, r := range tb.Rows {
			inTables[r.Binding.Help()] = true
		}
	}
	v := reflect.ValueOf(*m.c.Keys)
	for i := range v.NumField() {
		b := v.Field(i).Interface().(key.Binding)
		if !inTables[b.Help()] {
			t.Errorf("KeyMap.%s (%q %q) is in no key table", v.Type().Field(i).Name, b.Help().Key, b.Help().Desc)
		}
	}
}

// TestPresetHasOnePath: a preset given to New and the same preset loaded
// with the picker leave the lab in the same state; a sweep preset's about
// pane says how to run its sweep either way.
func TestPresetHasOnePath(t *testing.T) {
	for _, name := range []string{"vera-budget", "rank-matters"} {
		p, err := presets.Lookup(presets.BuiltIn(), name)
		if err != nil {
			t.Fatal(err)
		}
		opened := presetModel(t, 120, 40, name)
		picked := newTestModelWith(t, 120, 40, Options{})
		pressRun(picked, "p")
		for pp := paneOf[*PresetPicker](picked); pp.list[pp.cur].Name != name; {
			press(picked, "down")
		}
		press(picked, "enter")
		a, b := opened.lab, picked.lab
		if !a.Config.Equal(b.Config) || a.Cursor != b.Cursor || !reflect.DeepEqual(a.Marked, b.Marked) ||
			!reflect.DeepEqual(a.Overrides, b.Overrides) || !reflect.DeepEqual(a.Preset, b.Preset) {
			t.Errorf("%s: opened and picked differ:\n%+v\n%+v", name, a.Preset, b.Preset)
		}
		for _, m := range []*Model{opened, picked} {
			ap := paneOf[*AboutPane](m)
			ap.layout()
			text := strings.Join(strings.Fields(ansi.Strip(strings.Join(ap.scroll.lines, " "))), " ")
			if hint := strings.Contains(text, "(This preset is a sweep of"); hint != (p.Mode == presets.Sweep) {
				t.Errorf("%s: sweep hint shown %v for mode %s:\n%s", name, hint, p.Mode, text)
			}
		}
	}
}
