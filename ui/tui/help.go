package tui

import (
	"fmt"
	"strings"
)

// helpView lays out every key group of the KeyMap (the same table that
// dispatches keys) in as many columns as the w × h area needs.
func (m *Model) helpView(w, h int) string {
	st := m.c.Styles
	type entry struct{ key, desc string }
	var blocks [][]string
	keyW := 0
	for _, g := range m.c.Keys.Groups() {
		for _, b := range g.Bindings {
			keyW = max(keyW, width(b.Help().Key))
		}
	}
	for _, g := range m.c.Keys.Groups() {
		lines := []string{st.Accent.Render(g.Title)}
		for _, b := range g.Bindings {
			hb := b.Help()
			lines = append(lines, "  "+st.Key.Render(fmt.Sprintf("%-*s", keyW, hb.Key))+"  "+hb.Desc)
		}
		blocks = append(blocks, lines)
	}
	// Fill columns top to bottom, a blank line between groups.
	var cols [][]string
	var col []string
	for _, b := range blocks {
		need := len(b)
		if len(col) > 0 {
			need++
		}
		if len(col) > 0 && len(col)+need > h-1 {
			cols = append(cols, col)
			col = nil
		}
		if len(col) > 0 {
			col = append(col, "")
		}
		col = append(col, b...)
	}
	cols = append(cols, col)
	colW := 0
	for _, c := range cols {
		for _, l := range c {
			colW = max(colW, width(l))
		}
	}
	colW += 3
	if len(cols)*colW > w {
		colW = max(1, w/len(cols))
	}
	var blocksOut [][]string
	for _, c := range cols {
		blocksOut = append(blocksOut, fitLines(strings.Join(c, "\n"), colW, h-1))
	}
	out := hjoin(blocksOut...)
	out = append(out, st.Muted.Render("? or esc closes this help · keys go to the focused pane (▸, heavy border) first"))
	return strings.Join(out, "\n")
}
