package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/loralab/loralab/ui/text"
)

// HelpPane is the help screen (?): every key table of the lab (the same
// rows that dispatch the keys), in as many columns as the width allows,
// scrolled with ↑/↓ when it is taller than the screen.
type HelpPane struct {
	basePane
	scroll scroller
}

// NewHelpPane returns the help screen.
func NewHelpPane(c *Common) *HelpPane {
	p := &HelpPane{basePane: basePane{c: c}}
	p.keys = []*KeyTable{p.scroll.keys(c.Keys)}
	return p
}

// SetSize implements Component.
func (p *HelpPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.scroll.set(p.columns(), max(0, h-1))
}

// Title implements Component.
func (p *HelpPane) Title() string { return "Keys" + p.scroll.tag() }

// ShortHelp implements Component.
func (p *HelpPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	if p.scroll.scrollable() {
		return []key.Binding{k.Down, k.PageDown, k.Close}
	}
	return []key.Binding{k.Close}
}

// View implements Component.
func (p *HelpPane) View() string {
	out := append([]string{}, p.scroll.view()...)
	for len(out) < p.h-1 {
		out = append(out, "")
	}
	out = append(out, p.c.Styles.Muted.Render("? or esc closes this help · keys go to the focused pane (▸, heavy border) first"))
	return strings.Join(out, "\n")
}

// columns lays the key tables out (Common.Help: each binding once, in the
// first table that has it) in as many columns of the widest table as fit in
// the width, each column at most as tall as the screen if the tables allow,
// and returns the lines.
func (p *HelpPane) columns() []string {
	st := p.c.Styles
	groups := helpGroups(p.c.Help())
	keyW := 0
	for _, g := range groups {
		for _, b := range g.bindings {
			keyW = max(keyW, text.Width(b.Help().Key))
		}
	}
	var blocks [][]string
	colW := 0
	for _, g := range groups {
		lines := []string{st.Accent.Render(g.title)}
		for _, b := range g.bindings {
			hb := b.Help()
			line := "  " + st.Key.Render(fmt.Sprintf("%-*s", keyW, hb.Key)) + "  " + hb.Desc
			lines = append(lines, line)
			colW = max(colW, text.Width(line))
		}
		blocks = append(blocks, lines)
	}
	colW += 2
	ncols := max(1, min(len(blocks), (p.w+2)/colW))
	total := 0
	for _, b := range blocks {
		total += len(b) + 1
	}
	// The shortest column height that fits the groups in ncols columns.
	colH := max(1, p.h-1)
	for hh := max(1, total/ncols-1); hh <= total; hh++ {
		if packs(blocks, hh) <= ncols {
			colH = hh
			break
		}
	}
	var cols [][]string
	var col []string
	for _, b := range blocks {
		need := len(b)
		if len(col) > 0 {
			need++
		}
		if len(col) > 0 && len(col)+need > colH && len(cols) < ncols-1 {
			cols = append(cols, col)
			col = nil
		}
		if len(col) > 0 {
			col = append(col, "")
		}
		col = append(col, b...)
	}
	cols = append(cols, col)
	tall := 0
	for _, c := range cols {
		tall = max(tall, len(c))
	}
	w := colW
	if len(cols)*w > p.w {
		w = max(1, p.w/len(cols))
	}
	var out [][]string
	for _, c := range cols {
		out = append(out, fitLines(strings.Join(c, "\n"), w, tall))
	}
	return hjoin(out...)
}

// helpGroup is a titled list of bindings on the help screen.
type helpGroup struct {
	title    string
	bindings []key.Binding
}

// helpGroups lists the tables' bindings, each (key and text) once, in the
// first table that has it; tables left with none are left out.
func helpGroups(tables []*KeyTable) []helpGroup {
	seen := map[key.Help]bool{}
	var out []helpGroup
	for _, t := range tables {
		g := helpGroup{title: t.Title}
		for _, r := range t.Rows {
			if h := r.Binding.Help(); !seen[h] {
				seen[h] = true
				g.bindings = append(g.bindings, r.Binding)
			}
		}
		if len(g.bindings) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// packs counts the columns of height h the groups need, a blank line
// between two groups in a column.
func packs(blocks [][]string, h int) int {
	n, used := 1, 0
	for _, b := range blocks {
		need := len(b)
		if used > 0 {
			need++
		}
		if used > 0 && used+need > h {
			n++
			used = len(b)
			continue
		}
		used += need
	}
	return n
}
