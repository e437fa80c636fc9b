package tui

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/text"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii) // goldens without colour codes
	os.Exit(m.Run())
}

var sizes = [][2]int{{80, 24}, {120, 40}, {200, 60}, {60, 20}, {100, 30}, {110, 36}, {109, 50}, {250, 80}, {81, 35}}

// TestLayoutFits checks that every screen is exactly H lines of at most W
// cells, with and without runs, in every focus, and with help open.
func TestLayoutFits(t *testing.T) {
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := newTestModel(t, w, h)
			checkFits(t, m.View(), w, h)
			for i := range m.lab.Methods {
				st := []lab.Status{lab.Done, lab.Running, lab.Paused, lab.Queued, lab.Diverged, lab.Cancelled}
				fakeRun(m, i, 700*i, 3000, st[i%len(st)])
			}
			for range paneSlots {
				checkFits(t, m.View(), w, h)
				press(m, "tab")
			}
			press(m, "?")
			checkFits(t, m.View(), w, h)
			if !strings.Contains(m.View(), "Keys") {
				t.Errorf("help screen not shown")
			}
			press(m, "?")
			press(m, "L", "z", "c")
			checkFits(t, m.View(), w, h)
		})
	}
}

func TestExactSizesWithColour(t *testing.T) {
	m := New(Options{Profile: termenv.TrueColor, ResultsDir: t.TempDir()})
	t.Cleanup(m.Shutdown)
	for i := range m.lab.Methods {
		fakeRun(m, i, 1000, 2000, lab.Running)
	}
	for _, sz := range sizes {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		v := m.View()
		checkFits(t, v, sz[0], sz[1])
		if !strings.Contains(v, "\x1b[") {
			t.Fatalf("%v: no colour codes with a colour profile", sz)
		}
	}
}

