package tui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// The store's comparison settings and the learning-rate search of a tuned
// race: how the lab makes a race or a sweep fair (issue 13), as loralab
// race --seeds N --tune-lr does on the command line.

// MaxLabSeeds bounds the seeds of a race or sweep in the lab (lab.MaxSeeds
// bounds the command line's): ten seeds of every method already crowd the
// board and the chart.
const MaxLabSeeds = 10

// CompareSettings say how the lab's races and sweeps compare: at how many
// seeds every configuration runs, and whether a race first searches each
// method's learning rate.
type CompareSettings struct {
	// Seeds: every configuration of a race or sweep runs at Seeds seeds,
	// Config.Seed, +1, … (1: one run each, as ever).
	Seeds int
	// Tune: a race first runs lab.TuneLR (every method, every rate of Grid,
	// TuneSteps steps, on the race's data at its first seed) and races each
	// method at the rate that won its search.
	Tune bool
	// Grid is the search's rates (nil: lab.DefaultTuneGrid).
	Grid []float64
	// TuneSteps is the steps of each search run (0: lab.TuneHorizon of the
	// race's steps).
	TuneSteps int
}

// SeedCount is Seeds, at least 1.
func (c CompareSettings) SeedCount() int { return max(c.Seeds, 1) }

// Rates is Grid, or lab.DefaultTuneGrid.
func (c CompareSettings) Rates() []float64 {
	if len(c.Grid) == 0 {
		return lab.DefaultTuneGrid
	}
	return c.Grid
}

// Horizon is the steps of each search run for a race of `steps` steps.
func (c CompareSettings) Horizon(steps int) int {
	if c.TuneSteps > 0 {
		return c.TuneSteps
	}
	return lab.TuneHorizon(steps)
}

// flags are the command line's flags for the settings: --seeds N, and
// with tuned --tune-lr, --lr-grid and --tune-steps (the last two only when
// not the default).
func (c CompareSettings) flags(tuned bool) []string {
	var out []string
	if c.SeedCount() > 1 {
		out = append(out, "--seeds", strconv.Itoa(c.SeedCount()))
	}
	if tuned {
		out = append(out, "--tune-lr")
		if !slices.Equal(c.Rates(), lab.DefaultTuneGrid) {
			out = append(out, "--lr-grid", gridText(c.Rates()))
		}
		if c.TuneSteps > 0 {
			out = append(out, "--tune-steps", strconv.Itoa(c.TuneSteps))
		}
	}
	return out
}

// gridText writes rates as a comma-separated list, as --lr-grid takes it.
func gridText(rates []float64) string {
	out := make([]string, len(rates))
	for i, r := range rates {
		out[i] = text.Float(r)
	}
	return strings.Join(out, ",")
}

// GridShort is the grid in a few cells: "0.0001…0.1 (7)".
func (c CompareSettings) GridShort() string {
	g := c.Rates()
	if len(g) == 1 {
		return text.Number(g[0]) + " (1)"
	}
	return fmt.Sprintf("%s…%s (%d)", text.Number(g[0]), text.Number(g[len(g)-1]), len(g))
}

// The comparison settings, by the command line's flag names: the settings
// pane lists them after the run's settings and steps and checks them as it
// does every setting (lab.Setting.Set and Step on a Config that holds only
// them, CompareConfig).
var (
	seedsSetting = lab.Setting{Name: "seeds", Kind: lab.IntSetting, Default: 1,
		Help:   fmt.Sprintf("races and sweeps run every configuration at N seeds (seed, seed+1, …), rank by the mean and show the spread (1 … %d)", MaxLabSeeds),
		Ladder: []float64{1, 2, 3, 4, 5, 6, 8, 10}, Check: lab.Between("seeds", 1, MaxLabSeeds)}
	tuneSetting = lab.Setting{Name: "tune-lr", Kind: lab.BoolSetting, Default: false,
		Help: "a race first searches each method's learning rate (runs over lr-grid on its data) and races each at its best"}
	gridSetting = lab.Setting{Name: "lr-grid", Kind: lab.StringSetting, Default: gridText(lab.DefaultTuneGrid),
		Help: "the learning-rate search's rates: a list or a log range like 1e-4..1e-1:log:7", Check: checkGrid}
	tuneStepsSetting = lab.Setting{Name: "tune-steps", Kind: lab.IntSetting, Default: 0,
		Help:   "steps of each search run (0: the race's own steps)",
		Ladder: []float64{0, 50, 100, 200, 500, 1000, 2000, 5000}, Check: lab.Between("tune-steps", 0, lab.MaxSteps)}
	compareSettings = []lab.Setting{seedsSetting, tuneSetting, gridSetting, tuneStepsSetting}
)

