package tui

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
	"github.com/muesli/termenv"
)

// TestSameReasonEverywhere: rank = 0 and lr = -0.1 are refused for the
// setting's own reason in a preset file the picker lists and in the
// settings pane, as the command line's flags refuse them.
func TestSameReasonEverywhere(t *testing.T) {
	dir := t.TempDir()
	writePreset(t, dir, "r0.toml", "name = \"r0\"\nmode = \"race\"\nmethods = [\"lora\", \"vera\"]\n[settings]\nrank = 0\n")
	writePreset(t, dir, "lrneg.toml", "name = \"lrneg\"\nmode = \"race\"\nmethods = [\"lora\", \"vera\"]\n[settings]\nlr = -0.1\n")
	m := newTestModelWith(t, 120, 40, Options{PresetDir: dir})
	pressRun(m, "p")
	errs := strings.Join(paneOf[*PresetPicker](m).Errors(), "\n")
	for _, want := range []string{"rank 0: must be at least 1", "lr -0.1: must be a finite number above 0"} {
		if !strings.Contains(errs, want) {
			t.Errorf("picker errors lack %q:\n%s", want, errs)
		}
	}
	press(m, "esc")
	sp := paneOf[*SettingsPane](m)
	for _, c := range [][3]string{{"rank", "0", "rank 0: must be at least 1"}, {"lr", "-0.1", "lr -0.1: must be a finite number above 0"}} {
		m.focus = 1
		for sp.Current() != c[0] {
			press(m, "down")
		}
		press(m, "enter")
		sp.input.SetValue(c[1])
		press(m, "enter")
		if !strings.Contains(sp.Err(), c[2]) {
			t.Errorf("settings pane: %s = %s refused with %q, want %q", c[0], c[1], sp.Err(), c[2])
		}
		press(m, "esc")
	}
}

// endRun ends fake run r as done, through the hub's path (Apply), with a
// result built from its history, as the engine would report it.
func endRun(t *testing.T, m *Model, r *RunView, st lab.Status) {
	t.Helper()
	pts := r.Hist.Points()
	res := &lab.Result{Method: r.Info.Name, Status: st, Config: r.Config, History: pts, Final: pts[len(pts)-1],
		Params: lab.Params{Total: 10000, Trainable: r.Trainable}, Memory: r.Memory, Speed: lab.Speed{StepsPerSecond: r.StepsPerSec}}
	if !m.lab.Apply(runUpdate{ID: methodID(r.ID), Gen: r.Gen, Result: res}) {
		t.Fatalf("%s: the result was dropped", r.Info.Title)
	}
}

// fakeRace gives the marked methods fake runs recorded as a race, each
// with a different floor, still running.
func fakeRace(m *Model, steps int) []*RunView {
	var out []*RunView
	for k, i := range m.lab.RaceMethods() {
		r := fakeRun(m, i, steps, steps, lab.Running)
		r.Elapsed = time.Duration(40+k) * time.Second
		out = append(out, r)
	}
	m.lab.record("race", m.lab.RaceMethods(), "", nil)
	return out
}

// TestPresetStartsANewExperiment (item 1): after a race, loading another
// preset with the picker clears the old runs, so the board, the chart, e
// and the quit summary do not mix two experiments; X clears every run.
func TestPresetStartsANewExperiment(t *testing.T) {
	m := presetModel(t, 120, 40, "race-five")
	for _, r := range fakeRace(m, 500) {
		endRun(t, m, r, lab.Done)
	}
	if !strings.Contains(m.View(), "winner") || m.lab.ReproduceLine() == "" {
		t.Fatalf("the race did not end with a winner:\n%s", m.View())
	}
	pressRun(m, "p")
	pp := paneOf[*PresetPicker](m)
	for pp.list[pp.cur].Name != "full-vs-lora" {
		press(m, "down")
	}
	if v := m.View(); !strings.Contains(v, "enter starts a new experiment: the 6 runs on the board now are cleared") {
		t.Errorf("the picker does not warn that the runs will be cleared:\n%s", v)
	}
	press(m, "enter")
	l := m.lab
	if l.Preset.Name != "full-vs-lora" || l.AnyRun() || l.Sweep != nil || l.Last != nil || l.Banner != "" {
		t.Fatalf("preset %q: runs %v sweep %v last %v banner %q", l.Preset.Name, l.AnyRun(), l.Sweep != nil, l.Last != nil, l.Banner)
	}
	if !strings.Contains(l.Message, "the earlier 6 runs cleared") {
		t.Errorf("the message does not say the runs were cleared: %q", l.Message)
	}
	v := m.View()
	if strings.Contains(v, "winner") || !strings.Contains(v, "No runs yet") {
		t.Errorf("the old race is still on screen:\n%s", v)
	}
	if s := m.Summary(); s != "" {
		t.Errorf("the quit summary still tells the old race: %q", s)
	}
	if len(l.Bundles()) != 0 {
		t.Errorf("e would save the old race")
	}
	// X clears every run, the sweep too.
	fakeRace(m, 100)
	fakeSweep(m, "rank", []string{"1", "2"}, []int{0})
	press(m, "X", "X")
	if l.AnyRun() || l.Sweep != nil || !strings.Contains(l.Message, "cleared 4 runs") {
		t.Fatalf("X: runs %v sweep %v message %q", l.AnyRun(), l.Sweep != nil, l.Message)
	}
}

