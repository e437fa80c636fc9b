package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestRaceSeatsByMemory: a race whose runs do not fit the memory budget
// together is started with fewer seated at once and says so on the status
// line; one whose single run exceeds the budget is refused with its estimate.
func TestRaceSeatsByMemory(t *testing.T) {
	probe := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera", "full")})
	var most int64
	for _, i := range probe.lab.RaceMethods() {
		cfg, err := prepare(probe.lab.Methods[i], probe.lab.Config)
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, lab.MemoryOf(jobOf(probe.lab.Methods[i], cfg)).Total())
	}
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera", "full"), Memory: 2*most + most/2})
	m.lab.Race()
	if msg := m.lab.Message; m.lab.MessageErr || !strings.Contains(msg, "memory: 2 of 3 at a time") {
		t.Fatalf("race message %q", msg)
	}
	small := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera", "full"), Memory: most / 2})
	small.lab.Race()
	if msg := small.lab.Message; !small.lab.MessageErr || !strings.Contains(msg, "race refused:") || !strings.Contains(msg, "more than the memory budget of") {
		t.Fatalf("race message %q", msg)
	}
	if small.lab.Active() != 0 {
		t.Fatal("a refused race started runs")
	}
}

// gate holds every Forward of a gatedLoRA run once armed, until opened:
// a step as slow as the test likes.
type gate struct {
	entered chan struct{} // receives once a Forward waits at the gate
	open    chan struct{} // closed to let every Forward through
	armed   atomic.Bool
}

func newGate() *gate { return &gate{entered: make(chan struct{}, 1), open: make(chan struct{})} }

// gatedLoRA is LoRA whose layers' Forward waits at g while it is armed.
type gatedLoRA struct {
	adapters.LoRA
	g *gate
}

func (m gatedLoRA) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	var out []lab.Adapted
	for _, a := range m.LoRA.Build(env, layers) {
		out = append(out, gatedLayer{a, m.g})
	}
	return out
}

type gatedLayer struct {
	lab.Adapted
	g *gate
}

func (l gatedLayer) Forward(x, y *lab.Mat) {
	if l.g.armed.Load() {
		select {
		case l.g.entered <- struct{}{}:
		default:
		}
		<-l.g.open
	}
	l.Adapted.Forward(x, y)
}

// slowStepModel is a lab whose LoRA run is in the middle of a step that
// does not end until the returned gate opens.
func slowStepModel(t *testing.T) (*Model, *gate) {
	t.Helper()
	g := newGate()
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora")})
	i := m.lab.Index("lora")
	m.lab.Methods[i] = gatedLoRA{g: g}
	m.lab.Config.Steps = 1_000_000
	m.lab.SetCursor(i)
	press(m, "enter")
	// Let the lab see the run train (status running, a few steps), then
	// hold its next step.
	within(t, "the first progress", func() {
		for r := m.lab.Runs[i]; r.Status != lab.Running || r.Step == 0; {
			m.Update(m.lab.Listen()())
		}
	})
	g.armed.Store(true)
	select {
	case <-g.entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the run never reached its step")
	}
	t.Cleanup(func() { // before the model's Shutdown (cleanups run last first)
		select {
		case <-g.open:
		default:
			close(g.open)
		}
	})
	return m, g
}

// within fails the test unless f returns within 20 s: Update must never
// wait for a run (the deadline only detects a hang).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s blocked while a step was in progress", what)
	}
}

// TestQuitNeverWaitsForASlowStep: q and ctrl+c quit at once, showing
// "stopping…", while a run is in the middle of a slow step (Quit used to
// wait inside Update for the lab's goroutines, freezing the screen until
// the step ended); Shutdown, after the program, waits for the run.
func TestQuitNeverWaitsForASlowStep(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			m, g := slowStepModel(t)
			var cmd tea.Cmd
			within(t, k, func() { _, cmd = m.Update(keyMsg(k)) })
			if cmd == nil || cmd() != tea.Quit() {
				t.Fatalf("%s did not quit", k)
			}
			if v := m.View(); !strings.Contains(v, "stopping…") {
				t.Fatalf("last frame %q", v)
			}
			if m.lab.Message != "stopping…" {
				t.Fatalf("status %q", m.lab.Message)
			}
			close(g.open)
			m.Shutdown() // returns once the step has ended and the run stopped
		})
	}
}

// TestStopMsgQuitsLikeQ: the CLI's relay of SIGINT, SIGTERM and SIGHUP
// quits through the same path, without waiting.
func TestStopMsgQuitsLikeQ(t *testing.T) {
	m, g := slowStepModel(t)
	var cmd tea.Cmd
	within(t, "StopMsg", func() { _, cmd = m.Update(StopMsg{}) })
	if cmd == nil || cmd() != tea.Quit() || !m.quit {
		t.Fatal("StopMsg did not quit")
	}
	close(g.open)
}

