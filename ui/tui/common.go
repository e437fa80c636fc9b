package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Common is what every pane shares: the terminal's size, the styles, the key
// map and the Lab whose state the panes show. The root owns it and hands the
// same pointer to each pane.
type Common struct {
	Width, Height int // the terminal's size
	Styles        *Styles
	Keys          *KeyMap
	Lab           *Lab
}

// Component is a pane of the lab. The root gives it a size (the inside of
// its frame) with SetSize, sends it the key presses only while it has the
// focus, and frames what View returns.
type Component interface {
	// Init returns the pane's first command, if any.
	Init() tea.Cmd
	// Update handles a non-key message (every pane sees those).
	Update(msg tea.Msg) tea.Cmd
	// HandleKey handles a key press while the pane has the focus; it reports
	// whether the key was the pane's, so the root can try its global keys.
	HandleKey(msg tea.KeyMsg) (bool, tea.Cmd)
	// View draws the pane's inside: at most the size it was given (the root
	// clips and pads it to exactly that size).
	View() string
	// SetSize gives the pane the size of its inside, in cells.
	SetSize(width, height int)
	// Title is the pane's name on its frame.
	Title() string
	// ShortHelp lists the pane's keys for the hint line.
	ShortHelp() []key.Binding
	// Capturing reports whether the pane takes every key (a text field is open).
	Capturing() bool
}

// Focus names a pane.
type Focus int

// The panes, in tab order.
const (
	FocusMethods Focus = iota
	FocusSettings
	FocusChart
	FocusMemory
	FocusBoard
	FocusAbout
	numFocus
)

// cache remembers a pane's rendered view and the stamp it was drawn for, so
// a pane redraws only when something it shows has changed.
type cache struct {
	stamp [8]int
	view  string
	ok    bool
}

// get returns the cached view for stamp, or draws it with f.
func (c *cache) get(stamp [8]int, f func() string) string {
	if c.ok && c.stamp == stamp {
		return c.view
	}
	c.view, c.stamp, c.ok = f(), stamp, true
	return c.view
}
