package tui

import (
	"os"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/explain"
)

// ExplainPane is a method's explanation (i): ui/explain's text for the
// method under the cursor with its current settings (overrides included),
// then, once its run has ended, what the run changed in each layer,
// wrapped to the pane's inner width, ASCII when the locale lacks UTF-8. ↑/↓,
// pgup/pgdn, home/end scroll; esc or i closes. In the wide layout it takes
// the right column, so the methods and settings stay in sight.
type ExplainPane struct {
	basePane
	method int // the method explained (index in Lab.Methods)
	open   bool
	scroll scroller
	getenv func(string) string // the environment, for the locale
	shown  *lab.Result         // the method's run's result the text shows (nil: none)
}

// NewExplainPane returns the explanation pane.
func NewExplainPane(c *Common) *ExplainPane {
	p := &ExplainPane{basePane: basePane{c: c}, getenv: os.Getenv}
	p.keys = []*KeyTable{p.scroll.keys(c.Keys)}
	return p
}

// Open implements opener: explain the method under the cursor, from the top.
func (p *ExplainPane) Open() tea.Cmd {
	p.method, p.open = p.c.Lab.Cursor, true
	p.scroll.off = 0
	p.render()
	return nil
}

// SetSize implements Component: the text is wrapped again for a new width.
func (p *ExplainPane) SetSize(w, h int) {
	if w == p.w && h == p.h {
		return
	}
	p.w, p.h = w, h
	if p.open {
		p.render()
	}
}

// Title implements Component.
func (p *ExplainPane) Title() string {
	return "Explain " + p.c.Lab.Infos[p.method].Title + p.scroll.tag()
}

// ShortHelp implements Component.
func (p *ExplainPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Close}
}

// View implements Component. A run of the method that ends while the
// explanation is open adds what it changed (spectrumLines), in place.
func (p *ExplainPane) View() string {
	if p.open && p.result() != p.shown {
		p.render()
	}
	return strings.Join(p.scroll.view(), "\n")
}

// result is the ended run's result of the method explained, if any: what
// the text's last section shows (it changes when that run ends or resets,
// not on every progress event).
func (p *ExplainPane) result() *lab.Result {
	if r := p.c.Lab.Runs[p.method]; r != nil {
		return r.Result
	}
	return nil
}

// Text returns the whole explanation shown (for tests).
func (p *ExplainPane) Text() string { return strings.Join(p.scroll.lines, "\n") }

func (p *ExplainPane) render() {
	l := p.c.Lab
	cfg, err := l.ConfigFor(p.method)
	if err != nil {
		cfg = l.Config
	}
	ascii := explain.IsASCIILocale(p.getenv)
	text := explain.Method(l.Methods[p.method], taskOf(cfg), cfg, explain.Options{Width: max(p.w, 1), ASCII: ascii})
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if sp := spectrumLines(l.Runs[p.method], max(p.w, 1), ascii); sp != nil {
		lines = append(append(lines, ""), sp...)
	}
	p.shown = p.result()
	p.scroll.set(lines, p.h)
}