// TestBoardSaysHowRunsShareTheMachine (items 1, 3): the leaderboard's
// footer says the seated runs take turns on the cores (not "2 at a time"),
// which wait for a seat, and whether the runs share their data.
func TestBoardSaysHowRunsShareTheMachine(t *testing.T) {
	m := newTestModel(t, 200, 60) // two cores
	fakeRace(m, 300)
	v := m.View()
	if !strings.Contains(v, "6 runs take turns on 2 cores, so all move together") || strings.Contains(v, "at a time (one per core)") {
		t.Errorf("footer:\n%s", v)
	}
	if !strings.Contains(v, "same seed and data for every run") {
		t.Errorf("no same-data line:\n%s", v)
	}
	r := fakeRun(m, 6, 100, 300, lab.Running) // PiSSA, with another seed
	m.lab.Config.Seed = 7
	r2 := fakeRun(m, 7, 100, 300, lab.Queued)
	r2.started = false
	_ = r
	if v := m.View(); !strings.Contains(v, "not the same data: seed differ") || !strings.Contains(v, "◷ 1 wait for a seat") {
		t.Errorf("footer with another seed and a queued run:\n%s", v)
	}
}

// TestQueuedRunSaysWhy (item 2): a run queued for a seat says what holds
// the seats and how many runs wait ahead of it.
func TestQueuedRunSaysWhy(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Workers: 1, Seats: 1})
	m.lab.Config.Steps = 1_000_000
	press(m, "enter", "j", "enter", "j", "enter") // LoRA trains; LoRA-FA and VeRA wait
	drive(t, m, 20*time.Second, func() bool { return m.lab.Runs[0].Started() })
	press(m, "enter") // on VeRA: queued
	msg := m.lab.Message
	for _, want := range []string{"VeRA is queued", "waits for a seat — 1 of 1 are taken", "1 run ahead of it"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

// TestSweepSkipsAndStops (item 2): a sweep of rank skips Full FT (it does
// not read rank) and says so; S on the main screen stops it, keeping the
// results of the runs that ended; ctrl+x in the dialog does too.
func TestSweepSkipsAndStops(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "full")})
	m.lab.Config.Steps = 1_000_000
	if err := m.lab.StartSweep("rank", "1,2,4"); err != nil {
		t.Fatal(err)
	}
	sw := m.lab.Sweep
	if len(sw.Runs) != 3 || len(sw.Skipped) != 1 || m.lab.Infos[sw.Skipped[0]].Title != "Full FT" {
		t.Fatalf("sweep of %d runs, skipped %v", len(sw.Runs), sw.Skipped)
	}
	if !strings.Contains(m.lab.Message, "skipped Full FT: it does not read rank") {
		t.Errorf("message: %q", m.lab.Message)
	}
	press(m, "w")
	if v := m.View(); !strings.Contains(v, "skipped: Full FT (does not read rank)") {
		t.Errorf("the dialog does not say Full FT is skipped:\n%s", v)
	}
	press(m, "esc", "S")
	drive(t, m, 30*time.Second, func() bool { return sw.Done() == len(sw.Runs) })
	if !sw.Stopped || m.lab.Sweep != sw {
		t.Fatalf("S: stopped %v, sweep kept %v", sw.Stopped, m.lab.Sweep == sw)
	}
	for _, r := range sw.Runs {
		if r.Result.Status != lab.Cancelled {
			t.Errorf("run %s: %s", r.Value, r.Result.Status)
		}
	}
	// From the dialog: ctrl+x.
	if err := m.lab.StartSweep("rank", "1,2"); err != nil {
		t.Fatal(err)
	}
	sw = m.lab.Sweep
	press(m, "w")
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlX})
	drive(t, m, 30*time.Second, func() bool { return sw.Done() == len(sw.Runs) })
	if !sw.Stopped || !strings.Contains(m.View(), "stopped") {
		t.Fatalf("ctrl+x did not stop the sweep:\n%s", m.View())
	}
	// Only Full FT marked: the sweep is refused with the reason.
	m.lab.Mark(m.lab.Index("lora"), false)
	if err := m.lab.StartSweep("rank", "1,2"); err == nil || !strings.Contains(err.Error(), "no marked method reads rank") {
		t.Fatalf("sweep of rank over Full FT alone: %v", err)
	}
}

