package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// BoardPane is the race leaderboard: lab.Leaderboard over the current
// results (provisional for runs still training), best eval loss first; ✎
// marks a run whose learning rate was changed while it trained. At several
// seeds (Lab.Compare.Seeds) it is lab.SeedLeaderboard: ranked by the mean
// final eval loss over each method's seeds, with its min … max, and ≈
// marks a method whose range overlaps the leader's (the difference is seed
// noise). After a tuned race, a column gives the rate each method won its
// search with; while the search runs, its progress comes first. Under it,
// once a race has ended, its banner (winner, margin, target, wall time);
// then how the runs share the machine and whether they share their data.
type BoardPane struct {
	basePane
	// The data check of the last set of runs (their generations): the
	// settings do not change while they train, so it is made once a set.
	dataKey  []int
	dataDiff string
}

// NewBoardPane returns the leaderboard pane.
func NewBoardPane(c *Common) *BoardPane { return &BoardPane{basePane: basePane{c: c}} }

// Title implements Component.
func (p *BoardPane) Title() string { return "Leaderboard" }

// ShortHelp implements Component.
func (p *BoardPane) ShortHelp() []key.Binding { return []key.Binding{p.c.Keys.Race} }

// View implements Component.
func (p *BoardPane) View() string {
	v := p.c.Lab.Version()
	return p.memo.get([8]int{p.w, p.h, v.Runs, v.Experiment}, p.render)
}

// col is a column of the board: its head, its width, its cell for row i.
type col struct {
	head string
	w    int
	cell func(i int) string
}

func (p *BoardPane) render() string {
	l, st := p.c.Lab, p.c.Styles
	var search []string
	if s := l.Search; s != nil {
		search = p.searching(s)
	}
	results := l.Results()
	if len(results) == 0 {
		if search != nil {
			return strings.Join(search, "\n")
		}
		return "\n  No runs yet: r races the marked methods\n  (all " + text.CountWord(len(l.Methods)) + " if none is marked) with the\n  same settings, data and seed."
	}
	var names []string // each row's method
	var cols []col
	var tails []string // each row's mark at its end
	if l.Seeded() {
		names, cols, tails = p.seedColumns()
	} else {
		names, cols, tails = p.columns(results)
	}
	fixed := 3 + 14 + 2 // place, method (and ✎), state
	tailW := 0
	for _, t := range tails {
		tailW = max(tailW, text.Width(t))
	}
	avail := p.w - fixed - tailW
	n := 0
	for n < len(cols) && avail >= cols[n].w {
		avail -= cols[n].w
		n++
	}
	cols = cols[:n]
	head := fmt.Sprintf("%-3s%-14s  ", "#", "method")
	for _, c := range cols {
		head += fmt.Sprintf("%*s", c.w, c.head)
	}
	out := append(search, st.Muted.Render(head))
	for k, name := range names {
		i := l.Index(name)
		info := l.Infos[i]
		live := " "
		if l.Runs[i].LiveChanged() {
			live = st.Live.Render("✎")
		}
		label := st.Method(info.Name).Render(info.Glyph) + " " + fmt.Sprintf("%-11s", info.Title) + live
		icon := statusStyle(st, l.Runs[i]).Render(statusIcon(l.Runs[i]))
		line := fmt.Sprintf("%-3d", k+1) + label + icon + " "
		for _, c := range cols {
			line += fmt.Sprintf("%*s", c.w, c.cell(k))
		}
		switch t := strings.TrimPrefix(tails[k], " "); {
		case t == "◀ winner":
			line += " " + st.OK.Render(t)
		case t != "":
			line += " " + st.Warn.Render(t)
		}
		out = append(out, line)
	}
	room := p.h - len(out)
	if l.Banner != "" && room > 0 {
		lines := wrap("★ "+l.Banner, p.w, max(1, room-1))
		for _, b := range lines {
			out = append(out, st.OK.Render(b))
		}
		room -= len(lines)
	}
	if l.Seeded() && room > 1 {
		out = append(out, st.Muted.Render(text.Fit("ranked by the mean of the seeds · ≈ #1: min…max overlaps #1's (seed noise)", p.w)))
		room--
	}
	if room > 0 {
		out = append(out, st.Muted.Render(text.Fit(strings.Join(p.footer(), " · "), p.w)))
	}
	return strings.Join(out, "\n")
}

