package tui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"
)

// fakeSeedRuns gives method i runs at len(floors) seeds without training:
// each seed's run has fakeRun's decaying curve down to its own floor (its
// final eval loss is floor·1.2), status st, and a result once it has
// ended. It returns the method's slot.
func fakeSeedRuns(m *Model, i, steps, total int, st lab.Status, floors ...float64) *RunView {
	l := m.lab
	var group *RunView
	for k, floor := range floors {
		cfg, _ := prepare(l.Methods[i], l.Config)
		cfg.Steps, cfg.Seed = total, l.Config.Seed+uint64(k)
		mem, tr := formulaMemory(l.Methods[i], cfg)
		r := &RunView{
			ID: i, Seed: k, Gen: 3000 + 10*i + k, Info: l.Infos[i], Config: cfg, Status: st, Step: steps, Steps: total,
			StepsPerSec: 800, Elapsed: 3 * time.Second, Hist: lab.NewHistory(HistoryCap),
			Memory: mem, Trainable: tr, cancel: func() {}, started: true,
		}
		for s := 0; s <= steps; s += 10 {
			x := float64(s) / float64(max(total, 1))
			r.Hist.Add(lab.Point{Step: s, Train: floor + 0.5*math.Exp(-12*x), Eval: floor*1.2 + 0.5*math.Exp(-12*x)})
		}
		last, _ := r.Hist.Last()
		r.Train, r.Eval = last.Train, last.Eval
		if st.Final() {
			r.Result = &lab.Result{Method: r.Info.Name, Status: st, Config: cfg, History: r.Hist.Points(), Final: last,
				Params: lab.Params{Trainable: tr, Total: tr + 1}, Memory: mem}
		}
		if group == nil {
			group = r
		} else {
			group.Reps = append(group.Reps, r)
		}
	}
	l.setRun(i, group)
	return group
}

// boardRow is the leaderboard's line for the method titled title.
func boardRow(t *testing.T, m *Model, title string) string {
	t.Helper()
	v := ansi.Strip(paneOf[*BoardPane](m).View())
	for _, line := range strings.Split(v, "\n") {
		if strings.Contains(line, " "+title+" ") {
			return line
		}
	}
	t.Fatalf("the board has no row for %s:\n%s", title, v)
	return ""
}