func TestTooSmallAndRecovers(t *testing.T) {
	m := newTestModel(t, 80, 24)
	for _, sz := range [][2]int{{59, 24}, {80, 19}, {20, 5}, {1, 1}, {0, 0}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		v := m.View()
		if sz[0] >= 40 && !strings.Contains(v, fmt.Sprintf("terminal too small: %dx%d (need %dx%d)", sz[0], sz[1], MinWidth, MinHeight)) {
			t.Errorf("%v: no too-small message in %q", sz, v)
		}
		if sz[1] > 0 {
			checkFits(t, v, sz[0], sz[1])
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := m.View(); strings.Contains(v, "too small") || !strings.Contains(v, "Methods") {
		t.Errorf("did not recover:\n%s", v)
	}
}

// TestKeysIgnoredWhileTooSmall: while only the too-small message shows,
// keys do nothing (a hidden race must not start), and q still quits.
func TestKeysIgnoredWhileTooSmall(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	started := func() int {
		n := 0
		for _, r := range m.lab.Runs {
			if r != nil {
				n++
			}
		}
		return n
	}
	press(m, "r", "enter", "x")
	if n := started(); n != 0 {
		t.Fatalf("%d runs started while the terminal was too small", n)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "r")
	if started() == 0 {
		t.Fatal("r did nothing once the terminal was big enough again")
	}
}

func TestNoColourHasNoEscapesAndShowsFocus(t *testing.T) {
	m := newTestModel(t, 120, 40)
	for i := range m.lab.Methods {
		fakeRun(m, i, 1000, 2000, lab.Running)
	}
	v := m.View()
	if strings.Contains(v, "\x1b") {
		t.Fatalf("escape codes under the ASCII profile: %q", v)
	}
	if !strings.Contains(v, "┏━ ▸ Methods") {
		t.Errorf("focused pane not marked without colour")
	}
	// Series are told apart by glyphs: solid for eval, hollow for train.
	for _, g := range []string{"●", "○", "▲", "△", "■", "□"} {
		if !strings.Contains(v, g) {
			t.Errorf("glyph %s missing from the no-colour screen", g)
		}
	}
}

func TestFocusMoves(t *testing.T) {
	m := newTestModel(t, 80, 24)
	want := []string{"settings", "loss", "memory", "board", "about", "methods"}
	for _, f := range want {
		press(m, "tab")
		if m.Focused() != f {
			t.Fatalf("after tab: focus %q, want %q", m.Focused(), f)
		}
	}
	press(m, "shift+tab")
	if m.Focused() != "about" {
		t.Fatalf("shift+tab: focus %q, want about", m.Focused())
	}
	// Narrow: the focused pane is the one under the methods.
	press(m, "shift+tab", "shift+tab") // board, memory
	if !strings.Contains(m.View(), "▸ Memory") {
		t.Errorf("memory pane not shown focused:\n%s", m.View())
	}
	// Wide: every pane is on screen, the about pane (the preset's notes) too.
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "tab", "tab")
	if m.Focused() != "about" {
		t.Errorf("at 120x40 tab from memory twice should reach about, got %q", m.Focused())
	}
	press(m, "tab")
	if m.Focused() != "methods" {
		t.Errorf("at 120x40 tab from about should wrap to methods, got %q", m.Focused())
	}
}

func TestKeysRouteToFocusedPaneOnly(t *testing.T) {
	m := newTestModel(t, 80, 24)
	sp := paneOf[*SettingsPane](m)
	press(m, "j", "j")
	if m.lab.Cursor != 2 || sp.cur != 0 {
		t.Fatalf("methods focused: method cursor %d (want 2), settings cursor %d (want 0)", m.lab.Cursor, sp.cur)
	}
	press(m, "tab", "j", "j", "j")
	if m.lab.Cursor != 2 || sp.cur != 3 {
		t.Fatalf("settings focused: method cursor %d (want 2), settings cursor %d (want 3)", m.lab.Cursor, sp.cur)
	}
	// While a field is open every key is the field's: q types a q.
	press(m, "enter", "q")
	if m.quit || !sp.Capturing() || !strings.HasSuffix(sp.input.Value(), "q") {
		t.Fatalf("q while editing: quit=%v capturing=%v value=%q", m.quit, sp.Capturing(), sp.input.Value())
	}
	press(m, "esc")
	if sp.Capturing() {
		t.Fatal("esc did not leave the field")
	}
	// m (mark) belongs to the methods pane: it does nothing in settings.
	before := append([]bool(nil), m.lab.Marked...)
	press(m, "m")
	for i := range before {
		if before[i] != m.lab.Marked[i] {
			t.Fatal("m changed a mark while settings had the focus")
		}
	}
}

// TestTypedValueReplacesTheOld: the field opens on the current value,
// offered (field.Offer), so typing 16 on rank 8 gives 16, not 816; enter
// on the value as offered keeps the value.
func TestTypedValueReplacesTheOld(t *testing.T) {
	m := newTestModel(t, 80, 24)
	sp := paneOf[*SettingsPane](m)
	press(m, "tab", "enter")
	if sp.input.Value() != sp.rows[sp.cur].set.Get(sp.effective()) || sp.input.Edited() {
		t.Fatalf("field opens with %q (edited %v), want the current value as offered", sp.input.Value(), sp.input.Edited())
	}
	press(m, "1", "6", "enter")
	if m.lab.Config.Rank != 16 {
		t.Fatalf("typed 16: rank is %d", m.lab.Config.Rank)
	}
	before := m.lab.Config
	press(m, "enter", "enter")
	if !m.lab.Config.Equal(before) || sp.Capturing() {
		t.Fatalf("enter on an empty field changed the settings or left the field open")
	}
}

func TestInvalidValuesAreRefused(t *testing.T) {
	m := newTestModel(t, 80, 24)
	sp := paneOf[*SettingsPane](m)
	press(m, "tab") // settings, cursor on rank
	type typed struct{ value, reason string }
	for _, c := range []typed{
		{"999", "rank 999: must be between 1 and 64"},
		{"abc", `rank "abc": not a whole number`},
		{"-3", "rank -3"},
		{" x ", `rank "x": not a whole number`},
	} {
		before := m.lab.Config
		press(m, "enter")
		sp.input.SetValue(c.value)
		press(m, "enter")
		if !m.lab.Config.Equal(before) {
			t.Fatalf("%q was applied", c.value)
		}
		if !strings.Contains(sp.Err(), c.reason) {
			t.Fatalf("%q: refusal %q does not say %q", c.value, sp.Err(), c.reason)
		}
		if !sp.Capturing() {
			t.Fatalf("%q: the field closed on a refused value", c.value)
		}
		if v := m.View(); !strings.Contains(v, "refused") {
			t.Fatalf("%q: refusal not shown:\n%s", c.value, v)
		}
		press(m, "esc")
	}
	// A valid typed value is applied.
	press(m, "enter")
	sp.input.SetValue("16")
	press(m, "enter")
	if m.lab.Config.Rank != 16 || sp.Capturing() {
		t.Fatalf("rank 16 not applied: %d", m.lab.Config.Rank)
	}
	// Stepping: right goes up the ladder, and past the top is refused.
	press(m, "right", "right")
	if m.lab.Config.Rank != 64 {
		t.Fatalf("rank after two steps up from 16: %d, want 64", m.lab.Config.Rank)
	}
	press(m, "right") // 128 > width 64: invalid for LoRA
	if m.lab.Config.Rank != 64 || !strings.Contains(sp.Err(), "rank 128") {
		t.Fatalf("rank 128 not refused: rank %d, err %q", m.lab.Config.Rank, sp.Err())
	}
	// Noise out of range, typed.
	toSetting(t, m, "noise")
	press(m, "enter")
	sp.input.SetValue("11")
	press(m, "enter")
	if tasks.Noise.Float(m.lab.Config) == 11 || !strings.Contains(sp.Err(), "noise 11: must be between 0 and 10") {
		t.Fatalf("noise 11: %v, %q", tasks.Noise.Float(m.lab.Config), sp.Err())
	}
	press(m, "esc")
}

func TestStaleUpdatesAreIgnored(t *testing.T) {
	m := newTestModel(t, 80, 24)
	r := fakeRun(m, 0, 100, 1000, lab.Running)
	if m.lab.Apply(runUpdate{ID: methodID(0), Gen: r.Gen - 1, HasProgress: true, Progress: lab.Progress{Step: 999, Status: lab.Done}}) {
		t.Fatal("an update of an older generation was taken")
	}
	if r.Step != 100 || r.Status != lab.Running {
		t.Fatalf("stale update changed the run: step %d, %s", r.Step, r.Status)
	}
	if m.lab.Apply(runUpdate{ID: methodID(9), Gen: r.Gen}) || m.lab.Apply(runUpdate{ID: methodID(-1)}) {
		t.Fatal("an update for no run was taken")
	}
	m.lab.setRun(0, nil) // reset
	if m.lab.Apply(runUpdate{ID: methodID(0), Gen: r.Gen, HasProgress: true}) {
		t.Fatal("an update for a reset run was taken")
	}
}

// drive runs cmd and feeds the messages it yields back into the model until
// cond holds (or the timeout).
func drive(t *testing.T, m *Model, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	listen := m.lab.hub.listen()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; view:\n%s", m.View())
		}
		msg := listen()
		if msg == nil {
			t.Fatal("hub closed")
		}
		m.Update(msg)
	}
}

