package tui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// The mouse (Options.Mouse, off by default): a click focuses the pane under
// the pointer — on the methods pane it also puts the cursor on the method
// clicked — and the wheel sends ↑/↓ to the pane under the pointer (or to
// the open dialog), which scrolls it or moves its cursor.

// rect is a pane's place on the screen, frame included.
type rect struct{ x, y, w, h int }

// contains reports whether cell (x, y) is inside r.
func (r rect) contains(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// paneRects is where each pane is drawn (zero rect: not on screen); the
// body starts under the header line.
func (m *Model) paneRects() []rect {
	lo := m.lo
	out := make([]rect, len(paneSlots))
	if m.zoom {
		out[m.focus] = rect{0, 1, m.c.Width, lo.bodyH}
		return out
	}
	if lo.narrow {
		y := 1
		for i, s := range paneSlots {
			if s.pinned != nil {
				out[i] = rect{0, y, m.c.Width, lo.h[i]}
				y += lo.h[i]
			}
		}
		out[m.bottom] = rect{0, y, m.c.Width, lo.bottomH}
		return out
	}
	ys := [2]int{1, 1}
	for i, s := range paneSlots {
		if lo.h[i] == 0 {
			continue
		}
		x, w := 0, lo.leftW
		if s.column == rightColumn {
			x, w = lo.leftW, lo.rightW
		}
		out[i] = rect{x, ys[s.column], w, lo.h[i]}
		ys[s.column] += lo.h[i]
	}
	return out
}

// handleMouse acts on a mouse event; nothing happens unless Options.Mouse.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if !m.opts.Mouse || m.c.Width < MinWidth || m.c.Height < MinHeight {
		return nil
	}
	wheel := map[tea.MouseButton]tea.KeyType{tea.MouseButtonWheelUp: tea.KeyUp, tea.MouseButtonWheelDown: tea.KeyDown}
	if m.dialog != noDialog {
		if k, ok := wheel[msg.Button]; ok && msg.Action == tea.MouseActionPress {
			_, cmd := m.dialogs[m.dialog].HandleKey(tea.KeyMsg{Type: k})
			return cmd
		}
		return nil
	}
	for i, r := range m.paneRects() {
		if !r.contains(msg.X, msg.Y) {
			continue
		}
		switch {
		case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
			if i != m.focus {
				m.focus = i
				if paneSlots[i].pinned == nil {
					m.bottom = i
				}
				m.resize(m.c.Width, m.c.Height)
			}
			if mp, ok := m.panes[i].(*MethodsPane); ok {
				if k, ok := mp.At(msg.X-r.x-1, msg.Y-r.y-1); ok {
					m.lab.SetCursor(k)
				}
			}
		case msg.Action == tea.MouseActionPress:
			if k, ok := wheel[msg.Button]; ok {
				_, cmd := m.panes[i].HandleKey(tea.KeyMsg{Type: k})
				return cmd
			}
		}
		return nil
	}
	return nil
}
