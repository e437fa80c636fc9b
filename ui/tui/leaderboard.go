package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/loralab/loralab/ui/text"

	"github.com/charmbracelet/bubbles/key"
	"github.com/loralab/loralab/lab"
)

// BoardPane is the race leaderboard: lab.Leaderboard over the current
// results (provisional for runs still training), best eval loss first; ✎
// marks a run whose learning rate was changed while it trained. Under it,
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
	return p.memo.get([8]int{p.w, p.h, p.c.Lab.Version().Runs}, p.render)
}

func (p *BoardPane) render() string {
	l, st := p.c.Lab, p.c.Styles
	results := l.Results()
	if len(results) == 0 {
		return "\n  No runs yet: r races the marked methods\n  (all " + text.CountWord(len(l.Methods)) + " if none is marked) with the\n  same settings, data and seed."
	}
	rows := lab.Leaderboard(results, lab.DefaultTarget)
	// Columns by priority: what does not fit is left out.
	type col struct {
		head string
		w    int
		cell func(s lab.Standing) string
	}
	cols := []col{
		{"eval", 8, func(s lab.Standing) string { return text.ShortLoss(s.EvalLoss) }},
		{"best", 8, func(s lab.Standing) string {
			if math.IsInf(s.BestEvalLoss, 1) {
				return "—"
			}
			return text.ShortLoss(s.BestEvalLoss)
		}},
		{"trainable", 10, func(s lab.Standing) string { return text.ShortCount(float64(s.Trainable)) }},
		{"memory", 10, func(s lab.Standing) string { return text.Bytes(s.MemoryTotal) }},
		{"to " + text.ShortLoss(lab.DefaultTarget), 10, func(s lab.Standing) string {
			if s.StepsToTarget < 0 {
				return "—"
			}
			return text.ShortCount(float64(s.StepsToTarget))
		}},
		{"steps/s", 8, func(s lab.Standing) string {
			if s.StepsPerSec <= 0 {
				return "—"
			}
			return text.ShortCount(s.StepsPerSec)
		}},
	}
	fixed := 3 + 14 + 2 // place, method (and ✎), state
	for _, s := range rows {
		if s.Winner {
			fixed += 9 // " ◀ winner"
		}
	}
	avail := p.w - fixed
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
	out := []string{st.Muted.Render(head)}
	for _, s := range rows {
		i := l.Index(s.Method)
		info := l.Infos[i]
		live := " "
		if l.Runs[i].LiveChanged() {
			live = st.Live.Render("✎")
		}
		name := st.Method(info.Name).Render(info.Glyph) + " " + fmt.Sprintf("%-11s", info.Title) + live
		icon := statusStyle(st, l.Runs[i]).Render(statusIcon(l.Runs[i]))
		line := fmt.Sprintf("%-3d", s.Place) + name + icon + " "
		for _, c := range cols {
			line += fmt.Sprintf("%*s", c.w, c.cell(s))
		}
		if s.Winner {
			line += " " + st.OK.Render("◀ winner")
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
	if room > 0 {
		out = append(out, st.Muted.Render(text.Fit(strings.Join(p.footer(), " · "), p.w)))
	}
	return strings.Join(out, "\n")
}

// footer says how the runs share the machine (every run seated trains,
// taking turns on the cores; the others wait for a seat), whether they
// all train on the same data, and what ✎ means.
func (p *BoardPane) footer() []string {
	l := p.c.Lab
	seated, queued := 0, 0
	var runs []*RunView
	for _, r := range l.Runs {
		if r == nil {
			continue
		}
		runs = append(runs, r)
		switch {
		case !r.Active():
		case r.Started():
			seated++
		default:
			queued++
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
	if diff := p.dataDiff; diff != "" {
		out = append(out, "not the same data: "+diff+" differ")
	} else if len(runs) > 1 {
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