// TestSeedBoardShowsMeanAndSpread: at three seeds the board ranks by the
// mean final eval loss, gives each method's min … max, marks a method
// whose range overlaps the leader's with ≈ #1 (no winner then), and names
// the winner once no range overlaps; the chart draws each method once, its
// mean, over a band.
func TestSeedBoardShowsMeanAndSpread(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera", "full")})
	lora, vera, full := m.lab.Index("lora"), m.lab.Index("vera"), m.lab.Index("full")
	fakeSeedRuns(m, lora, 500, 500, lab.Done, 1.0e-4, 1.1e-4, 1.2e-4)
	fakeSeedRuns(m, vera, 500, 500, lab.Done, 2e-3, 6e-3, 2e-2)
	fakeSeedRuns(m, full, 500, 500, lab.Done, 1.15e-4, 1.3e-4, 1.5e-4) // overlaps LoRA's range
	rows := lab.SeedLeaderboard(m.lab.GroupResults(), lab.DefaultTarget)
	if rows[0].Method != "lora" || rows[1].Method != "full" || !rows[1].Tied || rows[0].Winner {
		t.Fatalf("the fixture is not a tie of LoRA and full: %+v", rows)
	}
	v := ansi.Strip(paneOf[*BoardPane](m).View())
	for _, want := range []string{"mean", "min … max", "ranked by the mean of the seeds", "seeds 1…3"} {
		if !strings.Contains(v, want) {
			t.Errorf("board lacks %q:\n%s", want, v)
		}
	}
	for k, title := range []string{"LoRA", "Full FT", "VeRA"} {
		row, s := boardRow(t, m, title), rows[k]
		for _, want := range []string{fmt.Sprint(k + 1), text.ShortLoss(s.EvalLoss.Mean), text.ShortLoss(s.EvalLoss.Min) + "…" + text.ShortLoss(s.EvalLoss.Max)} {
			if !strings.Contains(row, want) {
				t.Errorf("%s's row lacks %q: %q", title, want, row)
			}
		}
	}
	if row := boardRow(t, m, "Full FT"); !strings.Contains(row, "≈ #1") {
		t.Errorf("Full FT's range overlaps LoRA's, yet its row has no ≈ #1: %q", row)
	}
	if strings.Contains(v, "winner") || strings.Contains(boardRow(t, m, "VeRA"), "≈") {
		t.Errorf("a tie has no winner, and VeRA is not within LoRA's spread:\n%s", v)
	}
	// Without the overlap, LoRA wins.
	fakeSeedRuns(m, full, 500, 500, lab.Done, 2e-4, 2.2e-4, 2.5e-4)
	if row := boardRow(t, m, "LoRA"); !strings.Contains(row, "◀ winner") {
		t.Errorf("LoRA's range overlaps no other, yet it is not the winner: %q", row)
	}
	for _, title := range []string{"Full FT", "VeRA"} {
		if row := boardRow(t, m, title); strings.Contains(row, "≈") {
			t.Errorf("≈ #1 without an overlap: %q", row)
		}
	}
	// The chart: one legend item per method, with the mean's values, the
	// band under the curves and a line that says so.
	cv := ansi.Strip(paneOf[*ChartPane](m).View())
	mean := curveOf(runHists(m.lab.Runs[lora]))
	last, _ := mean.last()
	if strings.Count(cv, "LoRA") != 1 || !strings.Contains(cv, text.ShortLoss(last.Eval)) || !strings.Contains(cv, bandGlyph) ||
		!strings.Contains(cv, "the mean over 3 seeds") {
		t.Errorf("chart: want one LoRA item with its mean eval %s, a %s band and the note:\n%s", text.ShortLoss(last.Eval), bandGlyph, cv)
	}
	checkFits(t, m.View(), 120, 40)
}

// TestSeedCurve: the curve of several histories is their mean at each step
// of the furthest one, over those that have got there, with the min and
// max; one history is itself, without a band.
func TestSeedCurve(t *testing.T) {
	h := func(last int, eval float64) *lab.History {
		x := lab.NewHistory(64)
		for s := 0; s <= last; s += 10 {
			x.Add(lab.Point{Step: s, Train: 2 * eval, Eval: eval})
		}
		return x
	}
	c := curveOf([]*lab.History{h(30, 1), h(20, 2), h(30, 6)})
	if fmt.Sprint(c.Steps) != "[0 10 20 30]" || c.Seeds != 3 {
		t.Fatalf("steps %v seeds %d", c.Steps, c.Seeds)
	}
	if c.Eval[0] != 3 || c.EvalLo[0] != 1 || c.EvalHi[0] != 6 || c.Train[2] != 6 {
		t.Errorf("step 0: mean %v lo %v hi %v; train at 20 %v", c.Eval[0], c.EvalLo[0], c.EvalHi[0], c.Train[2])
	}
	if c.Eval[3] != 3.5 || c.EvalLo[3] != 1 || c.EvalHi[3] != 6 { // the second has not got to 30
		t.Errorf("step 30: mean %v lo %v hi %v, want 3.5 over the two that got there", c.Eval[3], c.EvalLo[3], c.EvalHi[3])
	}
	if lo, _ := c.band(false); lo == nil {
		t.Error("three seeds: no band")
	}
	one := curveOf([]*lab.History{h(20, 4)})
	if lo, hi := one.band(false); lo != nil || hi != nil || fmt.Sprint(one.Eval) != "[4 4 4]" {
		t.Errorf("one seed: band %v %v, eval %v", lo, hi, one.Eval)
	}
	if pt, ok := c.at(25); !ok || pt.Step != 20 || pt.Eval != 3 {
		t.Errorf("at 25: %+v %v", pt, ok)
	}
}

