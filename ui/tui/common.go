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
	// Help lists every key table of the lab, in the help screen's order
	// (the root's, then each pane's and each dialog's).
	Help func() []*KeyTable
}

// Component is a pane of the lab. The root gives it a size (the inside of
// its frame) with SetSize, sends it the key presses only while it has the
// focus, and frames what View returns. Embedding basePane supplies every
// method but View and Title.
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
	// Keys lists every key the pane handles, as the tables that dispatch
	// them: the help screen shows them all, and the root dispatches the
	// global ones whichever pane has the focus.
	Keys() []*KeyTable
	// Capturing reports whether the pane takes every key (a text field is open).
	Capturing() bool
}

// basePane is embedded by every pane: the shared Common, the size it was
// given, its key tables, its cached view, and the methods of Component a
// pane need not write (no command, no messages, no keys of its own unless
// it has tables, never capturing, no hints).
type basePane struct {
	c    *Common
	w, h int
	keys []*KeyTable // dispatched by HandleKey (the global ones by the root)
	memo cache
}

// Init implements Component: no command.
func (b *basePane) Init() tea.Cmd { return nil }

// Update implements Component: no message is the pane's.
func (b *basePane) Update(tea.Msg) tea.Cmd { return nil }

// SetSize implements Component.
func (b *basePane) SetSize(w, h int) { b.w, b.h = w, h }

// Capturing implements Component: the pane takes only its own keys.
func (b *basePane) Capturing() bool { return false }

// ShortHelp implements Component: no hints.
func (b *basePane) ShortHelp() []key.Binding { return nil }

// Keys implements Component.
func (b *basePane) Keys() []*KeyTable { return b.keys }

// HandleKey implements Component: the first of the pane's tables (the
// global ones aside) with a row for msg handles it, and the cached view is
// dropped.
func (b *basePane) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	ok, cmd := handleTables(b.keys, false, msg)
	if ok {
		b.memo.drop()
	}
	return ok, cmd
}

// cache remembers a pane's rendered view and the stamp it was drawn for, so
// a pane redraws only when something it shows has changed: the stamp holds
// the pane's size and the versions of the Lab's state it shows; a change of
// the pane's own state drops the cache.
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

// drop forgets the cached view: the next get draws.
func (c *cache) drop() { c.ok = false }
