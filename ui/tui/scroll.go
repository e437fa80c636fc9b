package tui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
)

// scroller is a window of h lines over a longer text, moved by the scroll
// keys of its table (↑/↓ a line, pgup/pgdn a page, home/end the ends).
type scroller struct {
	lines []string
	off   int
	h     int
}

// set replaces the text and the window's height, keeping the offset if it
// still makes sense.
func (s *scroller) set(lines []string, h int) {
	s.lines, s.h = lines, max(h, 0)
	s.clamp()
}

func (s *scroller) clamp() {
	s.off = max(0, min(s.off, len(s.lines)-s.h))
}

// keys is the table of the scroll keys. Every pane that scrolls (about,
// help, explanations) has one with the same title and bindings, so the help
// screen lists them once.
func (s *scroller) keys(k *KeyMap) *KeyTable {
	page := func() int { return max(1, s.h-1) }
	by := func(d func() int) func(tea.KeyMsg) {
		return func(tea.KeyMsg) {
			s.off += d()
			s.clamp()
		}
	}
	return &KeyTable{Title: "Scroll long text", Rows: []KeyRow{
		row(k.Up, by(func() int { return -1 })),
		row(k.Down, by(func() int { return 1 })),
		row(k.PageUp, by(func() int { return -page() })),
		row(k.PageDown, by(page)),
		row(k.Home, by(func() int { return -s.off })),
		row(k.End, by(func() int { return len(s.lines) })),
	}}
}

// view returns the visible lines.
func (s *scroller) view() []string {
	end := min(len(s.lines), s.off+s.h)
	if s.off >= end {
		return nil
	}
	return s.lines[s.off:end]
}

// scrollable reports whether the text is longer than the window.
func (s *scroller) scrollable() bool { return len(s.lines) > s.h }

// tag says where the window is, for a title: " · 1–19 of 60 ↓" ("" if
// everything shows).
func (s *scroller) tag() string {
	if !s.scrollable() {
		return ""
	}
	return scrollTag(s.off, s.h, len(s.lines))
}

// scrollTag says where a window of h rows from row off shows a list of n,
// for a title: " · 1–19 of 60 ↓" (↓: more below, ↑: more above, ↕: both);
// "" if the whole list shows.
func scrollTag(off, h, n int) string {
	if h <= 0 || n <= h {
		return ""
	}
	arrow := "↕"
	switch {
	case off <= 0:
		arrow = "↓"
	case off+h >= n:
		arrow = "↑"
	}
	return fmt.Sprintf(" · %d–%d of %d %s", off+1, min(n, off+h), n, arrow)
}