// TestChartBand: a series' band fills the cells between its low and high
// rows with ░, under the curve, which is drawn over it.
func TestChartBand(t *testing.T) {
	xs := []int{0, 50, 100}
	s := Series{X: xs, Y: []float64{5, 5, 5}, Lo: []float64{1, 1, 1}, Hi: []float64{9, 9, 9}, Chars: asciigraph.CreateCharSet("●")}
	lines := drawChart([]Series{s}, ChartOpts{Width: 40, Height: 12, XMax: 100})
	band, curve := 0, 0
	for _, line := range lines[:10] {
		band += strings.Count(line, bandGlyph)
		curve += strings.Count(line, "●")
	}
	if band < 20 || curve == 0 {
		t.Fatalf("band cells %d, curve cells %d:\n%s", band, curve, strings.Join(lines, "\n"))
	}
	plain := drawChart([]Series{{X: xs, Y: s.Y, Chars: s.Chars}}, ChartOpts{Width: 40, Height: 12, XMax: 100})
	if strings.Contains(strings.Join(plain, "\n"), bandGlyph) {
		t.Error("a series without a band drew one")
	}
}

// TestRaceAtThreeSeeds trains a race at three seeds: every method runs at
// seeds 1, 2, 3 on data that is the same for every method at a seed and
// differs between seeds; the board is lab.SeedLeaderboard's, the banner
// speaks of the seeds, the save has the seed board, the reproduce line
// says --seeds 3.
func TestRaceAtThreeSeeds(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera")})
	m.lab.Config.Steps = 60
	press(m, "n", "n")
	if m.lab.Compare.SeedCount() != 3 || !strings.Contains(m.View(), "3 seeds") {
		t.Fatalf("n n: seeds %d; header:\n%s", m.lab.Compare.SeedCount(), strings.Split(m.View(), "\n")[0])
	}
	press(m, "r")
	drive(t, m, 60*time.Second, func() bool { return m.lab.Banner != "" })
	lora, vera := m.lab.Runs[m.lab.Index("lora")], m.lab.Runs[m.lab.Index("vera")]
	for _, g := range []*RunView{lora, vera} {
		if g.Seeds() != 3 {
			t.Fatalf("%s: %d seeds", g.Info.Title, g.Seeds())
		}
		for k, x := range g.Group() {
			if x.Config.Seed != uint64(1+k) || x.Result == nil || x.Result.Status != lab.Done {
				t.Fatalf("%s seed place %d: seed %d, result %v", g.Info.Title, k, x.Config.Seed, x.Result)
			}
			if x.Result.DataDigest != lora.Group()[k].Result.DataDigest {
				t.Errorf("seed %d: %s and LoRA trained on different data", x.Config.Seed, g.Info.Title)
			}
		}
	}
	if lora.Result.DataDigest == lora.Reps[0].Result.DataDigest {
		t.Error("seeds 1 and 2 trained on the same data")
	}
	if !strings.HasPrefix(m.lab.Banner, "race over at 3 seeds: ") {
		t.Errorf("banner: %s", m.lab.Banner)
	}
	rows := lab.SeedLeaderboard(m.lab.GroupResults(), lab.DefaultTarget)
	for _, s := range rows {
		title := m.lab.Infos[m.lab.Index(s.Method)].Title
		row := boardRow(t, m, title)
		if want := text.ShortLoss(s.EvalLoss.Min) + "…" + text.ShortLoss(s.EvalLoss.Max); !strings.Contains(row, text.ShortLoss(s.EvalLoss.Mean)) || !strings.Contains(row, want) {
			t.Errorf("%s: row %q lacks the mean %s or %s", title, row, text.ShortLoss(s.EvalLoss.Mean), want)
		}
	}
	b := m.lab.Bundles()
	if len(b) != 1 || len(b[0].Runs) != 6 || len(b[0].SeedBoard) != 2 || b[0].SeedBoard[0].Seeds != 3 {
		t.Fatalf("bundles: %+v", b)
	}
	if line := m.lab.ReproduceLine(); !strings.HasSuffix(line, "--seeds 3") || strings.Contains(line, "--tune-lr") {
		t.Errorf("reproduce: %s", line)
	}
	checkFits(t, m.View(), 120, 40)
	if s := m.Summary(); !strings.Contains(s, "LoRA at 3 seeds: 3 done, mean eval loss") {
		t.Errorf("summary: %s", s)
	}
}

