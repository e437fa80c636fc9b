package tui

// Tests of the problems a user walkthrough of the lab found (the sweep
// presets, the sweep dialog, X, the quit summary, y), one per problem.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
)

// oneSpace is s without styles and frames, every run of white space one
// space (text wrapped over lines reads as one line).
func oneSpace(s string) string {
	s = strings.NewReplacer("│", " ", "┃", " ").Replace(ansi.Strip(s))
	return strings.Join(strings.Fields(s), " ")
}

// TestSweepPresetSaysHowToRun: a sweep preset, opened (tui --preset) or
// loaded with the picker, says on the status line, on the empty chart and
// in the footer how to run its sweep — w, then enter — and r, which races
// its one marked method, says so too.
func TestSweepPresetSaysHowToRun(t *testing.T) {
	n := 0
	for _, p := range presets.BuiltIn() {
		if p.Mode != presets.Sweep || p.Sweep == nil {
			continue
		}
		n++
		want := "this preset is a sweep of " + p.Sweep.Setting + " over " + strings.Join(p.Sweep.Values, ",") + ": press w, then enter, to run it"
		m := presetModel(t, 80, 24, p.Name)
		if m.lab.Message != want {
			t.Errorf("%s opened: message %q, want %q", p.Name, m.lab.Message, want)
		}
		v := oneSpace(m.View())
		if !strings.Contains(v, "This preset is a sweep of "+p.Sweep.Setting) || !strings.Contains(v, "press w, then enter, to run it") ||
			strings.Contains(v, "Press enter to train") {
			t.Errorf("%s opened: the screen does not say how to run the sweep:\n%s", p.Name, m.View())
		}
		if c := m.chips(80); !strings.Contains(c, "no runs · w, then enter, runs the preset's sweep") {
			t.Errorf("%s opened: the footer's hint is %q", p.Name, c)
		}
		picked := newTestModel(t, 80, 24)
		if err := picked.lab.LoadPreset(p); err != nil {
			t.Fatal(err)
		}
		if msg := picked.lab.Message; msg != "preset "+p.Name+" loaded: "+want {
			t.Errorf("%s loaded: message %q", p.Name, msg)
		}
	}
	if n < 8 {
		t.Fatalf("only %d sweep presets", n)
	}
	// A race preset says nothing of the kind.
	if m := presetModel(t, 80, 24, "race-five"); strings.Contains(m.View(), "press w") || m.lab.SweepHint() != "" {
		t.Errorf("race-five speaks of a sweep:\n%s", m.View())
	}
	// r on a sweep preset races its one method and says what the preset is.
	m := presetModel(t, 80, 24, "rank-matters")
	m.lab.Config.Steps = 1_000_000
	press(m, "r")
	if !strings.Contains(m.lab.Message, "a race of one method: this preset is a sweep of rank") {
		t.Errorf("r on a sweep preset: %q", m.lab.Message)
	}
}

// TestSweepValuesReplaceTheOld: the sweep dialog's values field behaves as
// the settings pane's (the shared field): typing replaces the offered
// list rather than appending to it; ←/→ keep it to edit in place;
// backspace as the first key clears it; a new setting (↑/↓) offers its
// defaults afresh.
func TestSweepValuesReplaceTheOld(t *testing.T) {
	m := newTestModel(t, 80, 24)
	press(m, "w")
	sw := paneOf[*SweepPane](m)
	offered := sw.input.Value()
	if !strings.Contains(offered, ",") || sw.input.Edited() {
		t.Fatalf("the dialog offers %q (edited %v)", offered, sw.input.Edited())
	}
	press(m, "1", ",", "2")
	if v := sw.input.Value(); v != "1,2" {
		t.Fatalf("typed 1,2 on %q: %q, want 1,2", offered, v)
	}
	press(m, "down", "up") // the first setting again: its defaults, offered
	if v := sw.input.Value(); v != offered || sw.input.Edited() {
		t.Fatalf("back on the setting: %q (edited %v), want %q offered", v, sw.input.Edited(), offered)
	}
	press(m, "left", "right", "backspace")
	if v := sw.input.Value(); v != offered[:len(offered)-1] {
		t.Fatalf("←, →, backspace on %q: %q, want the last character gone", offered, v)
	}
	press(m, "down", "up", "backspace", "4")
	if v := sw.input.Value(); v != "4" {
		t.Fatalf("backspace, 4 on the offered list: %q, want 4", v)
	}
	// Reopened on a preset, the preset's values are offered too.
	press(m, "esc")
	if err := m.lab.LoadPreset(mustPreset(t, "rank-matters")); err != nil {
		t.Fatal(err)
	}
	press(m, "w", "8")
	if v := sw.input.Value(); v != "8" {
		t.Fatalf("8 on rank-matters' values: %q, want 8", v)
	}
}