// parseGrid reads an lr-grid with the sweep's value syntax.
func parseGrid(v string) ([]float64, error) {
	lr, err := catalog.Setting("lr")
	if err != nil {
		return nil, err
	}
	values, err := lab.ParseValues(lr, v)
	if err != nil {
		return nil, fmt.Errorf("lr-grid %q: %v", v, err)
	}
	out := make([]float64, len(values))
	for i, s := range values {
		out[i], _ = strconv.ParseFloat(s, 64)
		if !(out[i] > 0) {
			return nil, fmt.Errorf("lr-grid %q: every rate must be above 0", v)
		}
	}
	return out, nil
}

// checkGrid is lr-grid's Check.
func checkGrid(v any) error {
	s, _ := v.(string)
	_, err := parseGrid(s)
	return err
}

// CompareConfig is the comparison settings as a Config that holds only
// them (by name, as options): what lab.Setting's Get, Set and Step read.
func (l *Lab) CompareConfig() lab.Config {
	c := l.Compare
	return lab.Config{}.With(seedsSetting.Name, c.SeedCount()).With(tuneSetting.Name, c.Tune).
		With(gridSetting.Name, gridText(c.Rates())).With(tuneStepsSetting.Name, c.TuneSteps)
}

// SetCompare sets comparison setting s (one of compareSettings) to text v
// for the next race or sweep, or refuses, changing nothing, with the
// reason. It returns the value now, as text.
func (l *Lab) SetCompare(s lab.Setting, v string) (string, error) {
	cfg := l.CompareConfig()
	if err := s.Set(&cfg, v); err != nil {
		return "", err
	}
	grid, err := parseGrid(gridSetting.Text(cfg))
	if err != nil {
		return "", err
	}
	l.Compare = CompareSettings{Seeds: seedsSetting.Int(cfg), Tune: tuneSetting.Bool(cfg), Grid: grid, TuneSteps: tuneStepsSetting.Int(cfg)}
	if slices.Equal(grid, lab.DefaultTuneGrid) {
		l.Compare.Grid = nil
	}
	l.ver.Config++
	return s.Get(l.CompareConfig()), nil
}

// StepSeeds moves the seeds one rung up the seeds setting's ladder, from
// the top back to 1 (the n key), and says what races and sweeps now do.
func (l *Lab) StepSeeds() {
	v, ok := seedsSetting.Step(l.CompareConfig(), 1)
	if !ok {
		v = "1"
	}
	if _, err := l.SetCompare(seedsSetting, v); err != nil {
		l.Say(true, "seeds: %v", err)
		return
	}
	if n := l.Compare.SeedCount(); n > 1 {
		l.Say(false, "seeds %d: races and sweeps run every configuration at seeds %d … %d and rank by the mean (n: more)", n, l.Config.Seed, l.Config.Seed+uint64(n-1))
		return
	}
	l.Say(false, "seeds 1: one run per configuration (n: more seeds)")
}

// ToggleTune switches the tuned race on or off (the u key) and says what
// the next race does.
func (l *Lab) ToggleTune() {
	if _, err := l.SetCompare(tuneSetting, strconv.FormatBool(!l.Compare.Tune)); err != nil {
		l.Say(true, "tune-lr: %v", err)
		return
	}
	if l.Compare.Tune {
		l.Say(false, "tuned race on: r first searches each method's learning rate (%s, %s steps each) and races each at its best", l.Compare.GridShort(), text.ShortCount(float64(l.Compare.Horizon(l.Config.Steps))))
		return
	}
	l.Say(false, "tuned race off: each method races at its learning rate as set")
}