// TestControlsReachEverySeed: pausing, stepping and stopping a method at
// two seeds act on both of its runs.
func TestControlsReachEverySeed(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora")})
	m.lab.Config.Steps = 1_000_000
	press(m, "n", "-", "-", "-") // two seeds, 50 steps/s
	press(m, "r")
	g := m.lab.Runs[m.lab.Index("lora")]
	drive(t, m, 30*time.Second, func() bool {
		return g.Status == lab.Running && g.Reps[0].Status == lab.Running && g.Step > 0 && g.Reps[0].Step > 0
	})
	press(m, "space")
	if g.Status != lab.Paused || g.Reps[0].Status != lab.Paused || g.State() != lab.Paused {
		t.Fatalf("space paused %s and %s", g.Status, g.Reps[0].Status)
	}
	press(m, "s")
	drive(t, m, 20*time.Second, func() bool { return !g.Active() })
	for _, x := range g.Group() {
		if x.Status != lab.Cancelled {
			t.Errorf("seed %d: %s after s", x.Config.Seed, x.Status)
		}
	}
}

// TestComparisonSettings: the settings pane's last rows set the seeds and
// the tuned race, refuse values out of range with the reason, and show
// the search's steps; n and u do the same from anywhere.
func TestComparisonSettings(t *testing.T) {
	m := newTestModel(t, 120, 40)
	press(m, "tab")
	toSetting(t, m, "seeds")
	press(m, "right", "right")
	if m.lab.Compare.SeedCount() != 3 {
		t.Fatalf("→ → on seeds: %d", m.lab.Compare.SeedCount())
	}
	sp := paneOf[*SettingsPane](m)
	press(m, "enter")
	for _, k := range []string{"ctrl+u", "1", "1", "enter"} {
		press(m, k)
	}
	if !strings.Contains(sp.Err(), "seeds 11: must be between 1 and 10") || m.lab.Compare.SeedCount() != 3 {
		t.Errorf("seeds 11: %q, seeds %d", sp.Err(), m.lab.Compare.SeedCount())
	}
	press(m, "esc")
	press(m, "down") // tune-lr
	press(m, "right")
	if !m.lab.Compare.Tune {
		t.Fatal("→ on tuned race did not switch it on")
	}
	press(m, "down", "enter") // lr-grid
	for _, k := range []string{"ctrl+u", "0", "enter"} {
		press(m, k)
	}
	if !strings.Contains(sp.Err(), "lr-grid") {
		t.Errorf("lr-grid 0: %q", sp.Err())
	}
	press(m, "ctrl+u")
	m.Update(keyMsg("1e-3..1e-2:log:3"))
	press(m, "enter")
	if g := m.lab.Compare.Rates(); len(g) != 3 || math.Abs(g[0]-1e-3) > 1e-12 || math.Abs(g[2]-1e-2) > 1e-12 {
		t.Errorf("lr-grid 1e-3..1e-2:log:3: %v (%s)", g, sp.Err())
	}
	press(m, "down") // tune-steps
	if v := ansi.Strip(sp.View()); !strings.Contains(v, "auto (2k)") || !strings.Contains(v, "0.001…0.01 (3)") {
		t.Errorf("the search's steps and grid not shown:\n%s", v)
	}
	m.lab.Config.Seed = 7
	press(m, "tab", "n") // from another pane: 3 → 4
	if m.lab.Compare.SeedCount() != 4 || !strings.Contains(m.lab.Message, "seeds 7 … 10") {
		t.Errorf("n: seeds %d, %q", m.lab.Compare.SeedCount(), m.lab.Message)
	}
	press(m, "u")
	if m.lab.Compare.Tune {
		t.Error("u did not switch the tuned race off")
	}
}