// mustPreset is the built-in preset called name.
func mustPreset(t testing.TB, name string) presets.Preset {
	t.Helper()
	p, err := presets.Lookup(presets.BuiltIn(), name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSweepDialogKeys: while a sweep trains, the sweep dialog's footer
// says how to stop it and how to close the dialog; S stops it there as on
// the main screen (no value has an S) rather than typing into the values,
// and ! shows the messages in full.
func TestSweepDialogKeys(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Preset: marks("lora")})
	press(m, "w")
	if f := m.footer()[1]; !strings.Contains(f, "esc close") || strings.Contains(f, "stop the sweep") {
		t.Errorf("no sweep: footer %q", f)
	}
	m.lab.Config.Steps = 1_000_000
	if err := m.lab.StartSweep("rank", "1,2"); err != nil {
		t.Fatal(err)
	}
	sw := m.lab.Sweep
	f := m.footer()[1]
	if !strings.Contains(f, "ctrl+x/S stop the sweep") || !strings.Contains(f, "esc close") {
		t.Errorf("a sweep trains: footer %q", f)
	}
	before := paneOf[*SweepPane](m).input.Value()
	press(m, "S")
	if !sw.Stopped || paneOf[*SweepPane](m).input.Value() != before {
		t.Fatalf("S in the dialog: stopped %v, values %q → %q", sw.Stopped, before, paneOf[*SweepPane](m).input.Value())
	}
	if f := m.footer()[1]; strings.Contains(f, "stop the sweep") {
		t.Errorf("a stopped sweep: footer %q", f)
	}
	press(m, "!")
	if m.Dialog() != "messages" || paneOf[*SweepPane](m).input.Value() != before {
		t.Fatalf("! in the sweep dialog: dialog %q, values %q", m.Dialog(), paneOf[*SweepPane](m).input.Value())
	}
	// The help lists S with ctrl+x in the sweep dialog's table.
	listed := false
	for _, tb := range m.helpTables() {
		for _, r := range tb.Rows {
			listed = listed || (tb.Title == "Sweep (w)" && r.Binding.Help().Key == "ctrl+x/S" && key.Matches(keyMsg("S"), r.Binding))
		}
	}
	if !listed {
		t.Error("the help's sweep table does not list ctrl+x/S")
	}
}

// TestStoppedSweepCountsAgree: once a sweep is stopped, its dialog, the
// header and the message give the same counts — so many finished, so many
// stopped early — before and after the cancelled runs' results arrive.
func TestStoppedSweepCountsAgree(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora")})
	m.lab.Config.Steps = 1_000_000
	if err := m.lab.StartSweep("rank", "1,2,4"); err != nil {
		t.Fatal(err)
	}
	sw := m.lab.Sweep
	press(m, "w")
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlX})
	check := func(when string) {
		t.Helper()
		v := oneSpace(m.View())
		if !strings.Contains(m.lab.Message, "sweep of rank stopped: 0 of 3 finished, 3 stopped early") ||
			!strings.Contains(v, "sweep of rank stopped: 0 of 3 finished, 3 stopped early") || !strings.Contains(v, "sweep stopped 0/3") {
			t.Errorf("%s: message %q, screen:\n%s", when, m.lab.Message, m.View())
		}
	}
	check("at once")
	drive(t, m, 30*time.Second, func() bool { return sw.Done() == sw.Total() })
	check("once the runs have ended")

	// A sweep whose runs all finished but one: the one stopped early.
	f := newTestModelWith(t, 120, 40, Options{Preset: marks("lora")})
	fsw := fakeSweep(f, "rank", []string{"1", "2", "4", "8"}, []int{0})
	f.lab.CancelSweep()
	press(f, "w")
	if v := oneSpace(f.View()); !strings.Contains(f.lab.Message, "3 of 4 finished, 1 stopped early; the ended runs' results stay") ||
		!strings.Contains(v, "sweep of rank stopped: 3 of 4 finished, 1 stopped early") || !strings.Contains(v, "sweep stopped 3/4") {
		t.Errorf("message %q, screen:\n%s", f.lab.Message, f.View())
	}
	if got := fsw.Tally(); got != (SweepTally{Total: 4, Finished: 3, Stopped: 1}) {
		t.Errorf("tally %+v", got)
	}
	if s := f.Summary(); !strings.Contains(s, "sweep of rank over 1, 2, 4, 8: 3 of 4 finished, 1 stopped early") {
		t.Errorf("summary: %q", s)
	}
}

