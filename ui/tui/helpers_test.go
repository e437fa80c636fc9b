package tui

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
	"github.com/muesli/termenv"
)

// newTestModel returns a model with the race-five methods marked, no colour,
// sized w × h, shut down when the test ends.
func newTestModel(t testing.TB, w, h int) *Model {
	t.Helper()
	return newTestModelWith(t, w, h, Options{Preset: &presets.Preset{
		Name: "race-five", Title: "Race: six methods", Notes: "Six methods, one task.", Mode: presets.Race,
		Methods: []string{"lora", "lora-fa", "vera", "delta-lora", "lora-plus", "full"},
	}})
}

// marks is a preset without a name that only marks methods (for a race).
func marks(methods ...string) *presets.Preset {
	return &presets.Preset{Mode: presets.Race, Methods: methods}
}

// newTestModelWith is newTestModel with the given options: no colour, an
// empty user presets folder unless given, a UTF-8 locale for explanations.
func newTestModelWith(t testing.TB, w, h int, opts Options) *Model {
	t.Helper()
	opts.Profile = termenv.Ascii
	if opts.Workers == 0 {
		opts.Workers = 2 // goldens show the pool size: the same on any machine
	}
	if opts.ResultsDir == "" {
		opts.ResultsDir = t.TempDir()
	}
	if opts.PresetDir == "" {
		opts.PresetDir = t.TempDir()
	}
	m := New(opts)
	t.Cleanup(m.Shutdown)
	m.lab.Proc = NewProcMem(600) // no real samples: goldens must not depend on the heap
	paneOf[*ExplainPane](m).getenv = utf8Locale
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// utf8Locale is an environment with a UTF-8 locale.
func utf8Locale(name string) string {
	if name == "LANG" {
		return "en_US.UTF-8"
	}
	return ""
}

// presetModel opens the lab on a built-in preset as loralab tui --preset does.
func presetModel(t testing.TB, w, h int, name string) *Model {
	t.Helper()
	p, err := presets.Lookup(presets.BuiltIn(), name)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := PresetOptions(p)
	if err != nil {
		t.Fatal(err)
	}
	return newTestModelWith(t, w, h, opts)
}

// fakeRun gives method i a run that has recorded `steps` steps (a point every
// 10 steps) of a decaying loss, with status st, without training anything.
func fakeRun(m *Model, i, steps, total int, st lab.Status) *RunView {
	return fakeRunEvery(m, i, steps, total, 10, st)
}

// fakeRunEvery is fakeRun with a point every `every` steps.
func fakeRunEvery(m *Model, i, steps, total, every int, st lab.Status) *RunView {
	l := m.lab
	cfg, _ := prepare(l.Methods[i], l.Config)
	cfg.Steps = total
	mem, tr := formulaMemory(l.Methods[i], cfg)
	r := &RunView{
		ID: i, Gen: 1000 + i, Info: l.Infos[i], Config: cfg, Status: st, Step: steps, Steps: total,
		StepsPerSec: 800 + 100*float64(i), Elapsed: 3 * time.Second, Hist: lab.NewHistory(HistoryCap),
		Memory: mem, Trainable: tr, run: nil, cancel: func() {}, started: true,
	}
	floor := 1e-4 * float64(1+i*i)
	for s := 0; s <= steps; s += every {
		x := float64(s) / float64(max(total, 1))
		train := floor + 0.5*math.Exp(-6*x*float64(1+i%3)) + 0.02*math.Abs(math.Sin(float64(s)/7))*math.Exp(-3*x)
		eval := floor*1.2 + 0.5*math.Exp(-6*x*float64(1+i%3))
		r.Hist.Add(lab.Point{Step: s, Train: train, Eval: eval})
		r.Train, r.Eval = train, eval
	}
	l.setRun(i, r)
	return r
}

// key builds a key press from its name, as the tests type them.
func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends keys to the model in order.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(keyMsg(k))
	}
}

// pressRun presses key and runs the command it returns, as the program
// would, feeding its message back (saving, reading the presets).
func pressRun(m *Model, key string) {
	if _, cmd := m.Update(keyMsg(key)); cmd != nil {
		m.Update(cmd())
	}
}

// checkFits fails unless view is exactly h lines of at most w cells.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%dx%d: view has %d lines, want %d", w, h, len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("%dx%d: line %d is %d cells wide: %q", w, h, i, n, ansi.Strip(l))
		}
	}
}

// fakeSweep gives the lab a sweep of setting over values for the methods
// idx, every run ended (done, with a final eval loss that depends on the
// value and the method) except the last, which is still running.
func fakeSweep(m *Model, setting string, values []string, idx []int) *SweepState {
	l := m.lab
	sw := &SweepState{Setting: setting, Values: values, Methods: idx}
	n := len(idx) * len(values)
	for k := 0; k < n; k++ {
		mi, vi := k/len(values), k%len(values)
		r := &SweepRun{Method: idx[mi], Value: values[vi], Gen: 5000 + k, Status: lab.Done, Step: 100, Steps: 100,
			Trainable: 512 * (vi + 1) * (mi + 1), Memory: int64(100000 * (vi + 2) * (mi + 1)), cancel: func() {}}
		eval := 0.1/float64(vi+1) + 0.001*float64(mi+1)
		r.Eval = eval
		if k == n-1 {
			r.Status, r.Step = lab.Running, 40
		} else {
			r.Result = &lab.Result{Method: l.Infos[idx[mi]].Name, Status: lab.Done, Final: lab.Point{Step: 100, Eval: eval}}
		}
		sw.Runs = append(sw.Runs, r)
	}
	l.setSweep(sw)
	return sw
}

// paneOf returns the model's pane or dialog of type T.
func paneOf[T Component](m *Model) T {
	for _, c := range append(append([]Component(nil), m.panes...), m.dialogs...) {
		if p, ok := c.(T); ok {
			return p
		}
	}
	panic(fmt.Sprintf("no pane of type %T", *new(T)))
}