// searching is the learning-rate search's progress, above the board.
func (p *BoardPane) searching(s *SearchState) []string {
	st := p.c.Styles
	line := fmt.Sprintf("◷ tuned race: learning-rate search %s, %d of %d runs ended (%s × %s and its untuned rate, %s steps each, seed %d) · s stops it",
		s.Percent(), s.Ended, s.Total, plural(len(s.Methods), "method"), plural(len(s.Grid), "rate"), text.ShortCount(float64(s.Horizon)), s.Seed)
	var out []string
	for _, w := range wrap(line, p.w, 2) {
		out = append(out, st.Accent.Render(w))
	}
	return out
}

// tunedLR is the column of the rate each method raced at, after a tuned
// race (nil otherwise): the rate that won its search.
func (p *BoardPane) tunedLR(names []string) []col {
	l := p.c.Lab
	if l.Last == nil || len(l.Last.Tunings) == 0 {
		return nil
	}
	won := map[string]float64{}
	for _, t := range l.Last.Tunings {
		won[t.Method] = t.Best
	}
	return []col{{"tuned lr", 9, func(k int) string {
		if lr, ok := won[names[k]]; ok {
			return text.Number(lr)
		}
		return "—"
	}}}
}

// seedColumns are the board at several seeds: lab.SeedLeaderboard's rows,
// by priority the mean final eval loss, its min … max, the tuned rate, the
// steps to the target (the mean over the seeds that reached it, and how
// many did), the trainable parameters, the memory and the speed; ◀ winner
// or ≈ #1 at the end.
func (p *BoardPane) seedColumns() ([]string, []col, []string) {
	rows := lab.SeedLeaderboard(p.c.Lab.GroupResults(), p.c.Lab.Target())
	names := make([]string, len(rows))
	tails := make([]string, len(rows))
	for k, s := range rows {
		names[k] = s.Method
		switch {
		case s.Winner:
			tails[k] = " ◀ winner"
		case s.Tied:
			tails[k] = " ≈ #1"
		}
	}
	cols := []col{
		{"mean", 8, func(k int) string { return text.ShortLoss(rows[k].EvalLoss.Mean) }},
		{"min … max", 18, func(k int) string {
			if e := rows[k].EvalLoss; e.N > 0 {
				return text.ShortLoss(e.Min) + "…" + text.ShortLoss(e.Max)
			}
			return "—"
		}},
	}
	cols = append(cols, p.tunedLR(names)...)
	cols = append(cols,
		col{"to " + text.ShortLoss(p.c.Lab.Target()), 12, func(k int) string {
			s := rows[k]
			if s.Reached == 0 {
				return "—"
			}
			return fmt.Sprintf("%s %d/%d", text.ShortCount(s.StepsToTarget.Mean), s.Reached, s.Seeds)
		}},
		col{"trainable", 10, func(k int) string { return text.ShortCount(float64(rows[k].Trainable)) }},
		col{"memory", 10, func(k int) string { return text.Bytes(rows[k].MemoryTotal) }},
		col{"steps/s", 8, func(k int) string {
			if !(rows[k].StepsPerSec > 0) {
				return "—"
			}
			return text.ShortCount(p.c.Lab.Pace(rows[k].Method, rows[k].StepsPerSec))
		}},
	)
	return names, cols, tails
}