// SearchState is the learning-rate search of a tuned race, while it runs:
// every race method at every rate of Grid for Horizon steps, in the lab's
// pool (lab.TuneLR); the race starts when it is over.
type SearchState struct {
	Methods []int     // the race's methods
	Grid    []float64 // its rates
	Horizon int       // steps of each search run
	Seed    uint64    // the seed it searches on (the race's first)
	// Ended and Total count its runs: ended, in all (methods × rates, and
	// each method's untuned rate); Steps and TotalSteps their steps, which
	// say how far it is (its runs share the cores and end together).
	Ended, Total      int
	Steps, TotalSteps int
	started           time.Time

	gen      int
	cancel   context.CancelFunc
	cfgs     []lab.Config    // the race's settings, per method, before tuning
	settings CompareSettings // the comparison settings the race was started with
	adm      lab.Admission
}

// Percent says how far the search is, by its steps: "34 %".
func (s *SearchState) Percent() string {
	if s.TotalSteps <= 0 {
		return "0 %"
	}
	return fmt.Sprintf("%d %%", 100*s.Steps/s.TotalSteps)
}

// Elapsed is the search's wall time so far.
func (s *SearchState) Elapsed() time.Duration { return time.Since(s.started) }

// startSearch starts the learning-rate search of a tuned race of methods
// idx with cfgs (prepared; the race admitted as adm), in the hub's
// goroutines: Update never waits for it.
func (l *Lab) startSearch(idx []int, cfgs []lab.Config, c CompareSettings, adm lab.Admission) {
	var jobs []lab.Job
	for k, i := range idx {
		jobs = append(jobs, jobOf(l.Methods[i], cfgs[k]))
	}
	ctx, cancel := context.WithCancel(l.ctx)
	l.gen++
	grid, horizon := c.Rates(), c.Horizon(cfgs[0].Steps)
	l.Search = &SearchState{Methods: idx, Grid: grid, Horizon: horizon, Seed: cfgs[0].Seed,
		Total: lab.SearchRuns(jobs, grid), TotalSteps: lab.SearchRuns(jobs, grid) * horizon,
		started: time.Now(), gen: l.gen, cancel: cancel, cfgs: cfgs, settings: c, adm: adm}
	tune := l.tune
	if tune == nil {
		tune = lab.TuneLR
	}
	l.hub.search(ctx, l.gen, l.pool, jobs, grid, horizon, tune)
	l.ver.Runs++
	l.Say(false, "tuned race: searching each method's learning rate first — %s × %s and each one's untuned rate = %d runs of %s steps at seed %d; s stops it",
		plural(len(idx), "method"), plural(len(grid), "rate"), l.Search.Total, text.ShortCount(float64(horizon)), l.Search.Seed)
}

// CancelSearch stops the learning-rate search (s, X, a new preset): its
// runs stop after their current step, in its goroutines; no race starts.
func (l *Lab) CancelSearch() {
	s := l.Search
	if s == nil {
		return
	}
	s.cancel()
	l.Search = nil // its last report, still to come, is stale now
	l.ver.Runs++
	l.Say(false, "learning-rate search stopped at %s: no race started", s.Percent())
}

// ApplySearch takes the search's report from the hub: its progress, or its
// outcome — the race starts with each method at the rate that won its
// search, or the lab says why not. A report of a stopped or older search
// is dropped; it reports whether the report was taken.
func (l *Lab) ApplySearch(u searchUpdate) bool {
	s := l.Search
	if s == nil || u.Gen != s.gen {
		return false
	}
	l.ver.Runs++
	if !u.Done {
		p := u.Progress
		s.Ended, s.Total, s.Steps, s.TotalSteps = p.Ended, p.Runs, p.Steps, p.TotalSteps
		return true
	}
	s.cancel() // release the context's resources
	l.Search = nil
	if u.Err != nil {
		l.Say(true, "tuned race refused: %v", u.Err)
		return true
	}
	cfgs := append([]lab.Config(nil), s.cfgs...)
	var won []string
	for k, t := range u.Tunings {
		cfgs[k].LR = t.Best
		won = append(won, l.Infos[s.Methods[k]].Title+" "+text.Number(t.Best))
	}
	if l.startRace(s.Methods, cfgs, s.settings, u.Tunings, s.adm) {
		l.Last.SearchTime = s.Elapsed()
		l.Say(false, "learning-rate search done in %s; racing each at its best: %s", text.Clock(s.Elapsed()), strings.Join(won, ", "))
	}
	return true
}