// drain applies every batch that arrives until none has for quiet.
func drain(m *Model, quiet time.Duration) {
	for {
		select {
		case b := <-m.lab.hub.out:
			m.Update(b)
		case <-time.After(quiet):
			return
		}
	}
}

func TestRunToCompletion(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m.lab.Config.Steps = 60
	press(m, "enter") // LoRA, under the cursor
	r := m.lab.Runs[0]
	if r == nil {
		t.Fatalf("no run started: %s", m.lab.Message)
	}
	drive(t, m, 60*time.Second, func() bool { return r.Result != nil })
	if !r.Measured || r.Step != 60 || r.Hist.Len() == 0 {
		t.Fatalf("measured %v step %d points %d", r.Measured, r.Step, r.Hist.Len())
	}
	formula, _ := formulaMemory(m.lab.Methods[0], r.Config)
	if r.Memory != formula {
		t.Fatalf("ledger %+v != formula %+v", r.Memory, formula)
	}
	v := m.View()
	checkFits(t, v, 120, 40)
	for _, want := range []string{"✓ done", "✓", "LoRA done"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if s := m.Summary(); !strings.Contains(s, "LoRA done after 60 steps") {
		t.Errorf("summary: %q", s)
	}
	// e saves the ended run.
	pressRun(m, "e")
	if !strings.Contains(m.lab.Message, "saved run ") {
		t.Errorf("save: %s", m.lab.Message)
	}
}

func TestRaceAndControls(t *testing.T) {
	m := newTestModel(t, 200, 60)
	m.lab.Config.Steps = 200
	for i := range m.lab.Marked {
		m.lab.Mark(i, i < 3)
	}
	press(m, "-", "-", "-") // 50 steps/s: slow enough to pause
	press(m, "r")
	for i := 0; i < 3; i++ {
		if m.lab.Runs[i] == nil {
			t.Fatalf("race did not start %s: %s", m.lab.Infos[i].Title, m.lab.Message)
		}
	}
	if m.lab.Runs[3] != nil {
		t.Fatal("race started an unmarked method")
	}
	var r *RunView // the first run that gets a core
	drive(t, m, 30*time.Second, func() bool {
		for _, x := range m.lab.Runs[:3] {
			if x.Status == lab.Running && x.Step > 0 {
				r = x
				return true
			}
		}
		return false
	})
	m.lab.SetCursor(r.ID)
	press(m, "space")
	if r.Status != lab.Paused {
		t.Fatalf("space did not pause: %s", r.Status)
	}
	drain(m, 300*time.Millisecond) // the engine's last events before it paused
	step := r.Step
	press(m, ".")
	drive(t, m, 10*time.Second, func() bool { return r.Step == step+1 })
	press(m, "enter")
	if r.Status != lab.Running {
		t.Fatalf("enter did not resume: %s", r.Status)
	}
	press(m, "s")
	drive(t, m, 10*time.Second, func() bool { return r.Status == lab.Cancelled })
	press(m, "x")
	if m.lab.Runs[r.ID] != nil {
		t.Fatal("x did not reset the run")
	}
	// Full speed again; the other two finish.
	press(m, "+", "+", "+")
	drive(t, m, 60*time.Second, func() bool {
		for _, x := range m.lab.Runs {
			if x != nil && x.Result == nil {
				return false
			}
		}
		return true
	})
	v := m.View()
	checkFits(t, v, 200, 60)
	if !strings.Contains(v, "winner") {
		t.Errorf("no winner on the leaderboard (%s):\n%s", m.lab.Message, v)
	}
}

func TestLiveLearningRate(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.lab.Config.Steps = 100000
	press(m, "enter")
	r := m.lab.Runs[0]
	drive(t, m, 20*time.Second, func() bool { return r.Status == lab.Running && r.Step > 0 })
	press(m, "tab", "j", "j", "j", "right") // settings: lr
	sp := paneOf[*SettingsPane](m)
	if !strings.Contains(sp.note, "applied live to LoRA only") {
		t.Fatalf("lr change: note %q err %q", sp.note, sp.Err())
	}
	drive(t, m, 10*time.Second, func() bool { return r.LR == 5e-3 })
	press(m, "j") // schedule: not live
	press(m, "left")
	if !strings.Contains(sp.note, "applies to the next run") {
		t.Fatalf("steps change: note %q", sp.note)
	}
	press(m, "q")
	if r.Status != lab.Running && r.Status != lab.Paused {
		t.Logf("status at quit: %s", r.Status)
	}
	if !strings.Contains(m.Summary(), "stopped by quit") {
		t.Errorf("summary: %q", m.Summary())
	}
}

func TestBadInputNeverPanics(t *testing.T) {
	m := newTestModel(t, 80, 24)
	keys := []string{"enter", "s", "x", ".", "-", "+", "L", "z", "c", "m", "a", "?", "esc", "tab", "left", "right", "up", "down", "h", "l", "k", "j", "space", "e", "r", "backspace", "ñ", "世界"}
	for round := 0; round < 3; round++ {
		for _, k := range keys {
			if k == "r" || k == "enter" || k == "space" {
				continue // starting runs is covered elsewhere
			}
			press(m, k)
			m.View()
		}
		m.Update(tea.WindowSizeMsg{Width: 30 + round*40, Height: 10 + round*14})
		m.Update(nil)
		m.Update(struct{}{})
	}
	for _, s := range []string{text.ShortLoss(math.NaN()), text.ShortLoss(1e300), text.Bytes(-1), text.ShortCount(-5), ansi.Strip(text.Fit("x", -1))} {
		_ = s
	}
}

// TestIdleWhenNothingRuns: with no run training, a memory tick schedules no
// further tick, so the program sleeps until a key or a resize.
func TestIdleWhenNothingRuns(t *testing.T) {
	m := newTestModel(t, 80, 24)
	if cmd := m.Init(); cmd == nil {
		t.Fatal("Init should arm the progress listener")
	}
	if _, cmd := m.Update(tickMsg{}); cmd != nil {
		t.Fatal("a tick with no active run scheduled another tick")
	}
	if m.ticking {
		t.Fatal("still ticking with no active run")
	}
	if cmd := m.startTick(); cmd != nil {
		t.Fatal("startTick with no active run")
	}
}

// TestKeyReflectedWhileSixRunsTrain: with six runs training, a key press
// changes the very next view.
func TestKeyReflectedWhileSixRunsTrain(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m.lab.Config.Steps = 1_000_000
	press(m, "r")
	if m.lab.Active() != 6 {
		t.Fatalf("%d runs active: %s", m.lab.Active(), m.lab.Message)
	}
	drive(t, m, 20*time.Second, func() bool { return m.lab.Runs[0].Step > 0 || m.lab.Runs[1].Step > 0 })
	before := m.View()
	press(m, "j")
	after := m.View()
	if before == after || !strings.Contains(after, "› [x] ▲ LoRA-FA") {
		t.Fatalf("the key press did not show on the next frame:\n%s", after)
	}
}

func TestSweepDialog(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m.lab.Config.Steps = 40
	for i := range m.lab.Marked {
		m.lab.Mark(i, i < 2) // LoRA and LoRA-FA
	}
	press(m, "w")
	sp := paneOf[*SweepPane](m)
	if !strings.Contains(m.View(), "No sweep yet") {
		t.Fatalf("dialog not open:\n%s", m.View())
	}
	// Keys go to the dialog: q types, it does not quit.
	sp.input.SetValue("")
	press(m, "q", "enter")
	if m.quit || !strings.Contains(sp.errText, "refused") {
		t.Fatalf("bad values: quit=%v err=%q", m.quit, sp.errText)
	}
	if sp.names[sp.cur] != "rank" {
		t.Fatalf("first sweepable setting %q", sp.names[sp.cur])
	}
	sp.input.SetValue("2,99")
	press(m, "enter")
	if !strings.Contains(sp.errText, "rank 99") || m.lab.Sweep != nil {
		t.Fatalf("rank 99 not refused: %q", sp.errText)
	}
	sp.input.SetValue("1,4")
	press(m, "enter")
	if sp.errText != "" || m.lab.Sweep == nil || len(m.lab.Sweep.Runs) != 4 {
		t.Fatalf("sweep not started: %q", sp.errText)
	}
	drive(t, m, 60*time.Second, func() bool { return m.lab.Sweep.Done() == 4 })
	v := m.View()
	checkFits(t, v, 120, 40)
	for _, want := range []string{"4 of 4 ended", "best rank=", "final eval loss (log scale) against rank", "trainable parameters (log scale) against rank", "memory in bytes"} {
		if !strings.Contains(v, want) {
			t.Errorf("sweep view lacks %q:\n%s", want, v)
		}
	}
	press(m, "esc")
	if m.Dialog() != "" || !strings.Contains(m.View(), "Methods") {
		t.Fatal("esc did not close the dialog")
	}
	// e saves the sweep as a sweep bundle, with its table.
	pressRun(m, "e")
	files, _ := filepath.Glob(filepath.Join(m.opts.ResultsDir, "sweep-*.json"))
	if len(files) != 1 || !strings.Contains(m.lab.Message, "saved sweep ") {
		t.Fatalf("sweep not saved: %q, files %v", m.lab.Message, files)
	}
	if data, _ := os.ReadFile(files[0]); !strings.Contains(string(data), `"setting": "rank"`) || !strings.Contains(string(data), `"table"`) {
		t.Errorf("saved sweep lacks its setting or table")
	}
	for _, sz := range sizes {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		press(m, "w")
		checkFits(t, m.View(), sz[0], sz[1])
		press(m, "esc")
	}
}

// A preset's per-method value is replaced by the user's, and the new value
// must be valid for every method it will apply to.
func TestPresetOverrides(t *testing.T) {
	m := New(Options{Preset: &presets.Preset{Mode: presets.Race, Methods: []string{"vera", "lora"},
		Overrides: map[string]map[string]string{"vera": {"rank": "256"}, "lora": {"rank": "1"}}},
		Profile: termenv.Ascii, ResultsDir: t.TempDir()})
	t.Cleanup(m.Shutdown)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.lab.Cursor != m.lab.Index("vera") {
		t.Fatalf("cursor on %d, want VeRA", m.lab.Cursor)
	}
	if cfg, _ := m.lab.ConfigFor(m.lab.Index("lora")); cfg.Rank != 1 {
		t.Fatalf("lora rank %d, want the preset's 1", cfg.Rank)
	}
	press(m, "tab", "right") // rank 256 → 512: invalid for LoRA, which is marked
	sp := paneOf[*SettingsPane](m)
	if !strings.Contains(sp.Err(), "rank 512") {
		t.Fatalf("rank 512 accepted for a race with LoRA: err %q, config rank %d", sp.Err(), m.lab.Config.Rank)
	}
	press(m, "left") // 128: still invalid for LoRA
	press(m, "enter")
	sp.input.SetValue("16")
	press(m, "enter")
	if m.lab.Config.Rank != 16 || len(m.lab.Overrides["vera"]) != 0 || !strings.Contains(sp.note, "preset value for") {
		t.Fatalf("rank 16: config %d, overrides %v, note %q", m.lab.Config.Rank, m.lab.Overrides, sp.note)
	}
}

// TestSettingsSaysWhatIsOutOfView: at 80x24 the settings list does not fit;
// a line says how many rows are below, and moving down reveals them.
func TestSettingsSaysWhatIsOutOfView(t *testing.T) {
	m := newTestModel(t, 80, 24)
	press(m, "tab")
	v := m.View()
	rows := paneOf[*SettingsPane](m).rows
	last := rows[len(rows)-1].label
	if !strings.Contains(v, "below") || strings.Contains(v, last) {
		t.Fatalf("no out-of-view marker, or everything fits:\n%s", v)
	}
	press(m, "up") // round the list to the last row
	v = m.View()
	if !strings.Contains(v, last) || !strings.Contains(v, "above") {
		t.Fatalf("moving down did not reveal the last rows:\n%s", v)
	}
	checkFits(t, v, 80, 24)
}

// TestSweepAndMethodRunsHaveTheirOwnKeys: a sweep run and a method run with
// the same index and generation are different runs; an update reaches only
// the one it names.
func TestSweepAndMethodRunsHaveTheirOwnKeys(t *testing.T) {
	m := newTestModel(t, 80, 24)
	r := fakeRun(m, 0, 100, 1000, lab.Running)
	sw := fakeSweep(m, "rank", []string{"1", "2"}, []int{0})
	sr := sw.Runs[1] // still running
	sr.Gen = r.Gen
	if !m.lab.Apply(runUpdate{ID: sweepID(1), Gen: r.Gen, HasProgress: true, Progress: lab.Progress{Step: 77, Steps: 100, Status: lab.Running, EvalLoss: 0.5}}) {
		t.Fatal("the sweep run's update was dropped")
	}
	if sr.Step != 77 || r.Step != 100 {
		t.Fatalf("sweep run at step %d (want 77), method run at %d (want 100)", sr.Step, r.Step)
	}
	if !m.lab.Apply(runUpdate{ID: methodID(0), Gen: r.Gen, HasProgress: true, Progress: lab.Progress{Step: 120, Steps: 1000, Status: lab.Running}}) {
		t.Fatal("the method run's update was dropped")
	}
	if sr.Step != 77 || r.Step != 120 {
		t.Fatalf("sweep run at step %d (want 77), method run at %d (want 120)", sr.Step, r.Step)
	}
	if m.lab.Apply(runUpdate{ID: sweepID(len(sw.Runs)), Gen: r.Gen}) {
		t.Fatal("an update for a sweep run that does not exist was taken")
	}
}

// TestQueuedRunGetsTheLiveLearningRate: with one seat, the second run
// waits in the pool; a learning rate set meanwhile with the cursor on it
// reaches it only (the engine keeps the controls of a queued run), and it
// trains with it once the first run is stopped.
func TestQueuedRunGetsTheLiveLearningRate(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Workers: 1, Seats: 1})
	m.lab.Config.Steps = 1_000_000
	press(m, "enter", "j", "enter") // LoRA trains, LoRA-FA waits for a seat
	first, second := m.lab.Runs[0], m.lab.Runs[1]
	if first == nil || second == nil {
		t.Fatalf("runs not started: %s", m.lab.Message)
	}
	drive(t, m, 20*time.Second, func() bool { return first.Status == lab.Running && second.Status == lab.Queued })
	press(m, "tab", "j", "j", "j", "right", "shift+tab") // settings: lr one rung up
	sp := paneOf[*SettingsPane](m)
	if !strings.Contains(sp.note, "applied live to LoRA-FA only") {
		t.Fatalf("lr change: note %q err %q", sp.note, sp.Err())
	}
	lr := m.lab.Config.LR
	if first.LiveChanged() || !second.LiveChanged() {
		t.Fatalf("live change reached LoRA %v, LoRA-FA %v; want LoRA-FA only", first.LiveChanged(), second.LiveChanged())
	}
	press(m, "k", "s") // stop LoRA: LoRA-FA gets the core
	drive(t, m, 20*time.Second, func() bool { return second.Status == lab.Running && second.Step > 0 })
	if second.LR != lr {
		t.Fatalf("the queued run trains with lr %v, want the live %v", second.LR, lr)
	}
}