// columns are the board at one seed: lab.Leaderboard's rows, by priority
// the final and best eval loss, the tuned rate, the trainable parameters,
// the memory, the steps to the target and the speed; ◀ winner at the end.
func (p *BoardPane) columns(results []*lab.Result) ([]string, []col, []string) {
	board := lab.Leaderboard(results, p.c.Lab.Target())
	names := make([]string, len(board))
	tails := make([]string, len(board))
	for k, s := range board {
		names[k] = s.Method
		if s.Winner {
			tails[k] = " ◀ winner"
		}
	}
	rows := func(f func(s lab.Standing) string) func(int) string {
		return func(k int) string { return f(board[k]) }
	}
	cols := []col{
		{"eval", 8, rows(func(s lab.Standing) string { return text.ShortLoss(s.EvalLoss) })},
		{"best", 8, rows(func(s lab.Standing) string {
			if math.IsInf(s.BestEvalLoss, 1) {
				return "—"
			}
			return text.ShortLoss(s.BestEvalLoss)
		})},
	}
	cols = append(cols, p.tunedLR(names)...)
	return names, append(cols,
		col{"trainable", 10, rows(func(s lab.Standing) string { return text.ShortCount(float64(s.Trainable)) })},
		col{"memory", 10, rows(func(s lab.Standing) string { return text.Bytes(s.MemoryTotal) })},
		col{"to " + text.ShortLoss(p.c.Lab.Target()), 10, rows(func(s lab.Standing) string {
			if s.StepsToTarget < 0 {
				return "—"
			}
			return text.ShortCount(float64(s.StepsToTarget))
		})},
		col{"steps/s", 8, rows(func(s lab.Standing) string {
			if s.StepsPerSec <= 0 {
				return "—"
			}
			return text.ShortCount(p.c.Lab.Pace(s.Method, s.StepsPerSec))
		})},
	), tails
}

// footer says how the runs share the machine (every run seated trains,
// taking turns on the cores; the others wait for a seat), whether they
// all train on the same data, and what ✎ means.
func (p *BoardPane) footer() []string {
	l := p.c.Lab
	seated, queued := 0, 0
	var runs []*RunView
	for _, g := range l.Runs {
		if g == nil {
			continue
		}
		runs = append(runs, g)
		for _, r := range g.Group() {
			switch {
			case r.Status.Final():
			case r.Started():
				seated++
			default:
				queued++
			}
		}
	}
	var out []string
	switch {
	case seated > l.Workers():
		out = append(out, fmt.Sprintf("%d runs take turns on %s, so all move together", seated, plural(l.Workers(), "core")))
	case seated > 0:
		out = append(out, fmt.Sprintf("%s training, one per core", plural(seated, "run")))
	}
	if queued > 0 {
		out = append(out, fmt.Sprintf("◷ %d wait for a seat (enter on one says why)", queued))
	}
	key := make([]int, 0, len(runs))
	for _, r := range runs {
		key = append(key, r.Gen)
	}
	if !slices.Equal(key, p.dataKey) {
		p.dataKey, p.dataDiff = key, dataDiffers(runs)
	}
	seeds := 1
	for _, r := range runs {
		seeds = max(seeds, r.Seeds())
	}
	switch diff := p.dataDiff; {
	case diff != "":
		out = append(out, "not the same data: "+diff+" differ")
	case seeds > 1:
		first := runs[0].Config.Seed
		out = append(out, fmt.Sprintf("seeds %d…%d, the same data at each seed for every method", first, first+uint64(seeds-1)))
	case len(runs) > 1:
		out = append(out, "same seed and data for every run")
	}
	for _, r := range runs {
		if r.LiveChanged() {
			out = append(out, "✎ lr changed while training")
			break
		}
	}
	return out
}

// dataDiffers names the settings that decide a run's data (the seed, the
// batch, the task and its settings) on which runs disagree ("" if none).
func dataDiffers(runs []*RunView) string {
	if len(runs) < 2 {
		return ""
	}
	var names []string
	check := func(s lab.Setting) {
		first := s.Get(runs[0].Config)
		for _, r := range runs[1:] {
			if s.Get(r.Config) != first {
				names = append(names, s.Name)
				return
			}
		}
	}
	for _, name := range []string{"seed", "batch", "task"} {
		if s, err := catalog.Setting(name); err == nil {
			check(s)
		}
	}
	for _, s := range taskOf(runs[0].Config).Info().Settings {
		check(s)
	}
	return strings.Join(names, ", ")
}
