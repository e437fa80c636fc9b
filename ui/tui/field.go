package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// newField returns the lab's one-line text field of at most limit
// characters: no prompt, no blinking (no ticks while idle), and no
// clipboard key. bubbles' ctrl+v reads the clipboard by running xclip,
// xsel or wl-paste from PATH (atotto/clipboard) — the program's only exec;
// pasting works through the terminal instead, as bracketed paste (a
// KeyMsg with Paste set, inserted like typing).
func newField(limit int) field {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = limit
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.KeyMap.Paste.SetEnabled(false)
	return field{Model: ti, text: ti.TextStyle}
}

// field is the lab's text field (the settings pane's values, the sweep
// dialog's list) holding a value offered to keep, edit or replace, as a
// form field whose text is selected: after Offer it shows the value
// (dimmed, as a placeholder is), and the first key decides — a character
// typed or pasted replaces it, backspace or delete clears it, the cursor
// keys keep it to edit in place. Either way, typing then edits as usual.
type field struct {
	textinput.Model
	fresh bool           // the offered value is untouched: typing replaces it
	text  lipgloss.Style // the text's style once edited
}

// Offer puts v in the field, the cursor at its end, to be replaced by the
// first character typed. The field grows to hold all of v: a value longer
// than the field's limit (the default lr grid, a long text-file path) is
// never cut, so keeping it keeps all of it.
func (f *field) Offer(v string) {
	f.CharLimit = max(f.CharLimit, len([]rune(v))+16)
	f.Model.SetValue(v)
	f.CursorEnd()
	f.fresh = true
	f.TextStyle = f.PlaceholderStyle
}

// SetValue puts v in the field as if it had been typed (the field grows to
// hold it, as for Offer).
func (f *field) SetValue(v string) {
	f.CharLimit = max(f.CharLimit, len([]rune(v))+16)
	f.Model.SetValue(v)
	f.edited()
}

// edited marks the value as the user's: typing edits it.
func (f *field) edited() {
	f.fresh = false
	f.TextStyle = f.text
}

// Edited reports whether a key changed or moved into the offered value
// (false: it is as offered).
func (f *field) Edited() bool { return !f.fresh }

// Update takes a key (or another message) for the field; the first key
// after Offer that does something replaces, clears or keeps the offered
// value (see field); one that does nothing here (ctrl+v) leaves it offered.
func (f *field) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && f.fresh {
		km := f.KeyMap
		switch {
		case k.Type == tea.KeyRunes || k.Type == tea.KeySpace:
			f.Model.SetValue("") // replaced by what is typed
			f.edited()
		case key.Matches(k, km.DeleteCharacterBackward, km.DeleteCharacterForward):
			f.Model.SetValue("") // cleared, as a selection is
			f.edited()
			return nil
		case key.Matches(k, km.CharacterForward, km.CharacterBackward, km.WordForward, km.WordBackward,
			km.LineStart, km.LineEnd, km.DeleteWordBackward, km.DeleteWordForward, km.DeleteAfterCursor, km.DeleteBeforeCursor):
			f.edited() // kept, to edit in place
		}
	}
	var cmd tea.Cmd
	f.Model, cmd = f.Model.Update(msg)
	return cmd
}
