package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// scroller is a window of h lines over a longer text, moved by the scroll
// keys of the KeyMap (↑/↓ a line, pgup/pgdn a page, home/end the ends).
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

// key scrolls for msg and reports whether msg was a scroll key.
func (s *scroller) key(msg tea.KeyMsg, k *KeyMap) bool {
	page := max(1, s.h-1)
	switch {
	case key.Matches(msg, k.Up):
		s.off--
	case key.Matches(msg, k.Down):
		s.off++
	case key.Matches(msg, k.PageUp):
		s.off -= page
	case key.Matches(msg, k.PageDown):
		s.off += page
	case key.Matches(msg, k.Home):
		s.off = 0
	case key.Matches(msg, k.End):
		s.off = len(s.lines)
	default:
		return false
	}
	s.clamp()
	return true
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
	if !s.scrollable() || s.h == 0 {
		return ""
	}
	arrow := "↕"
	switch {
	case s.off == 0:
		arrow = "↓"
	case s.off+s.h >= len(s.lines):
		arrow = "↑"
	}
	return fmt.Sprintf(" · %d–%d of %d %s", s.off+1, min(len(s.lines), s.off+s.h), len(s.lines), arrow)
}
