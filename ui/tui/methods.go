package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/ui/text"
)

// MethodsPane lists every method of the registry with its colour and
// glyph, a marker for the runs that exist and their state, and a one-line
// summary. The cursor row is the "selected run" that enter, s, x and . act
// on; m marks methods for a race.
type MethodsPane struct {
	basePane
}

// NewMethodsPane returns the methods pane.
func NewMethodsPane(c *Common) *MethodsPane {
	p := &MethodsPane{basePane{c: c}}
	k := c.Keys
	p.keys = []*KeyTable{{Title: "Methods pane", Rows: []KeyRow{
		row(k.Up, func(tea.KeyMsg) { c.Lab.MoveCursor(-1) }),
		row(k.Down, func(tea.KeyMsg) { c.Lab.MoveCursor(1) }),
		row(k.Mark, func(tea.KeyMsg) { c.Lab.Mark(c.Lab.Cursor, !c.Lab.Marked[c.Lab.Cursor]) }),
		row(k.All, func(tea.KeyMsg) { c.Lab.MarkAll() }),
	}}}
	return p
}

// Title implements Component: in columns (the narrow layout), where no
// summary fits, the cursor's method's summary follows the name.
func (p *MethodsPane) Title() string {
	l := p.c.Lab
	if p.columns() > 1 {
		info := l.Infos[l.Cursor]
		return "Methods │ " + info.Title + ": " + info.Summary
	}
	return "Methods"
}

// columns is how many columns the list takes: one, unless the pane is
// shorter than the list (the narrow layout gives it half the rows).
func (p *MethodsPane) columns() int {
	n := len(p.c.Lab.Methods)
	if p.h <= 0 || p.h >= n {
		return 1
	}
	return (n + p.h - 1) / p.h
}

// At returns the method drawn at cell (x, y) of the pane's inside, if any
// (a click on it).
func (p *MethodsPane) At(x, y int) (int, bool) {
	n := len(p.c.Lab.Methods)
	if x < 0 || y < 0 || x >= p.w || y >= p.h {
		return 0, false
	}
	if cols := p.columns(); cols > 1 {
		i := (x/(p.w/cols))*p.h + y
		return i, i < n
	}
	if p.h >= 2*n { // two lines per method
		y /= 2
	}
	return y, y < n
}

// ShortHelp implements Component.
func (p *MethodsPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Up, k.Mark, k.StartStop, k.Race}
}

// View implements Component: one row per method, then (if there is room)
// the summary of the method under the cursor; in columns when the pane is
// shorter than the list.
func (p *MethodsPane) View() string {
	v := p.c.Lab.Version()
	return p.memo.get([8]int{p.w, p.h, v.Selection, v.Runs}, p.render)
}

// entry is method i's row: pointer, mark, glyph, title and, once some run
// exists, its state in at most stateW cells (the word and percent, or the
// icon and percent when stateW is small).
func (p *MethodsPane) entry(i, stateW int) string {
	l, st := p.c.Lab, p.c.Styles
	info, r := l.Infos[i], l.Runs[i]
	cur := i == l.Cursor
	mark := "[ ]"
	if l.Marked[i] {
		mark = "[x]"
	}
	pointer := " "
	if cur {
		pointer = "›"
	}
	title := fmt.Sprintf("%-10s", info.Title)
	if cur {
		title = st.Selected.Render(title)
	}
	row := pointer + " " + mark + " " + st.Method(info.Name).Render(info.Glyph) + " " + title + " "
	if l.AnyRun() {
		var state string
		switch {
		case stateW < 12 && r == nil:
			state = statusIcon(r) + fmt.Sprintf("%-4s", "")
		case stateW < 12 && r.State().Final():
			state = statusIcon(r) + fmt.Sprintf("%-4s", "")
		case stateW < 12:
			state = statusIcon(r) + fmt.Sprintf("%4s", strconv.Itoa(percent(r))+"%")
		case r == nil:
			state = statusIcon(r) + " " + fmt.Sprintf("%-12s", "")
		case r.State().Final():
			state = statusIcon(r) + " " + fmt.Sprintf("%-12s", statusWord(r))
		default:
			state = statusIcon(r) + " " + fmt.Sprintf("%-12s", fmt.Sprintf("%-7s %3d%%", statusWord(r), percent(r)))
		}
		row += statusStyle(st, r).Render(state) + " "
	}
	return row
}

func (p *MethodsPane) render() string {
	l, st := p.c.Lab, p.c.Styles
	n := len(l.Methods)
	if cols := p.columns(); cols > 1 {
		colW := p.w / cols
		var blocks [][]string
		for c := 0; c < cols; c++ {
			var lines []string
			for i := c * p.h; i < min(n, (c+1)*p.h); i++ {
				lines = append(lines, text.Fit(p.entry(i, colW-19), colW))
			}
			blocks = append(blocks, fitLines(strings.Join(lines, "\n"), colW, p.h))
		}
		return strings.Join(hjoin(blocks...), "\n")
	}
	twoLine := p.h >= 2*n // room for each summary on its own line
	var lines []string
	for i, info := range l.Infos {
		row := p.entry(i, 14)
		if !twoLine && p.w-text.Width(row) >= 24 {
			row += st.Muted.Render(info.Summary)
		}
		lines = append(lines, text.Fit(row, p.w))
		if twoLine {
			lines = append(lines, text.Fit("      "+st.Muted.Render(info.Summary), p.w))
		}
	}
	if room := p.h - len(lines) - 1; !twoLine && room >= 1 && p.w >= 30 {
		info := l.Infos[l.Cursor]
		lines = append(lines, "")
		for _, w := range wrap(info.Title+": "+info.Summary, p.w-2, room) {
			lines = append(lines, " "+st.Muted.Render(w))
		}
	}
	return strings.Join(lines, "\n")
}
