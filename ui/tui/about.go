package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// AboutPane explains the method under the cursor (summary, paper, claim,
// caveat) and shows the notes of the preset the lab opened on.
type AboutPane struct {
	c               *Common
	w, h            int
	notes, question string
	memo            cache
}

// NewAboutPane returns the about pane with the preset's notes and question.
func NewAboutPane(c *Common, notes, question string) *AboutPane {
	return &AboutPane{c: c, notes: notes, question: question}
}

// Init implements Component.
func (p *AboutPane) Init() tea.Cmd { return nil }

// Update implements Component.
func (p *AboutPane) Update(tea.Msg) tea.Cmd { return nil }

// SetSize implements Component.
func (p *AboutPane) SetSize(w, h int) { p.w, p.h = w, h }

// Title implements Component.
func (p *AboutPane) Title() string {
	return "About " + p.c.Lab.Infos[p.c.Lab.Cursor].Title
}

// Capturing implements Component.
func (p *AboutPane) Capturing() bool { return false }

// ShortHelp implements Component.
func (p *AboutPane) ShortHelp() []key.Binding { return nil }

// HandleKey implements Component.
func (p *AboutPane) HandleKey(tea.KeyMsg) (bool, tea.Cmd) { return false, nil }

// View implements Component.
func (p *AboutPane) View() string {
	return p.memo.get([8]int{p.w, p.h, p.c.Lab.SelVer}, p.render)
}

func (p *AboutPane) render() string {
	st := p.c.Styles
	info := p.c.Lab.Infos[p.c.Lab.Cursor]
	var out []string
	para := func(label, text string) {
		if text == "" || len(out) >= p.h {
			return
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		lines := wrap(label+text, p.w, max(1, p.h-len(out)))
		if len(lines) > 0 && label != "" {
			lines[0] = st.Accent.Render(label) + strings.TrimPrefix(lines[0], label)
		}
		out = append(out, lines...)
	}
	para("", st.Method(info.Name).Render(info.Glyph)+" "+info.Summary)
	para("Paper: ", info.Paper)
	para("Claim: ", info.Claim)
	para("Caveat: ", info.Caveat)
	para("Question: ", p.question)
	para("Notes: ", strings.Join(strings.Fields(p.notes), " "))
	return strings.Join(out, "\n")
}