// TestMashingSpaceDuringASlowStepNeverBlocks: thousands of presses of
// space (pause, resume, pause, …) while the run is inside a slow step all
// return at once — the controls wait in the run's inbox, never in Update —
// and the run applies them, in order, once the step ends.
func TestMashingSpaceDuringASlowStepNeverBlocks(t *testing.T) {
	m, g := slowStepModel(t)
	within(t, "space", func() {
		for range 2001 { // odd: it ends paused
			m.Update(keyMsg("space"))
		}
	})
	if r := m.lab.Runs[m.lab.Cursor]; r.Status != lab.Paused {
		t.Fatalf("after an odd number of presses the lab shows %s", r.Status)
	}
	g.armed.Store(false)
	close(g.open)
	within(t, "the engine's report of the pause", func() {
		for {
			b, _ := m.lab.Listen()().(batchMsg)
			for _, u := range b.Updates {
				if u.ID == methodID(m.lab.Cursor) && u.HasProgress && u.Progress.Status == lab.Paused {
					return // the run applied the controls, in order: it ended paused
				}
			}
			m.Update(b)
		}
	})
}

// fakeClipboard writes xclip, xsel and wl-paste into a new folder, each
// appending its name to a marker file when run; it returns the folder and
// the marker's path.
func fakeClipboard(t *testing.T) (dir, marker string) {
	t.Helper()
	dir = t.TempDir()
	marker = filepath.Join(dir, "ran")
	for _, name := range []string{"xclip", "xsel", "wl-paste", "wl-copy"} {
		script := "#!/bin/sh\necho " + name + " >> '" + marker + "'\necho pasted\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, marker
}

// runCmd runs cmd and every command its messages batch, as bubbletea would,
// and returns the messages.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// TestPasteNeverExecs: ctrl+v in the lab's text fields (a setting's value,
// the sweep's values) runs no program — bubbles read the clipboard by
// running xclip from PATH, the lab's only exec — while bracketed paste from
// the terminal still types its text. The clipboard package looks its
// programs up on PATH when the process starts, so the test runs itself
// again with fake ones first on PATH.
func TestPasteNeverExecs(t *testing.T) {
	marker := os.Getenv("LORALAB_TEST_PASTE_MARKER")
	if marker == "" {
		dir, marker := fakeClipboard(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestPasteNeverExecs$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "LORALAB_TEST_PASTE_MARKER="+marker)
		out, err := cmd.CombinedOutput()
		if b, _ := os.ReadFile(marker); len(b) > 0 {
			t.Fatalf("ctrl+v ran %s\n%s", b, out)
		}
		if err != nil || !strings.Contains(string(out), "PASS") {
			t.Fatalf("the test with a fake clipboard: %v\n%s", err, out)
		}
		return
	}
	ran := func(where string) {
		if b, _ := os.ReadFile(marker); len(b) > 0 {
			t.Fatalf("ctrl+v in %s ran %s", where, b)
		}
	}
	m := newTestModel(t, 120, 40)
	sp := paneOf[*SettingsPane](m)
	press(m, "tab", "enter") // the rank's field
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlV})
	for _, msg := range runCmd(cmd) {
		m.Update(msg)
	}
	ran("a setting's field")
	if v := sp.input.Value(); v != "8" || sp.input.Edited() {
		t.Fatalf("ctrl+v typed %q (edited %v), want the rank as offered", v, sp.input.Edited())
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("16"), Paste: true})
	if v := sp.input.Value(); v != "16" {
		t.Fatalf("bracketed paste gave %q, want 16", v)
	}
	press(m, "esc", "shift+tab")
	press(m, "w") // the sweep dialog's values
	sw := paneOf[*SweepPane](m)
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyCtrlV})
	for _, msg := range runCmd(cmd) {
		m.Update(msg)
	}
	ran("the sweep dialog")
	before := sw.input.Value()
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("1,64"), Paste: true}) // replaces the offered list, as typing does
	if sw.input.Value() != "1,64" {
		t.Fatalf("bracketed paste in the sweep dialog: %q → %q", before, sw.input.Value())
	}
}

// TestLongRunSaysSoBeforeItStarts: starting a run or a race that would take
// hours says how long on the status line; a short one does not.
func TestLongRunSaysSoBeforeItStarts(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera")})
	m.lab.Config.Steps = lab.MaxSteps
	if _, err := m.lab.SetSetting(settingNamed(t, "width"), "256"); err != nil {
		t.Fatal(err)
	}
	press(m, "enter")
	if msg := m.lab.Message; !strings.Contains(msg, "started; it may take about") {
		t.Fatalf("status %q", msg)
	}
	m.lab.Race()
	if msg := m.lab.Message; !strings.Contains(msg, "race: LoRA, VeRA") || !strings.Contains(msg, "; it may take about") {
		t.Fatalf("status %q", msg)
	}
	short := newTestModelWith(t, 120, 40, Options{Preset: marks("lora")})
	press(short, "enter")
	if msg := short.lab.Message; strings.Contains(msg, "may take") {
		t.Fatalf("a default run: %q", msg)
	}
}

func settingNamed(t *testing.T, name string) lab.Setting {
	t.Helper()
	s, err := catalog.Setting(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
