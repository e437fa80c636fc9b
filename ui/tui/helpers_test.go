package tui

import (
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/muesli/termenv"
)

// newTestModel returns a model with the race-five methods marked, no colour,
// sized w × h, shut down when the test ends.
func newTestModel(t testing.TB, w, h int) *Model {
	t.Helper()
	m := New(Options{
		Marked: []string{"lora", "lora-fa", "vera", "delta-lora", "lora-plus", "full"},
		Preset: "race-five", Title: "Race: six methods", Notes: "Six methods, one task.",
		Profile: termenv.Ascii, ResultsDir: t.TempDir(),
	})
	t.Cleanup(m.Shutdown)
	m.lab.Proc = NewProcMem(600) // no real samples: goldens must not depend on the heap
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// fakeRun gives method i a run that has recorded `steps` steps (a point every
// 10 steps) of a decaying loss, with status st, without training anything.
func fakeRun(m *Model, i, steps, total int, st lab.Status) *RunView {
	return fakeRunEvery(m, i, steps, total, 10, st)
}

// fakeRunEvery is fakeRun with a point every `every` steps.
func fakeRunEvery(m *Model, i, steps, total, every int, st lab.Status) *RunView {
	l := m.lab
	cfg, _ := lab.Prepare(l.Methods[i], l.Config)
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
	l.Runs[i] = r
	l.RunsVer++
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
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends keys to the model in order.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(keyMsg(k))
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