// TestRaceTrainsTogether (item 3): with two cores, all four runs of a
// race have taken steps before any of them ends.
func TestRaceTrainsTogether(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "lora-fa", "vera", "full"), Workers: 2})
	m.lab.Config.Steps = 100_000
	press(m, "r")
	idx := m.lab.RaceMethods()
	drive(t, m, 60*time.Second, func() bool {
		for _, i := range idx {
			if r := m.lab.Runs[i]; r.Step == 0 {
				return false
			}
		}
		return true
	})
	for _, i := range idx {
		if !m.lab.Runs[i].Active() {
			t.Fatalf("%s ended before every run had moved", m.lab.Infos[i].Title)
		}
	}
	if !strings.Contains(m.lab.Message, "all 4 train together, taking turns on 2 cores") {
		t.Errorf("race message: %q", m.lab.Message)
	}
}

// plotRows are the lines of a view that belong to a chart's plot: a pane
// (or dialog) line whose y axis (│ or ┤) follows the chart's 9-cell gutter.
func plotRows(v string) string {
	var out []string
	for _, line := range strings.Split(ansi.Strip(v), "\n") {
		r := []rune(line)
		for i := 0; i+10 < len(r); i++ {
			if (r[i] == '│' || r[i] == '┃') && (r[i+10] == '│' || r[i+10] == '┤') && strings.TrimSpace(string(r[i+1:i+2])) == "" {
				out = append(out, string(r[i+11:]))
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// twins gives LoRA and Delta-LoRA runs with the same history: their curves
// lie on top of each other (beyond-rank's lesson).
func twins(m *Model) (a, b *RunView) {
	a = fakeRun(m, m.lab.Index("lora"), 1000, 1000, lab.Done)
	b = fakeRun(m, m.lab.Index("delta-lora"), 1000, 1000, lab.Done)
	b.Hist = lab.NewHistory(HistoryCap)
	for _, p := range a.Hist.Points() {
		b.Hist.Add(p)
	}
	m.lab.setRun(b.ID, b)
	return a, b
}

// TestCurvesStayVisible (item 5): without colour, the cursor's method is
// drawn on top, so its glyph shows where two curves coincide, and a line
// says which run lies under which; o shows the cursor's method alone, v
// hides it.
func TestCurvesStayVisible(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Preset: marks("lora", "delta-lora")})
	twins(m)
	press(m, "tab", "tab") // the loss chart under the methods
	for _, cur := range []string{"lora", "delta-lora"} {
		m.lab.SetCursor(m.lab.Index(cur))
		other := map[string]string{"lora": "▼", "delta-lora": "●"}[cur]
		glyph := m.lab.Infos[m.lab.Cursor].Glyph
		v := m.View()
		plot := plotRows(v)
		if !strings.Contains(plot, glyph) || strings.Contains(plot, other) {
			t.Errorf("cursor on %s: its glyph %s is not on top:\n%s", cur, glyph, v)
		}
		if !strings.Contains(v, "is under "+glyph) {
			t.Errorf("cursor on %s: no line says the curves coincide:\n%s", cur, v)
		}
	}
	press(m, "o")
	v := m.View()
	if strings.Contains(plotRows(v), "●") || !strings.Contains(v, "solo Delta-LoRA") || !strings.Contains(v, "LoRA ✓ hidden") {
		t.Errorf("o: not the cursor's method alone:\n%s", v)
	}
	press(m, "o", "v")
	if v := m.View(); strings.Contains(plotRows(v), "▼") || !strings.Contains(plotRows(v), "●") || !strings.Contains(v, "Delta-LoRA ✓ hidden") {
		t.Errorf("v: the cursor's method not hidden:\n%s", v)
	}
}

// TestReadingCursor (chart inspection): [ and ] move a step cursor and the
// legend reads each run's values at its step; esc hides it; z steps the
// smoothing's strength.
func TestReadingCursor(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera")})
	a := fakeRun(m, 0, 1000, 1000, lab.Done)
	press(m, "]")
	cp := paneOf[*ChartPane](m)
	if !cp.cursorOn || cp.cursor != 1000 {
		t.Fatalf("]: cursor %v at %d", cp.cursorOn, cp.cursor)
	}
	for range 20 {
		press(m, "[")
	}
	at, _ := pointAt(a.Hist, cp.cursor)
	v := m.View()
	if cp.cursor != 500 || !strings.Contains(v, "│ step 500") || !strings.Contains(v, text.ShortLoss(at.Eval)) {
		t.Fatalf("20 × [: cursor at %d; legend:\n%s", cp.cursor, v)
	}
	press(m, "esc")
	if cp.cursorOn || strings.Contains(m.View(), "│ step") {
		t.Fatal("esc did not hide the reading cursor")
	}
	for _, want := range []string{"EMA 0.6", "EMA 0.8", "EMA 0.9"} {
		press(m, "z")
		if !strings.Contains(m.View(), want) {
			t.Errorf("z: title lacks %q", want)
		}
	}
}

// TestLiveChangesAreMarked (item 6): a learning rate changed while LoRA
// trains reaches LoRA only; the board marks it ✎, the chart draws a
// marker at the step, and the saved result lists the change with its step.
func TestLiveChangesAreMarked(t *testing.T) {
	m := newTestModelWith(t, 200, 60, Options{Preset: marks("lora", "vera")})
	m.lab.Config.Steps = 4000
	press(m, "-", "-", "r") // 200 steps a second: the change lands a fifth of the way in
	lora, vera := m.lab.Runs[0], m.lab.Runs[m.lab.Index("vera")]
	drive(t, m, 30*time.Second, func() bool { return lora.Step > 800 && vera.Step > 0 })
	press(m, "tab")
	toSetting(t, m, "lr")
	press(m, "right") // 0.002 → 0.005 for LoRA, the cursor's method
	drive(t, m, 10*time.Second, func() bool { return lora.LR == 5e-3 && len(lora.LRChanges) > 0 })
	if vera.LiveChanged() || vera.LR == 5e-3 {
		t.Fatalf("the change reached VeRA too (lr %v)", vera.LR)
	}
	v := m.View()
	if !strings.Contains(v, "LoRA       ✎▶") || !strings.Contains(plotRows(v), "┆") || !strings.Contains(v, "✎ lr changed while training") {
		t.Errorf("no live-change marks:\n%s", v)
	}
	press(m, "shift+tab", "s") // stop LoRA
	drive(t, m, 10*time.Second, func() bool { return lora.Result != nil })
	if len(lora.Result.LRChanges) == 0 || lora.Result.LRChanges[0].LR != 5e-3 || lora.Result.LRChanges[0].Step <= 0 {
		t.Fatalf("the result's live changes: %+v", lora.Result.LRChanges)
	}
	pressRun(m, "e")
	files, _ := filepath.Glob(filepath.Join(m.opts.ResultsDir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("saved %v (%s)", files, m.lab.Message)
	}
	data, _ := os.ReadFile(files[0])
	if !strings.Contains(string(data), `"lr_changes"`) || !strings.Contains(string(data), `"lr": 0.005`) {
		t.Errorf("the saved result does not record the change:\n%.2000s", data)
	}
	// A: every run.
	press(m, "tab", "A")
	if !m.lab.LiveAll || !strings.Contains(m.View(), "live → all runs") {
		t.Errorf("A did not switch live changes to every run")
	}
}

// TestRoomForTheLesson (item 8): at 80 × 24 with every method racing, the
// loss chart has at least 7 plot rows (the one-column methods list left
// it 3); every memory category a run holds has a cell of its bar; f
// maximises the focused pane and puts it back.
func TestRoomForTheLesson(t *testing.T) {
	m := racing(t, 80, 24)
	press(m, "tab", "tab") // the loss chart
	v := m.View()
	if n := strings.Count(plotRows(v), "\n") + 1; n < 7 {
		t.Errorf("the chart has %d plot rows at 80x24:\n%s", n, v)
	}
	press(m, "tab") // memory
	v = ansi.Strip(m.View())
	for _, r := range m.lab.Runs {
		line := ""
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, r.Info.Glyph+" "+r.Info.Title+" ") {
				line = l
			}
		}
		for i, c := range lab.Categories {
			if r.Memory.Get(c) > 0 && !strings.Contains(line, categoryFill[i]) {
				t.Errorf("%s holds %d B of %s, but its bar has no %s: %q", r.Info.Title, r.Memory.Get(c), c, categoryFill[i], line)
			}
		}
	}
	press(m, "shift+tab", "f")
	cp := paneOf[*ChartPane](m)
	if !m.Zoomed() || cp.h != 24-3-2 || cp.w != 80-2 {
		t.Fatalf("f: zoomed %v, chart %d×%d", m.Zoomed(), cp.w, cp.h)
	}
	v = m.View()
	checkFits(t, v, 80, 24)
	if strings.Contains(v, "Methods") || strings.Count(plotRows(v), "\n")+1 < 12 {
		t.Errorf("f: the chart does not take the body:\n%s", v)
	}
	press(m, "f")
	if m.Zoomed() || !strings.Contains(m.View(), "Methods") {
		t.Fatal("f again did not put the panes back")
	}
}

// TestSegmentsShowEveryCategory: every category a memory holds gets at
// least one cell, the cells add up, and bigger categories get more.
func TestSegmentsShowEveryCategory(t *testing.T) {
	m := lab.Memory{Frozen: 400 << 10, Trainable: 4 << 10, Gradients: 4 << 10, Optimizer: 8 << 10, Activations: 100 << 10, Workspace: 60 << 10}
	m.Total = m.Frozen + m.Trainable + m.Gradients + m.Optimizer + m.Activations + m.Workspace
	for _, n := range []int{3, 6, 12, 40} {
		seg := segments(m, n)
		sum := 0
		for i, c := range lab.Categories {
			sum += seg[i]
			if (m.Get(c) > 0) != (seg[i] > 0) {
				t.Errorf("n=%d: %s holds %d B and has %d cells", n, c, m.Get(c), seg[i])
			}
		}
		if sum != max(n, 6) {
			t.Errorf("n=%d: %d cells, want %d", n, sum, max(n, 6))
		}
		if n == 40 && seg[0] <= seg[4] {
			t.Errorf("n=40: frozen %d cells, activations %d", seg[0], seg[4])
		}
	}
}

// finishedRace is race-five's six methods after a race: every run done
// (LoRA+ diverged), recorded as the last race, ended through Apply.
func finishedRace(t *testing.T, w, h int) *Model {
	m := presetModel(t, w, h, "race-five")
	st := map[string]lab.Status{"lora-plus": lab.Diverged}
	for _, r := range fakeRace(m, 1500) {
		s, ok := st[r.Info.Name]
		if !ok {
			s = lab.Done
		}
		endRun(t, m, r, s)
	}
	return m
}

// TestRaceEndsWithABanner (item 9): when the last run of a race ends, a
// banner names the winner, the margin, the target reached and the wall
// time, on the status line and the leaderboard.
func TestRaceEndsWithABanner(t *testing.T) {
	m := finishedRace(t, 120, 40)
	b := m.lab.Banner
	rows := lab.Leaderboard(m.lab.Results(), lab.DefaultTarget)
	title := func(s lab.Standing) string {
		info := m.lab.Infos[m.lab.Index(s.Method)]
		return info.Glyph + " " + info.Title
	}
	first := rows[0]
	for _, s := range rows {
		if s.StepsToTarget >= 0 && (first.StepsToTarget < 0 || s.StepsToTarget < first.StepsToTarget) {
			first = s
		}
	}
	win := "race over: " + title(rows[0]) + " wins, eval loss " + text.ShortLoss(rows[0].EvalLoss)
	margin := marginText(rows[1].EvalLoss/rows[0].EvalLoss) + " lower than " + title(rows[1]) + " (" + text.ShortLoss(rows[1].EvalLoss) + ")"
	for _, want := range []string{win, margin, "reached 0.001, " + title(first) + " first (step " + text.ShortCount(float64(first.StepsToTarget)) + ")", "0:45 wall"} {
		if !rows[0].Winner || !strings.Contains(b, want) {
			t.Errorf("banner %q lacks %q", b, want)
		}
	}
	if m.lab.Message != b || !strings.Contains(ansi.Strip(m.View()), "★ "+win) {
		t.Errorf("banner not shown:\n%s", m.View())
	}
	// A new race replaces it; resetting a run of it means no banner.
	m.lab.record("race", m.lab.RaceMethods(), "", nil)
	if m.lab.Banner != "" {
		t.Errorf("a new race kept the old banner")
	}
}

func TestGoldenRaceOver80x24(t *testing.T) {
	screen(t, finishedRace(t, 80, 24), 80, 24, "race over", "tab", "tab", "tab", "tab")
}

// TestMessagesInFull (item 10): a message longer than the status line is
// cut with "! all", and ! shows it in full, wrapped; y copies the
// reproduce line through the clipboard command.
func TestMessagesInFull(t *testing.T) {
	var copied []string
	m := newTestModelWith(t, 80, 24, Options{Clipboard: func(s string) error { copied = append(copied, s); return nil }})
	long := "saved run /home/someone/.local/share/loralab/results/run-2026-05-01T10-11-12-lora.json (+ .csv) and a sweep next to it"
	m.lab.Say(false, "%s", long)
	v := m.View()
	if strings.Contains(v, long) || !strings.Contains(v, "! all") {
		t.Fatalf("the long message is not cut with a hint:\n%s", v)
	}
	press(m, "!")
	v = ansi.Strip(m.View())
	if m.Dialog() != "messages" || !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(v, "┃", " ")), " "), strings.Join(strings.Fields(long), " ")) {
		t.Fatalf("! does not show the message in full:\n%s", v)
	}
	press(m, "esc")
	pressRun(m, "y")
	if len(copied) != 0 || !strings.Contains(m.lab.Message, "nothing to copy yet") {
		t.Fatalf("y with no experiment: copied %q, %q", copied, m.lab.Message)
	}
	m.lab.Config.Steps = 5
	press(m, "enter")
	pressRun(m, "y")
	if len(copied) != 1 || copied[0] != m.lab.ReproduceLine() || !strings.Contains(m.lab.Message, "copied the reproduce line") {
		t.Fatalf("y: copied %q (want %q), %q", copied, m.lab.ReproduceLine(), m.lab.Message)
	}
	for x, want := range map[float64]string{1.25: "20 %", 1.028: "2.7 %", 2.5: "2.5×", 12.3: "12×", 340: "340×"} {
		if got := marginText(x); got != want {
			t.Errorf("marginText(%v) = %q, want %q", x, got, want)
		}
	}
	if got := OSC52("loralab run"); got != "\x1b]52;c;bG9yYWxhYiBydW4=\x07" {
		t.Errorf("OSC52: %q", got)
	}
}

