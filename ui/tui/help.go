package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// HelpPane is the help screen (?): every key group of the KeyMap (the same
// table that dispatches keys), in as many columns as the width allows,
// scrolled with ↑/↓ when it is taller than the screen.
type HelpPane struct {
	c      *Common
	w, h   int
	scroll scroller
}

// NewHelpPane returns the help screen.
func NewHelpPane(c *Common) *HelpPane { return &HelpPane{c: c} }

// Init implements Component.
func (p *HelpPane) Init() tea.Cmd { return nil }

// Update implements Component.
func (p *HelpPane) Update(tea.Msg) tea.Cmd { return nil }

// SetSize implements Component.
func (p *HelpPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.scroll.set(p.columns(), max(0, h-1))
}

// Title implements Component.
func (p *HelpPane) Title() string { return "Keys" + p.scroll.tag() }

// Capturing implements Component.
func (p *HelpPane) Capturing() bool { return false }

// ShortHelp implements Component.
func (p *HelpPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	if p.scroll.scrollable() {
		return []key.Binding{k.Down, k.PageDown, k.Close}
	}
	return []key.Binding{k.Close}
}

// HandleKey implements Component: the scroll keys.
func (p *HelpPane) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	return p.scroll.key(msg, p.c.Keys), nil
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

// columns lays the key groups out in as many columns of the widest group
// as fit in the width, each column at most as tall as the screen if the
// groups allow, and returns the lines.
func (p *HelpPane) columns() []string {
	st := p.c.Styles
	keyW := 0
	for _, g := range p.c.Keys.Groups() {
		for _, b := range g.Bindings {
			keyW = max(keyW, width(b.Help().Key))
		}
	}
	var blocks [][]string
	colW := 0
	for _, g := range p.c.Keys.Groups() {
		lines := []string{st.Accent.Render(g.Title)}
		for _, b := range g.Bindings {
			hb := b.Help()
			line := "  " + st.Key.Render(fmt.Sprintf("%-*s", keyW, hb.Key)) + "  " + hb.Desc
			lines = append(lines, line)
			colW = max(colW, width(line))
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
