package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/share"
	"github.com/loralab/loralab/ui/text"
)

// Experiment is the last run, race or sweep the lab started, as the one
// command line that reproduces it (ui/share).
type Experiment struct {
	share.Experiment
	// Tunings are the learning-rate searches a tuned race ran first, one
	// per method in race order: each raced at its Best rate.
	Tunings []lab.Tuning
	// SearchTime is the wall time of that search, before the race started.
	SearchTime time.Duration
	runs       []runKey // the runs it started (id, generation), every seed's, to tell live changes
}

// Command is the loralab command line that reproduces the experiment.
func (e *Experiment) Command() string { return share.Command(catalog, e.Experiment) }

// record remembers the experiment just started: kind "run", "race" or
// "sweep", its methods (indices), and for a sweep the setting and values.
// The settings are those of the moment it started; with a preset, the
// command names it and gives the settings the user changed from it.
func (l *Lab) record(kind string, idx []int, setting string, values []string) {
	e := &Experiment{Experiment: share.Experiment{Kind: kind, Config: l.Config, Setting: setting, Values: values}}
	for _, i := range idx {
		e.Methods = append(e.Methods, l.Infos[i].Name)
		if kind != "sweep" {
			for _, x := range l.Runs[i].Group() {
				e.runs = append(e.runs, runKey{seedID(i, x.Seed), x.Gen})
			}
		}
	}
	if l.Preset.Name != "" {
		e.Preset = append([]string(nil), l.Preset.Args...)
		e.Given = l.given()
	}
	if kind != "run" {
		e.Extra = l.Compare.flags(false)
	}
	l.Last, l.Banner = e, ""
	if kind == "race" {
		l.Say(false, "race: %s", l.raceNote(idx))
	}
	l.ver.Experiment++
}

// tuned marks the experiment a tuned race: the rate each method won its
// search with, and the command line's --tune-lr (and the search's grid and
// steps if not the default) in place of a learning rate, which loralab
// refuses beside --tune-lr (the search picks each method's).
func (e *Experiment) tuned(tunings []lab.Tuning, c CompareSettings) {
	e.Tunings = tunings
	e.Config.LR = 0
	var given [][2]string
	for _, g := range e.Given {
		if g[0] != "lr" {
			given = append(given, g)
		}
	}
	e.Given = given
	e.Extra = c.flags(true)
}

// raceNote says how the runs idx of a race train: together, taking turns
// on the cores (or one per core), every run on the same data.
func (l *Lab) raceNote(idx []int) string {
	var names []string
	runs := 0
	for _, i := range idx {
		names = append(names, l.Infos[i].Title)
		runs += l.Runs[i].Seeds()
	}
	all := fmt.Sprintf("all %d", runs)
	if runs > len(idx) {
		all = fmt.Sprintf("all %d runs (%d seeds each)", runs, runs/len(idx))
	}
	how := fmt.Sprintf("%s train together, taking turns on %s", all, plural(l.Workers(), "core"))
	if runs <= l.Workers() {
		how = fmt.Sprintf("%s train at once, one per core", all)
	}
	if runs > l.seats {
		how = fmt.Sprintf("%d at a time hold a seat and take turns on %s; the others wait", l.seats, plural(l.Workers(), "core"))
	}
	return strings.Join(names, ", ") + ": " + how
}

// raceOver sets the banner once every run of the last race has ended (none
// if one of them was reset or restarted meanwhile), and says it.
func (l *Lab) raceOver() {
	e := l.Last
	if e == nil || e.Kind != "race" || l.Banner != "" || len(e.runs) == 0 {
		return
	}
	var runs []*RunView // the race's methods' runs (each with its Reps)
	for _, k := range e.runs {
		g := l.Runs[k.id.Index]
		r := g.member(k.id.Seed)
		if r == nil || r.Gen != k.gen || !r.Status.Final() || r.Result == nil {
			return
		}
		if k.id.Seed == 0 {
			runs = append(runs, g)
		}
	}
	if len(runs) > 0 && len(runs[0].Reps) > 0 {
		l.Banner = seedBanner(runs)
	} else {
		l.Banner = raceBanner(runs)
	}
	if e.SearchTime > 0 { // the race's wall time leaves the search out: say it
		l.Banner += " (after " + text.Clock(e.SearchTime) + " of learning-rate search)"
	}
	l.Say(false, "%s", l.Banner)
	l.ver.Experiment++
}

