package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/loralab/loralab/lab"
)

// BoardPane is the race leaderboard: lab.Leaderboard over the current
// results (provisional for runs still training), best eval loss first.
type BoardPane struct {
	basePane
}

// NewBoardPane returns the leaderboard pane.
func NewBoardPane(c *Common) *BoardPane { return &BoardPane{basePane{c: c}} }

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
		return "\n  No runs yet: r races the marked methods\n  (all " + countWord(len(l.Methods)) + " if none is marked) with the\n  same settings, data and seed."
	}
	rows := lab.Leaderboard(results, lab.DefaultTarget)
	// Columns by priority: what does not fit is left out.
	type col struct {
		head string
		w    int
		cell func(s lab.Standing) string
	}
	cols := []col{
		{"eval", 8, func(s lab.Standing) string { return fmtLoss(s.EvalLoss) }},
		{"best", 8, func(s lab.Standing) string {
			if math.IsInf(s.BestEvalLoss, 1) {
				return "—"
			}
			return fmtLoss(s.BestEvalLoss)
		}},
		{"trainable", 10, func(s lab.Standing) string { return fmtCount(float64(s.Trainable)) }},
		{"memory", 10, func(s lab.Standing) string { return fmtBytes(float64(s.MemoryTotal)) }},
		{"to " + fmtLoss(lab.DefaultTarget), 10, func(s lab.Standing) string {
			if s.StepsToTarget < 0 {
				return "—"
			}
			return fmtCount(float64(s.StepsToTarget))
		}},
		{"steps/s", 8, func(s lab.Standing) string {
			if s.StepsPerSec <= 0 {
				return "—"
			}
			return fmtCount(s.StepsPerSec)
		}},
	}
	fixed := 3 + 14 + 2 // place, method, state
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
		name := st.Method(info.Name).Render(info.Glyph) + " " + fmt.Sprintf("%-12s", info.Title)
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
	if len(out) < p.h {
		out = append(out, st.Muted.Render(fmt.Sprintf("%d at a time (one per core); same seed and data for every run", l.Workers())))
	}
	return strings.Join(out, "\n")
}