// TestSlotTableDrivesTheLayout: tab visits every row of paneSlots in order
// but those whose shown says no (the samples pane, on a task that writes
// no text); in the wide layout each column's panes fill the body exactly,
// and the narrow layout's tab list names every other pane by its short
// name (where the title is not clipped).
func TestSlotTableDrivesTheLayout(t *testing.T) {
	for _, sz := range sizes {
		m := newTestModel(t, sz[0], sz[1])
		for i := range paneSlots {
			if s := paneSlots[i]; s.shown != nil && !s.shown(m.c) {
				continue
			}
			if m.Focused() != paneSlots[i].name {
				t.Fatalf("%v: tab %d reached %q, want %q", sz, i, m.Focused(), paneSlots[i].name)
			}
			press(m, "tab")
		}
		if m.lo.narrow {
			if sz[0] < 80 {
				continue // the title is clipped
			}
			v := m.View()
			for _, s := range paneSlots[1:] {
				if s.shown != nil && !s.shown(m.c) {
					continue
				}
				if s.name != paneSlots[m.bottom].name && !strings.Contains(v, " "+s.name) {
					t.Errorf("%v: the tab list lacks %q:\n%s", sz, s.name, v)
				}
			}
			continue
		}
		for col := range 2 {
			sum := 0
			for i, s := range paneSlots {
				if s.column == col {
					sum += m.lo.h[i]
				}
			}
			if sum != m.lo.bodyH {
				t.Errorf("%v: column %d holds %d rows, body %d", sz, col, sum, m.lo.bodyH)
			}
		}
	}
}