// tuneModel is a lab racing LoRA and VeRA for 60 steps, tuned over two
// rates with 20-step search runs.
func tuneModel(t *testing.T) *Model {
	t.Helper()
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera")})
	m.lab.Config.Steps = 60
	for _, kv := range [][2]string{{"lr-grid", "0.001,0.01"}, {"tune-steps", "20"}} {
		s, _ := lab.FindSetting(compareSettings, kv[0])
		if _, err := m.lab.SetCompare(s, kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	press(m, "u")
	return m
}

// TestTunedRace: r with the tuned race on first searches each method's
// learning rate (lab.TuneLR, shown on the board), then races each at the
// rate its search chose — the one lab.TuneLR chooses for the same jobs —
// and says which on the board, in the about pane and in the reproduce line.
func TestTunedRace(t *testing.T) {
	m := tuneModel(t)
	press(m, "r")
	s := m.lab.Search
	if s == nil || s.Total != 6 || s.TotalSteps != 6*20 || m.lab.AnyRun() {
		t.Fatalf("r did not start a search of 2 methods × (2 rates + its untuned rate) first: %+v (%s)", s, m.lab.Message)
	}
	if v := ansi.Strip(paneOf[*BoardPane](m).View()); !strings.Contains(v, "learning-rate search 0 %, 0 of 6 runs ended") {
		t.Errorf("board during the search:\n%s", v)
	}
	drive(t, m, 60*time.Second, func() bool { return m.lab.Banner != "" })
	if !strings.Contains(m.lab.Banner, " of learning-rate search)") || m.lab.Last.SearchTime <= 0 {
		t.Errorf("the banner leaves the search's time out: %q", m.lab.Banner)
	}
	var jobs []lab.Job
	for _, name := range []string{"lora", "vera"} {
		i := m.lab.Index(name)
		cfg, err := m.lab.ConfigFor(i)
		if err == nil {
			cfg, err = prepare(m.lab.Methods[i], cfg)
		}
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, jobOf(m.lab.Methods[i], cfg))
	}
	want, err := lab.TuneLR(context.Background(), lab.NewPool(1), jobs, []float64{0.001, 0.01}, 20, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := m.lab.Last.Tunings
	about := strings.Join(strings.Fields(ansi.Strip(strings.Join(paneOf[*AboutPane](m).text(), " "))), " ")
	for k, name := range []string{"lora", "vera"} {
		r := m.lab.Runs[m.lab.Index(name)]
		if got[k].Best != want[k].Best || r.Config.LR != want[k].Best || r.Result.Config.LR != want[k].Best {
			t.Errorf("%s: searched %v, raced at %v (result %v); lab.TuneLR chooses %v", name, got[k].Best, r.Config.LR, r.Result.Config.LR, want[k].Best)
		}
		if row := boardRow(t, m, r.Info.Title); !strings.Contains(row, text.Number(want[k].Best)) {
			t.Errorf("%s's row does not give its tuned lr %s: %q", name, text.Number(want[k].Best), row)
		}
		if !strings.Contains(about, r.Info.Title+" "+text.Number(want[k].Best)) {
			t.Errorf("the about pane does not say %s won with %s: %s", name, text.Number(want[k].Best), about)
		}
	}
	if v := ansi.Strip(paneOf[*BoardPane](m).View()); !strings.Contains(v, "tuned lr") {
		t.Errorf("no tuned lr column:\n%s", v)
	}
	if line := m.lab.ReproduceLine(); !strings.HasSuffix(line, "--tune-lr --lr-grid 0.001,0.01 --tune-steps 20") || strings.Contains(line, "--lr ") {
		t.Errorf("reproduce: %s", line)
	}
	if b := m.lab.Bundles(); len(b) != 1 || len(b[0].Tuning) != 2 {
		t.Errorf("the save lacks the searches: %+v", b)
	}
}

// blockingTune stands in for lab.TuneLR: it reports one search run ended,
// then waits for its context and returns its error.
func blockingTune(ctx context.Context, _ *lab.Pool, jobs []lab.Job, grid []float64, horizon int, onProgress func(lab.TuneProgress)) ([]lab.Tuning, error) {
	onProgress(lab.TuneProgress{Ended: 1, Runs: len(jobs) * len(grid), Steps: horizon, TotalSteps: len(jobs) * len(grid) * horizon})
	<-ctx.Done()
	return nil, ctx.Err()
}

// awaitSearchEnd reads the hub's batches, applying them, until the search
// of generation gen reports its end, and returns that report.
func awaitSearchEnd(t *testing.T, m *Model, gen int) searchUpdate {
	t.Helper()
	var out searchUpdate
	within(t, "the search's end", func() {
		for {
			b, _ := m.lab.Listen()().(batchMsg)
			m.Update(b)
			if s := b.Search; s != nil && s.Gen == gen && s.Done {
				out = *s
				return
			}
		}
	})
	return out
}

// TestStopTheSearch: s while the search runs stops it — its goroutine
// returns with the context's error and no race starts, even when its last
// report arrives later — and r starts a new one.
func TestStopTheSearch(t *testing.T) {
	m := tuneModel(t)
	m.lab.tune = blockingTune
	press(m, "r")
	gen := m.lab.Search.gen
	drive(t, m, 10*time.Second, func() bool { return m.lab.Search.Ended == 1 })
	if v := ansi.Strip(paneOf[*BoardPane](m).View()); !strings.Contains(v, "1 of 4 runs ended") || !strings.Contains(v, "s stops it") {
		t.Errorf("board during the search:\n%s", v)
	}
	press(m, "s")
	if m.lab.Search != nil || !strings.Contains(m.lab.Message, "learning-rate search stopped at 25 %: no race started") {
		t.Fatalf("s: search %v, %q", m.lab.Search, m.lab.Message)
	}
	if end := awaitSearchEnd(t, m, gen); !errors.Is(end.Err, context.Canceled) {
		t.Errorf("the search ended with %v, want the context's cancellation", end.Err)
	}
	if m.lab.AnyRun() || m.lab.Last != nil {
		t.Fatal("a stopped search started a race")
	}
	press(m, "r")
	if m.lab.Search == nil || m.lab.Search.gen == gen {
		t.Fatal("r after a stop did not start a new search")
	}
	press(m, "X") // clearing stops it too
	if m.lab.Search != nil {
		t.Fatal("X left the search running")
	}
}

// TestQuitDuringTheSearch: ctrl+c while the real search trains quits, and
// once the lab has shut down no goroutine is left.
func TestQuitDuringTheSearch(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera")})
	m.lab.Config.Steps = 1_000_000
	press(m, "u", "r")
	if m.lab.Search == nil {
		t.Fatalf("no search: %s", m.lab.Message)
	}
	press(m, "ctrl+c")
	within(t, "shutdown", m.Shutdown)
	if m.lab.AnyRun() {
		t.Error("quitting during the search started a race")
	}
	goleak.VerifyNone(t, ignore)
}

// TestSweepAtTwoSeeds: a sweep at two seeds runs each (method, value) at
// both; its final loss is their mean, its table says so, and the save's
// table has the seeds.
func TestSweepAtTwoSeeds(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora")})
	m.lab.Config.Steps = 40
	press(m, "n")
	if err := m.lab.StartSweep("rank", "2,4"); err != nil {
		t.Fatal(err)
	}
	sw := m.lab.Sweep
	if sw.Total() != 4 || len(sw.Runs) != 2 || sw.Seeds() != 2 {
		t.Fatalf("total %d runs %d seeds %d", sw.Total(), len(sw.Runs), sw.Seeds())
	}
	drive(t, m, 60*time.Second, func() bool { return sw.Done() == sw.Total() })
	for vi := range sw.Values {
		r := sw.Runs[vi]
		if r.Reps[0].Result.Config.Seed != r.Result.Config.Seed+1 {
			t.Errorf("value %s: seeds %d and %d", r.Value, r.Result.Config.Seed, r.Reps[0].Result.Config.Seed)
		}
		if want := (r.Result.Final.Eval + r.Reps[0].Result.Final.Eval) / 2; math.Abs(sw.Final(0, vi)-want) > 1e-15*want {
			t.Errorf("value %s: final %v, want the mean %v", r.Value, sw.Final(0, vi), want)
		}
	}
	if tb := ansi.Strip(strings.Join(paneOf[*SweepPane](m).table(sw, 40), "\n")); !strings.Contains(tb, "mean final eval loss of 2 seeds") {
		t.Errorf("table:\n%s", tb)
	}
	b := m.lab.Bundles()
	if len(b) != 1 || len(b[0].Table) != 2 || b[0].Table[0].Seeds != 2 || len(b[0].Runs) != 4 {
		t.Errorf("sweep bundle: %+v", b)
	}
}

// seedRacing is race-five's six methods at three seeds, most ended, LoRA+
// within LoRA's spread, VeRA still training.
func seedRacing(t *testing.T, w, h int) *Model {
	m := newTestModel(t, w, h)
	floors := map[string][]float64{
		"lora": {1.0e-4, 1.2e-4, 1.4e-4}, "lora-plus": {1.3e-4, 1.6e-4, 2.0e-4}, "delta-lora": {3e-4, 4e-4, 6e-4},
		"full": {5e-4, 6e-4, 7e-4}, "lora-fa": {0.07, 0.08, 0.1}, "vera": {0.02, 0.05, 0.06},
	}
	for name, f := range floors {
		st, steps := lab.Done, 2000
		if name == "vera" {
			st, steps = lab.Running, 1200
		}
		fakeSeedRuns(m, m.lab.Index(name), steps, 2000, st, f...)
	}
	press(m, "n", "n")
	return m
}

func TestGoldenSeeds80x24(t *testing.T) {
	screen(t, seedRacing(t, 80, 24), 80, 24, "min … max", "tab", "tab", "tab", "tab")
}
func TestGoldenSeeds200x60(t *testing.T) { screen(t, seedRacing(t, 200, 60), 200, 60, "min … max") }

// TestSeedScreensFit: a race at three seeds and a learning-rate search in
// progress fit every size, in every focus, with and without colour.
func TestSeedScreensFit(t *testing.T) {
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		m := seedRacing(t, w, h)
		for range paneSlots {
			checkFits(t, m.View(), w, h)
			press(m, "tab")
		}
		s := tuneModel(t)
		s.lab.tune = blockingTune
		s.Update(tea.WindowSizeMsg{Width: w, Height: h})
		press(s, "r")
		for range paneSlots {
			checkFits(t, s.View(), w, h)
			press(s, "tab")
		}
	}
	m := New(Options{Profile: termenv.TrueColor, ResultsDir: t.TempDir(), Preset: marks("lora", "vera")})
	t.Cleanup(m.Shutdown)
	fakeSeedRuns(m, 0, 500, 1000, lab.Running, 1e-4, 3e-4, 1e-3)
	for _, sz := range sizes {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkFits(t, m.View(), sz[0], sz[1])
	}
}
