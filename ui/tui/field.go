package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
)

// newField returns the lab's one-line text field of at most limit
// characters: no prompt, no blinking (no ticks while idle), and no
// clipboard key. bubbles' ctrl+v reads the clipboard by running xclip,
// xsel or wl-paste from PATH (atotto/clipboard) — the program's only exec;
// pasting works through the terminal instead, as bracketed paste (a
// KeyMsg with Paste set, inserted like typing).
func newField(limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = limit
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.KeyMap.Paste.SetEnabled(false)
	return ti
}