// TestSweepLossMovesWhileRunsTrain: the sweep's default view plots each
// configuration's latest eval loss while the runs train together (none
// has ended), labelled as the latest with how many ended; once every run
// has finished it is the final eval loss.
func TestSweepLossMovesWhileRunsTrain(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Preset: marks("lora")})
	sw := fakeSweep(m, "rank", []string{"1", "2", "4", "8"}, []int{0})
	for _, r := range sw.Runs {
		r.Result, r.Status, r.Step = nil, lab.Running, 40
	}
	m.lab.setSweep(sw) // a new version: the dialog redraws
	press(m, "w")
	v := oneSpace(m.View())
	if !strings.Contains(v, "latest eval loss (log scale) against rank · 0 of 4 ended") || strings.Contains(v, "waiting for") ||
		!strings.Contains(v, "best so far rank=8") || strings.Contains(v, "final eval loss (log") {
		t.Fatalf("runs training, none ended:\n%s", m.View())
	}
	// The latest eval losses are the chart's: it has dots (the method's glyph, no colour).
	if n := strings.Count(ansi.Strip(paneOf[*SweepPane](m).View()), "●"); n < 5 { // the legend has one too
		t.Errorf("%d dots on the chart, want one per value:\n%s", n, m.View())
	}
	for _, r := range sw.Runs {
		r.Result, r.Status, r.Step = &lab.Result{Status: lab.Done, Final: lab.Point{Step: 100, Eval: r.Eval}}, lab.Done, 100
	}
	m.lab.setSweep(sw) // a new version: the dialog redraws
	v = oneSpace(m.View())
	if !strings.Contains(v, "final eval loss (log scale) against rank") || strings.Contains(v, "latest") || !strings.Contains(v, "best rank=8") {
		t.Fatalf("every run finished:\n%s", m.View())
	}
}

// TestPresetPickerSaysItScrolls: at 80 × 24 the picker shows part of the
// list, and its title says which part as the other scrolling views do
// (" · 1–11 of 15 ↓"); at the end of the list the arrow points up; where
// the whole list shows there is no marker.
func TestPresetPickerSaysItScrolls(t *testing.T) {
	m := newTestModel(t, 80, 24)
	pressRun(m, "p")
	pp := paneOf[*PresetPicker](m)
	n := len(pp.list)
	_, shown := pp.window()
	if shown >= n {
		t.Fatalf("all %d presets show at 80x24", n)
	}
	want := fmt.Sprintf("Presets · 1–%d of %d ↓", shown, n)
	if v := m.View(); !strings.Contains(v, want) {
		t.Fatalf("no %q:\n%s", want, v)
	}
	press(m, "end")
	if want := fmt.Sprintf("Presets · %d–%d of %d ↑", n-shown+1, n, n); !strings.Contains(m.View(), want) {
		t.Fatalf("at the end, no %q:\n%s", want, m.View())
	}
	resize(m, 200, 60)
	if _, shown := pp.window(); shown < n || strings.Contains(m.View(), " of "+fmt.Sprint(n)+" ") {
		t.Fatalf("200x60 shows %d of %d presets:\n%s", shown, n, m.View())
	}
}