// TestProgressWithTimeLeft (item 11): the header gives a race's and a
// sweep's runs ended, the time so far and the time left.
func TestProgressWithTimeLeft(t *testing.T) {
	m := newTestModel(t, 200, 60)
	rs := fakeRace(m, 1000)
	for _, r := range rs {
		r.Step = 500 // half way at 40 s: about 40 s to go
	}
	fakeSweep(m, "rank", []string{"1", "2"}, []int{0})
	m.lab.Sweep.Elapsed = 30 * time.Second
	v := m.View()
	for _, want := range []string{"race 0/6 0:45 < 0:45", "sweep 1/2 0:30 < 0:"} {
		if !strings.Contains(v, want) {
			t.Errorf("header lacks %q:\n%s", want, strings.SplitN(v, "\n", 2)[0])
		}
	}
	press(m, "w")
	if v := m.View(); !strings.Contains(v, "sweep of rank: 1 of 2 ended · 0:30 < 0:") || !strings.Contains(v, "140/200 steps") {
		t.Errorf("the sweep dialog's progress:\n%s", v)
	}
}

// TestSettingsOfTheCursorsMethod: the settings pane lists what the
// cursor's method reads on its task (lab.SettingsFor), not every method's
// options.
func TestSettingsOfTheCursorsMethod(t *testing.T) {
	m := newTestModel(t, 120, 40)
	sp := paneOf[*SettingsPane](m)
	names := func() []string {
		var out []string
		for _, r := range sp.rows {
			out = append(out, r.name)
		}
		return out
	}
	for _, method := range []string{"lora", "vera", "lora-plus", "full", "delta-lora"} {
		i := m.lab.Index(method)
		m.lab.SetCursor(i)
		m.View()
		want := lab.Names(lab.SettingsFor(m.lab.Methods[i], taskOf(m.lab.Config)))
		want = want[1:] // the method itself
		var w []string
		for _, n := range want {
			if n != "task" {
				w = append(w, n)
			}
		}
		w = append(w, "task")                        // the task last: switching it starts a new experiment
		w = append(w, lab.Names(compareSettings)...) // then how races and sweeps compare
		if got := names(); strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("%s: rows %v, want %v", method, got, w)
		}
	}
	// The cursor stays on its setting where the next method has it.
	m.lab.SetCursor(m.lab.Index("lora"))
	press(m, "tab")
	toSetting(t, m, "steps")
	m.lab.SetCursor(m.lab.Index("full"))
	if sp.Current() != "steps" {
		t.Errorf("cursor moved to %s", sp.Current())
	}
	// schedule cycles through its choices.
	toSetting(t, m, "schedule")
	press(m, "right")
	if m.lab.Config.Schedule != lab.ScheduleLinear {
		t.Errorf("→ on schedule: %q", m.lab.Config.Schedule)
	}
}

