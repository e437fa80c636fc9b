package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
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

// Title implements Component.
func (p *MethodsPane) Title() string { return "Methods" }

// ShortHelp implements Component.
func (p *MethodsPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Up, k.Mark, k.StartStop, k.Race}
}

// View implements Component: one row per method, then (if there is room)
// the summary of the method under the cursor.
func (p *MethodsPane) View() string {
	v := p.c.Lab.Version()
	return p.memo.get([8]int{p.w, p.h, v.Selection, v.Runs}, p.render)
}

func (p *MethodsPane) render() string {
	l, st := p.c.Lab, p.c.Styles
	n := len(l.Methods)
	twoLine := p.h >= 2*n // room for each summary on its own line
	anyRun := l.AnyRun()
	var lines []string
	for i, info := range l.Infos {
		r := l.Runs[i]
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
		if anyRun {
			state := statusIcon(r) + " "
			switch {
			case r == nil:
				state += fmt.Sprintf("%-12s", "")
			case r.Status.Final():
				state += fmt.Sprintf("%-12s", statusWord(r))
			default:
				state += fmt.Sprintf("%-12s", fmt.Sprintf("%-7s %3d%%", statusWord(r), percent(r)))
			}
			row += statusStyle(st, r).Render(state) + " "
		}
		if !twoLine && p.w-width(row) >= 24 {
			row += st.Muted.Render(info.Summary)
		}
		lines = append(lines, fit(row, p.w))
		if twoLine {
			lines = append(lines, fit("      "+st.Muted.Render(info.Summary), p.w))
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

// wrap breaks text into at most n lines of at most w cells at spaces; the
// last line ends with … if text was cut.
func wrap(text string, w, n int) []string {
	if w <= 0 || n <= 0 {
		return nil
	}
	var out []string
	line := ""
	words := strings.Fields(text)
	for i, word := range words {
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
			if len(out) == n {
				out[n-1] = fit(out[n-1]+" "+strings.Join(words[i:], " "), w)
				return out
			}
		}
	}
	if line != "" {
		out = append(out, line)
	}
	for i := range out {
		if width(out[i]) > w {
			out[i] = fit(out[i], w)
		}
	}
	return out
}