// TestClearAllAsksFirst: X with runs on the board asks once; X again
// clears them all, any other key keeps them (and does what it does).
func TestClearAllAsksFirst(t *testing.T) {
	m := newTestModel(t, 80, 24)
	l := m.lab
	fakeRace(m, 100)
	n := l.RunCount()
	press(m, "X")
	if l.RunCount() != n || !strings.Contains(l.Message, fmt.Sprintf("X again clears all %d runs", n)) {
		t.Fatalf("first X: %d of %d runs left, message %q", l.RunCount(), n, l.Message)
	}
	press(m, "X")
	if l.AnyRun() || !strings.Contains(l.Message, fmt.Sprintf("cleared %d runs", n)) {
		t.Fatalf("second X: runs left %v, message %q", l.AnyRun(), l.Message)
	}
	// Another key cancels, and acts.
	fakeRace(m, 100)
	cursor := l.Cursor
	press(m, "X", "down")
	if l.RunCount() != n || !strings.Contains(l.Message, "nothing cleared") || l.Cursor == cursor {
		t.Fatalf("X, ↓: %d of %d runs left, message %q, cursor %d → %d", l.RunCount(), n, l.Message, cursor, l.Cursor)
	}
	press(m, "X") // asks again: the ↓ disarmed it
	if l.RunCount() != n {
		t.Fatalf("X after a cancel cleared at once")
	}
	press(m, "esc")
	if l.RunCount() != n {
		t.Fatalf("X, esc cleared")
	}
	// Nothing to clear: said at once.
	l.ClearRuns()
	press(m, "X")
	if !strings.Contains(l.Message, "no run to clear") {
		t.Fatalf("X with no runs: %q", l.Message)
	}
}

// TestSummaryWrapsAtWords: the quit summary is wrapped to the width the
// terminal last had, at word boundaries: no line is wider (the command
// line aside, kept whole to copy), and the words read as before.
func TestSummaryWrapsAtWords(t *testing.T) {
	m := newTestModel(t, 80, 24)
	fakeRace(m, 100)
	fakeSweep(m, "rank", []string{"1", "2", "4"}, []int{0})
	m.lab.record("race", m.lab.RaceMethods(), "", nil)
	resize(m, 64, 24)
	s := m.Summary()
	lines := strings.Split(s, "\n")
	if len(lines) < 4 {
		t.Fatalf("summary of %d lines:\n%s", len(lines), s)
	}
	var words []string
	for _, line := range lines {
		if strings.HasPrefix(line, "reproduce: loralab ") {
			continue
		}
		if n := ansi.StringWidth(line); n > 64 {
			t.Errorf("line of %d cells at a 64-column terminal: %q", n, line)
		}
		words = append(words, strings.Fields(line)...)
	}
	if got, want := strings.Join(words, " "), oneSpace(m.paragraph()); got != want {
		t.Errorf("the wrapped summary reads\n%s\nnot\n%s", got, want)
	}
	if !strings.Contains(s, "\nreproduce: loralab race ") {
		t.Errorf("the command is not whole on its own line:\n%s", s)
	}
}

// TestCopyOffersWhatAboutShows: with nothing started, y says so in full on
// the 80-column status line (the no-runs hint gives it room) and About
// offers no copy; once a run has started About offers y with the line,
// and y copies that line.
func TestCopyOffersWhatAboutShows(t *testing.T) {
	var copied []string
	m := newTestModelWith(t, 80, 24, Options{Preset: marks("lora"), Clipboard: func(s string) error { copied = append(copied, s); return nil }})
	about := func() string {
		ap := paneOf[*AboutPane](m)
		ap.layout()
		return oneSpace(strings.Join(append(append([]string{}, ap.scroll.lines...), ap.foot...), "\n"))
	}
	pressRun(m, "y")
	if f := oneSpace(m.footer()[0]); len(copied) != 0 || !strings.Contains(f, "nothing to copy yet: start a run, race or sweep first") || strings.Contains(f, "…") {
		t.Fatalf("y with nothing started: copied %q, status line %q", copied, f)
	}
	if a := about(); strings.Contains(a, "y copies it") || strings.Contains(a, "reproduce") {
		t.Fatalf("About offers a copy with nothing to copy: %s", a)
	}
	m.lab.Config.Steps = 5
	press(m, "enter")
	line := m.lab.ReproduceLine()
	if a := about(); line == "" || !strings.Contains(a, "reproduce: "+line+" · y copies it") {
		t.Fatalf("About after a run: %s (line %q)", a, line)
	}
	pressRun(m, "y")
	if len(copied) != 1 || copied[0] != line {
		t.Fatalf("y copied %q, About offers %q", copied, line)
	}
}