// luminance is the relative luminance (WCAG) of "#rrggbb".
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil {
		t.Fatalf("colour %q", hex)
	}
	lin := func(c uint64) float64 {
		x := float64(c) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}

// TestThemes: the light and contrast themes darken every method's colour
// until it reads on white (LoRA+'s yellow and Full FT's near-white
// included), keep the dark theme's as they are, and keep the methods
// apart; COLORFGBG picks the theme; T cycles it in the lab.
func TestThemes(t *testing.T) {
	seen := map[string]string{}
	for _, info := range methodInfos() {
		if got := darken(info.Colour, 1); got != info.Colour {
			t.Errorf("dark theme changed %s's colour: %s", info.Title, got)
		}
		for _, th := range []Theme{ThemeLight, ThemeContrast} {
			c := darken(info.Colour, palettes[th].ink)
			if y := luminance(t, c); y > palettes[th].ink+0.005 || (1.05)/(y+0.05) < 4.5 {
				t.Errorf("%s in %s: %s has luminance %.3f, contrast on white %.1f", info.Title, th, c, y, 1.05/(y+0.05))
			}
			if other, ok := seen[th.String()+c]; ok {
				t.Errorf("%s: %s and %s share %s", th, info.Title, other, c)
			}
			seen[th.String()+c] = info.Title
		}
	}
	for v, want := range map[string]Theme{"": ThemeDark, "15;0": ThemeDark, "0;15": ThemeLight, "0;default;7": ThemeLight, "12;8": ThemeDark, "junk": ThemeDark} {
		if got := DetectTheme(func(string) string { return v }); got != want {
			t.Errorf("COLORFGBG=%q: %s, want %s", v, got, want)
		}
	}
	if _, err := ParseTheme("sepia"); err == nil || !strings.Contains(err.Error(), "dark, light, contrast") {
		t.Errorf("ParseTheme(sepia): %v", err)
	}
	m := New(Options{Profile: termenv.TrueColor, ResultsDir: t.TempDir(), Preset: marks("lora", "lora-plus")})
	t.Cleanup(m.Shutdown)
	fakeRun(m, m.lab.Index("lora-plus"), 100, 100, lab.Done)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	dark := m.View()
	press(m, "T")
	light := m.View()
	if m.c.Styles.Theme != ThemeLight || dark == light || !strings.Contains(m.lab.Message, "theme light") {
		t.Fatalf("T: theme %s, message %q", m.c.Styles.Theme, m.lab.Message)
	}
	if !strings.Contains(light, m.c.Styles.Method("lora-plus").pre) {
		t.Errorf("the light theme's LoRA+ colour is not on screen")
	}
	press(m, "T", "T")
	body := func(v string) string {
		lines := strings.Split(v, "\n")
		return strings.Join(lines[:len(lines)-2], "\n")
	}
	if m.c.Styles.Theme != ThemeDark || body(m.View()) != body(dark) {
		t.Errorf("T three times: theme %s; the screen differs from the dark one", m.c.Styles.Theme)
	}
}