// TestSaveIsACommand: e writes nothing inside Update; the command it
// returns saves, and its message says where (or why it failed).
func TestSaveIsACommand(t *testing.T) {
	m := newTestModel(t, 80, 24)
	if _, cmd := m.Update(keyMsg("e")); cmd != nil || !strings.Contains(m.lab.Message, "nothing to save yet") {
		t.Fatalf("nothing ended: cmd %v, message %q", cmd != nil, m.lab.Message)
	}
	r := fakeRun(m, 0, 100, 100, lab.Done)
	last, _ := r.Hist.Last()
	r.Result = &lab.Result{Method: r.Info.Name, Status: lab.Done, Config: r.Config, Params: lab.Params{Total: 5000, Trainable: 500},
		History: r.Hist.Points(), Final: last}
	_, cmd := m.Update(keyMsg("e"))
	written := func() []string {
		files, _ := filepath.Glob(filepath.Join(m.opts.ResultsDir, "*"))
		return files
	}
	if cmd == nil || len(written()) != 0 {
		t.Fatalf("Update saved by itself: cmd %v, files %v", cmd != nil, written())
	}
	m.Update(cmd())
	if files := written(); len(files) != 2 || !strings.Contains(m.lab.Message, "saved run "+files[1]) {
		t.Fatalf("after the command: files %v, message %q", files, m.lab.Message)
	}
	// A results folder that cannot be made: the message says so.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m.opts.ResultsDir = filepath.Join(blocker, "results")
	_, cmd = m.Update(keyMsg("e"))
	m.Update(cmd())
	if !m.lab.MessageErr || !strings.HasPrefix(m.lab.Message, "save failed: ") {
		t.Fatalf("unwritable folder: %q", m.lab.Message)
	}
}

// TestLayoutFollowsTheRegistry: with two more methods than the registry
// has, every method still has its row in the methods pane and on the
// leaderboard, and every screen fits: no count of methods is built in.
func TestLayoutFollowsTheRegistry(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		m := newTestModel(t, sz[0], sz[1])
		l := m.lab
		n := len(l.Methods)
		l.Methods = append(l.Methods, l.Methods[:2]...)
		l.Infos = append(l.Infos, l.Infos[:2]...)
		l.Marked = append(l.Marked, false, false)
		l.Runs = append(l.Runs, nil, nil)
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for i := range l.Methods {
			fakeRun(m, i, 100*i, 1000, lab.Running)
		}
		v := m.View()
		checkFits(t, v, sz[0], sz[1])
		methods := strings.Count(v, "[ ] ") + strings.Count(v, "[x] ")
		if methods != n+2 {
			t.Errorf("%v: %d method rows, want %d:\n%s", sz, methods, n+2, v)
		}
		// The leaderboard's inside: a header, a row per method, the banner, a footer.
		if got := paneOf[*BoardPane](m).h; sz[0] >= 110 && got != (n+2)+3 {
			t.Errorf("%v: leaderboard inside is %d rows, want %d", sz, got, (n+2)+3)
		}
	}
}