// raceBanner is the result of a race in one sentence: the winner and its
// eval loss, the margin to the runner-up, how many runs reached the
// leaderboard's target loss (and which first), and the race's wall time.
func raceBanner(runs []*RunView) string {
	var results []*lab.Result
	byName := map[string]*RunView{}
	wall := time.Duration(0)
	for _, r := range runs {
		results = append(results, r.Result)
		byName[r.Info.Name] = r
		wall = max(wall, r.Elapsed)
	}
	rows := lab.Leaderboard(results, targetOf(runs[0]))
	name := func(s lab.Standing) string { r := byName[s.Method]; return r.Info.Glyph + " " + r.Info.Title }
	var parts []string
	switch {
	case len(rows) > 0 && rows[0].Winner:
		w := rows[0]
		win := fmt.Sprintf("race over: %s wins, eval loss %s", name(w), text.ShortLoss(w.EvalLoss))
		if len(rows) > 1 && rows[1].Status == lab.Done && lab.Finite(rows[1].EvalLoss) && w.EvalLoss > 0 {
			win += fmt.Sprintf(", %s lower than %s (%s)", marginText(rows[1].EvalLoss/w.EvalLoss), name(rows[1]), text.ShortLoss(rows[1].EvalLoss))
		}
		parts = append(parts, win)
	default:
		parts = append(parts, "race over: no run finished")
	}
	reached, first := 0, -1
	for i, s := range rows {
		if s.StepsToTarget >= 0 {
			reached++
			if first < 0 || s.StepsToTarget < rows[first].StepsToTarget {
				first = i
			}
		}
	}
	target := text.ShortLoss(targetOf(runs[0]))
	if reached == 0 {
		parts = append(parts, "none reached "+target)
	} else {
		parts = append(parts, fmt.Sprintf("%d of %d reached %s, %s first (step %s)", reached, len(rows), target, name(rows[first]), text.ShortCount(float64(rows[first].StepsToTarget))))
	}
	parts = append(parts, text.Clock(wall)+" wall")
	return strings.Join(parts, " · ")
}

// seedBanner is the result of a race at several seeds in one sentence:
// the leader by the mean final eval loss and its range, whether it wins
// (no other method's range overlaps its) or which methods are within the
// seed noise of it, how many methods reached the target at every seed,
// and the race's wall time.
func seedBanner(groups []*RunView) string {
	var results [][]*lab.Result
	byName := map[string]*RunView{}
	wall := time.Duration(0)
	for _, g := range groups {
		var rs []*lab.Result
		for _, x := range g.Group() {
			rs = append(rs, x.Result)
			wall = max(wall, x.Elapsed)
		}
		results = append(results, rs)
		byName[g.Info.Name] = g
	}
	rows := lab.SeedLeaderboard(results, targetOf(groups[0]))
	name := func(s lab.SeedStanding) string { g := byName[s.Method]; return g.Info.Glyph + " " + g.Info.Title }
	spread := func(s lab.SeedStanding) string {
		return fmt.Sprintf("mean eval loss %s (%s … %s)", text.ShortLoss(s.EvalLoss.Mean), text.ShortLoss(s.EvalLoss.Min), text.ShortLoss(s.EvalLoss.Max))
	}
	seeds := groups[0].Seeds()
	var parts []string
	switch {
	case len(rows) == 0 || rows[0].EvalLoss.N == 0:
		parts = append(parts, fmt.Sprintf("race over at %d seeds: no run finished", seeds))
	case rows[0].Winner:
		w := rows[0]
		win := fmt.Sprintf("race over at %d seeds: %s wins, %s", seeds, name(w), spread(w))
		if len(rows) > 1 && rows[1].EvalLoss.N > 0 && w.EvalLoss.Mean > 0 {
			win += fmt.Sprintf(", %s lower than %s (mean %s), beyond the seed spread", marginText(rows[1].EvalLoss.Mean/w.EvalLoss.Mean), name(rows[1]), text.ShortLoss(rows[1].EvalLoss.Mean))
		}
		parts = append(parts, win)
	default:
		var tied []string
		for _, s := range rows[1:] {
			if s.Tied {
				tied = append(tied, name(s))
			}
		}
		lead := fmt.Sprintf("race over at %d seeds: %s leads, %s", seeds, name(rows[0]), spread(rows[0]))
		if len(tied) > 0 {
			lead += fmt.Sprintf(", but %s within its spread: seed noise, no winner", strings.Join(tied, ", "))
		}
		parts = append(parts, lead)
	}
	every := 0
	for _, s := range rows {
		if s.Reached == s.Seeds {
			every++
		}
	}
	parts = append(parts, fmt.Sprintf("%d of %d reached %s at every seed", every, len(rows), text.ShortLoss(targetOf(groups[0]))))
	parts = append(parts, text.Clock(wall)+" wall")
	return strings.Join(parts, " · ")
}