// TestMouse: with Options.Mouse a click focuses the pane under it and, on
// the methods pane, puts the cursor on the method clicked; the wheel moves
// the cursor of the pane under it. Without it (the default), nothing.
func TestMouse(t *testing.T) {
	for _, on := range []bool{false, true} {
		m := newTestModelWith(t, 80, 24, Options{Mouse: on})
		click := func(x, y int) {
			m.Update(tea.MouseMsg{X: x, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
		}
		// Narrow: the methods in two columns from row 2; VeRA is the third
		// of the first column, DoRA the second of the second.
		click(5, 4)
		if got := m.lab.Cursor == m.lab.Index("vera"); got != on {
			t.Errorf("mouse %v: a click on VeRA: cursor on %s", on, m.lab.Infos[m.lab.Cursor].Title)
		}
		click(45, 3)
		if got := m.lab.Cursor == m.lab.Index("dora"); got != on {
			t.Errorf("mouse %v: a click on DoRA: cursor on %s", on, m.lab.Infos[m.lab.Cursor].Title)
		}
		click(30, 12) // the pane under the methods: the loss chart
		if got := m.Focused() == "loss"; got != on {
			t.Errorf("mouse %v: a click on the chart: focus %s", on, m.Focused())
		}
		if on {
			press(m, "shift+tab") // from the chart back to the settings
		} else {
			press(m, "tab")
		}
		sp := paneOf[*SettingsPane](m)
		m.Update(tea.MouseMsg{X: 30, Y: 12, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
		if got := sp.cur == 1; got != on {
			t.Errorf("mouse %v: the wheel on the settings: cursor %d", on, sp.cur)
		}
	}
	// Wide: a click on the leaderboard focuses it.
	m := newTestModelWith(t, 200, 60, Options{Mouse: true})
	board := slices.IndexFunc(paneSlots, func(s slot) bool { return s.name == "board" })
	r := m.paneRects()[board]
	m.Update(tea.MouseMsg{X: r.x + 3, Y: r.y + 2, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.Focused() != "board" {
		t.Errorf("a click on the leaderboard: focus %s", m.Focused())
	}
}

// TestSweepCurvesAndLossAtStep (item 4): the curves view draws every
// value's curve with its key at the end — two values whose curves are the
// same both keep their key — and the "loss at step N" view reads each
// run's eval loss at step N, moved with pgup/pgdn.
func TestSweepCurvesAndLossAtStep(t *testing.T) {
	m := newTestModelWith(t, 80, 24, Options{Preset: marks("lora-plus")})
	sw := fakeSweep(m, "lr-ratio", []string{"1", "2", "4", "8"}, m.lab.RaceMethods())
	sw.Runs[1].Hist = sw.Runs[0].Hist // λ = 1 and 2 on top of each other
	press(m, "w", "tab")
	v := m.View()
	plot := plotRows(v)
	for k := range sw.Values {
		if !strings.Contains(plot, valueKey(k)) {
			t.Errorf("the curve of %s has no key %s at its end:\n%s", sw.Values[k], valueKey(k), v)
		}
	}
	if !strings.Contains(v, "lr-ratio: 1=1 2=2 3=4 4=8") {
		t.Errorf("no key under the curves:\n%s", v)
	}
	press(m, "tab")
	sp := paneOf[*SweepPane](m)
	for _, key := range []string{"", "pgdown", "pgdown", "pgup"} {
		if key != "" {
			press(m, key)
		}
		n := sp.stepN(sw)
		v := m.View()
		if !strings.Contains(v, "eval loss at step "+text.ShortCount(float64(n))) {
			t.Fatalf("%s: title does not say step %d:\n%s", key, n, v)
		}
		best, bestV := math.Inf(1), ""
		for vi, val := range sw.Values {
			if pt, ok := pointAt(sw.Runs[vi].Hist, n); ok && pt.Eval < best && sw.Runs[vi].Hist.Len() > 0 {
				best, bestV = pt.Eval, val
			}
		}
		if !strings.Contains(v, "best lr-ratio="+bestV+" ("+text.ShortLoss(best)+")") {
			t.Errorf("step %d: the legend does not give the best value %s (%s):\n%s", n, bestV, text.ShortLoss(best), v)
		}
	}
	if sp.stepN(sw) != 20 {
		t.Errorf("pgdn pgdn pgup from step 10: step %d, want 20", sp.stepN(sw))
	}
	// Between two points of the history, the last one before N counts.
	sp.atStep = 15
	sp.memo.drop()
	if v := m.View(); !strings.Contains(v, "best lr-ratio=") {
		t.Errorf("step 15, between points: no value read:\n%s", v)
	}
}

// TestSavePathsShortened (item 10): a save under the home folder is said
// as ~/…, so the status line cuts it less often.
func TestSavePathsShortened(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if got := tilde(filepath.Join(home, "results", "run-1.json")); got != filepath.Join("~", "results", "run-1.json") {
		t.Errorf("tilde: %q", got)
	}
	if got := tilde("/elsewhere/run-1.json"); got != "/elsewhere/run-1.json" {
		t.Errorf("tilde outside home: %q", got)
	}
	m := newTestModelWith(t, 80, 24, Options{ResultsDir: filepath.Join(home, "results")})
	r := fakeRun(m, 0, 100, 100, lab.Done)
	endRun(t, m, r, lab.Done)
	pressRun(m, "e")
	if !strings.Contains(m.lab.Message, "saved run ~/results/run-") {
		t.Errorf("save message: %q", m.lab.Message)
	}
}
