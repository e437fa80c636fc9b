package tui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/loralab/loralab/lab"
	"go.uber.org/goleak"
)

// screen runs m in a teatest program of size w × h, types keys, waits for
// want on the screen, quits, and compares the final view with the golden
// file testdata/<test name>.golden (go test -update rewrites it).
func screen(t *testing.T, m *Model, w, h int, want string, keys ...string) {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	view := final.View()
	checkFits(t, view, w, h)
	golden.RequireEqual(t, []byte(view))
}

func TestGoldenStart80x24(t *testing.T) {
	screen(t, newTestModel(t, 80, 24), 80, 24, "No runs yet")
}

func TestGoldenHelp80x24(t *testing.T) {
	screen(t, newTestModel(t, 80, 24), 80, 24, "closes this help", "?")
}

func TestGoldenRefused80x24(t *testing.T) {
	screen(t, newTestModel(t, 80, 24), 80, 24, "refused", "tab", "enter", "backspace", "9", "9", "enter")
}

func TestGoldenTooSmall(t *testing.T) {
	screen(t, newTestModel(t, 50, 15), 50, 15, "too small")
}

func racing(t *testing.T, w, h int) *Model {
	m := newTestModel(t, w, h)
	st := []lab.Status{lab.Done, lab.Running, lab.Paused, lab.Queued, lab.Diverged, lab.Done}
	steps := []int{2000, 1200, 800, 0, 500, 2000}
	for i := range m.lab.Methods {
		fakeRun(m, i, steps[i%len(steps)], 2000, st[i%len(st)])
	}
	return m
}

func TestGoldenRace80x24(t *testing.T)  { screen(t, racing(t, 80, 24), 80, 24, "Loss") }
func TestGoldenRace120x40(t *testing.T) { screen(t, racing(t, 120, 40), 120, 40, "Leaderboard") }
func TestGoldenRace200x60(t *testing.T) { screen(t, racing(t, 200, 60), 200, 60, "About") }
func TestGoldenMemory80x24(t *testing.T) {
	screen(t, racing(t, 80, 24), 80, 24, "ledger", "tab", "tab", "tab")
}

// TestNoGoroutineOutlivesQuit trains a race through a real program, quits
// with q, shuts the lab down as loralab does after the program, and checks
// that every goroutine the lab started has ended.
func TestNoGoroutineOutlivesQuit(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	m := New(Options{Preset: marks("lora", "vera", "full"), ResultsDir: t.TempDir(), Workers: 2})
	m.lab.Config.Steps = 1_000_000
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	tm.Send(keyMsg("r"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("running")) },
		teatest.WithDuration(20*time.Second))
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	m.Shutdown() // as loralab does once the program has ended: Quit does not wait in Update
	if m.lab.Active() == 0 {
		t.Log("runs ended before quit")
	}
	goleak.VerifyNone(t, ignore,
		// teatest's own SIGINT watcher lives until the process ends.
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
		goleak.IgnoreAnyFunction("os/signal.loop"),
	)
	_ = tea.Quit
}

func TestGoldenSweepDialog80x24(t *testing.T) {
	screen(t, newTestModel(t, 80, 24), 80, 24, "No sweep yet", "w")
}

func TestGoldenPresets80x24(t *testing.T) {
	screen(t, newTestModel(t, 80, 24), 80, 24, "rank-matters", "p") // once the presets are read
}

func TestGoldenExplain80x24(t *testing.T) {
	screen(t, newTestModel(t, 80, 24), 80, 24, "Explain", "i")
}

func TestGoldenExplain120x40(t *testing.T) {
	screen(t, racing(t, 120, 40), 120, 40, "Explain", "j", "j", "i")
}

func TestGoldenScale80x24(t *testing.T) {
	screen(t, newTestModel(t, 80, 24), 80, 24, "LLM scale", "M")
}

func TestGoldenScale200x60(t *testing.T) {
	screen(t, newTestModel(t, 200, 60), 200, 60, "LLM scale", "M")
}

func TestGoldenSweepResults80x24(t *testing.T) {
	m := newTestModel(t, 80, 24)
	fakeSweep(m, "rank", []string{"1", "2", "4", "8"}, []int{0, 1, 2})
	screen(t, m, 80, 24, "Sweep", "w")
}

func TestGoldenSweepResults120x40(t *testing.T) {
	m := newTestModel(t, 120, 40)
	fakeSweep(m, "rank", []string{"1", "2", "4", "8", "16"}, []int{0, 1, 2, 3, 4, 5})
	screen(t, m, 120, 40, "Sweep", "w")
}

// notesModel is the lab on race-five, racing, as a workshop sees it.
func notesModel(t *testing.T, w, h int) *Model {
	m := presetModel(t, w, h, "race-five")
	st := []lab.Status{lab.Done, lab.Running, lab.Paused, lab.Queued, lab.Diverged, lab.Done}
	steps := []int{1500, 1200, 800, 0, 500, 1500}
	for i := range m.lab.Methods {
		fakeRun(m, i, steps[i%len(steps)], 1500, st[i%len(st)])
	}
	m.lab.record("race", m.lab.RaceMethods(), "", nil)
	return m
}

func TestGoldenNotes120x40(t *testing.T) { screen(t, notesModel(t, 120, 40), 120, 40, "About") }
func TestGoldenNotes200x60(t *testing.T) { screen(t, notesModel(t, 200, 60), 200, 60, "About") }
func TestGoldenNotes80x24(t *testing.T) {
	screen(t, notesModel(t, 80, 24), 80, 24, "About", "shift+tab")
}