// marginText says how much lower a loss a is than b, given x = b/a (≥ 1):
// "2.5×", "12×", or below 1.5× in percent of b: "20 %" for x = 1.25.
func marginText(x float64) string {
	switch {
	case x < 1.5:
		return strconv.FormatFloat((1-1/x)*100, 'g', 2, 64) + " %"
	case x >= 100:
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64) + "×"
	}
	return strconv.FormatFloat(x, 'g', 2, 64) + "×"
}

// given lists the settings the user changed since the preset was loaded,
// as name and value in display order: those that differ from the preset's
// and those set in the settings pane (which replaced the preset's
// per-method values), so that the command line, which applies the preset's
// overrides and then its flags, gives every method the same settings.
func (l *Lab) given() [][2]string {
	var out [][2]string
	for _, s := range catalog.Settings() {
		if s.Name == "method" {
			continue
		}
		if v := s.Get(l.Config); l.touched[s.Name] || v != s.Get(l.Preset.Base) {
			out = append(out, [2]string{s.Name, v})
		}
	}
	return out
}

// touch notes that the user set setting name in the settings pane.
func (l *Lab) touch(name string) {
	if l.touched == nil {
		l.touched = map[string]bool{}
	}
	l.touched[name] = true
}

// LiveChanged reports whether a live setting (the learning rate) was
// changed while a run of the last experiment trained: the command line
// then reproduces the starting settings, not what the runs did.
func (l *Lab) LiveChanged() bool {
	if l.Last == nil {
		return false
	}
	for _, k := range l.Last.runs {
		if r := l.Runs[k.id.Index].member(k.id.Seed); r != nil && r.Gen == k.gen && r.liveLR {
			return true
		}
	}
	return false
}

// ReproduceLine is "loralab …", the command that reproduces the last
// experiment, or "" if none was started.
func (l *Lab) ReproduceLine() string {
	if l.Last == nil {
		return ""
	}
	return l.Last.Command()
}

// RaceProgress is the last race's progress, if the last experiment is a
// race whose runs are all still there: the runs ended and in all, the
// wall time so far (the longest-running one's) and an estimate of the time
// left (false when no run has a pace yet, or the race is over) from each
// unfinished run's pace so far.
func (l *Lab) RaceProgress() (ended, total int, elapsed, left time.Duration, known, ok bool) {
	e := l.Last
	if e == nil || e.Kind != "race" || len(e.runs) == 0 {
		return 0, 0, 0, 0, false, false
	}
	known = true
	open := false
	for _, k := range e.runs {
		r := l.Runs[k.id.Index].member(k.id.Seed)
		if r == nil || r.Gen != k.gen {
			return 0, 0, 0, 0, false, false
		}
		total++
		elapsed = max(elapsed, r.Elapsed)
		if r.Status.Final() {
			ended++
			continue
		}
		open = true
		if r.Step <= 0 || r.Elapsed <= 0 {
			known = false
			continue
		}
		left = max(left, time.Duration(float64(r.Elapsed)*float64(r.Steps-r.Step)/float64(r.Step)))
	}
	return ended, total, elapsed, left, known && open, true
}
