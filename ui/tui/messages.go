package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// MessagesPane is the messages dialog (!): the status line's messages in
// full, newest first, wrapped to the width — for those the status line cut
// (a save path, a sweep, a race's banner). ↑/↓, pgup/pgdn, home/end scroll.
type MessagesPane struct {
	basePane
	scroll scroller
}

// NewMessagesPane returns the messages dialog.
func NewMessagesPane(c *Common) *MessagesPane {
	p := &MessagesPane{basePane: basePane{c: c}}
	p.keys = []*KeyTable{p.scroll.keys(c.Keys)}
	return p
}

// Title implements Component.
func (p *MessagesPane) Title() string {
	p.layout()
	return "Messages, newest first" + p.scroll.tag()
}

// ShortHelp implements Component.
func (p *MessagesPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Down, k.PageDown, k.Close}
}

// Open implements opener: from the newest message.
func (p *MessagesPane) Open() tea.Cmd {
	p.scroll.off = 0
	return nil
}

// View implements Component.
func (p *MessagesPane) View() string {
	p.layout()
	return strings.Join(p.scroll.view(), "\n")
}

// layout wraps the log for the pane's width.
func (p *MessagesPane) layout() {
	st, l := p.c.Styles, p.c.Lab
	var lines []string
	for i := len(l.Log) - 1; i >= 0; i-- {
		e := l.Log[i]
		style, mark := st.Muted, "· "
		if e.Err {
			style, mark = st.Error, "✗ "
		}
		if i == len(l.Log)-1 {
			style = st.Accent
			if e.Err {
				style = st.Error
			}
		}
		for k, w := range wrap(e.Text, max(1, p.w-2), 1000) {
			prefix := "  "
			if k == 0 {
				prefix = mark
			}
			lines = append(lines, style.Render(prefix+w))
		}
	}
	if len(lines) == 0 {
		lines = []string{st.Muted.Render("No messages yet.")}
	}
	p.scroll.set(lines, p.h)
}
