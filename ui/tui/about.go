package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// AboutPane is the workshop's page: the preset's question and teaching
// notes first, then the method under the cursor (summary, paper, claim,
// caveat). At its foot, once something has been started, the command line
// that reproduces it (the last run, race or sweep). When the text is longer
// than the pane, ↑/↓ scroll it while the pane has the focus.
type AboutPane struct {
	basePane
	scroll scroller
	foot   []string // the reproducing command, wrapped
	laid   [8]int   // the stamp the text was wrapped for
	laidOK bool
}

// NewAboutPane returns the about pane.
func NewAboutPane(c *Common) *AboutPane {
	p := &AboutPane{basePane: basePane{c: c}}
	p.keys = []*KeyTable{p.scroll.keys(c.Keys)}
	return p
}

// SetSize implements Component.
func (p *AboutPane) SetSize(w, h int) {
	if w != p.w {
		p.scroll.off = 0
	}
	p.w, p.h = w, h
	p.layout()
}

// Title implements Component.
func (p *AboutPane) Title() string {
	l := p.c.Lab
	p.layout()
	if l.Preset.Name != "" {
		return "About · " + l.Preset.Name + p.scroll.tag()
	}
	return "About " + l.Infos[l.Cursor].Title + p.scroll.tag()
}

// ShortHelp implements Component.
func (p *AboutPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	if p.scroll.scrollable() {
		return []key.Binding{k.Down, k.PageDown, k.Explain}
	}
	return []key.Binding{k.Explain}
}

// HandleKey implements Component: ↑/↓, pgup/pgdn, home/end scroll, when
// the text is longer than the pane.
func (p *AboutPane) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	p.layout()
	if !p.scroll.scrollable() {
		return false, nil
	}
	return p.basePane.HandleKey(msg)
}

// layout wraps the text for the current size and state, if it changed.
func (p *AboutPane) layout() {
	v := p.c.Lab.Version()
	st := [8]int{p.w, p.h, v.Selection, v.Preset, v.Experiment, v.Config}
	if p.laidOK && p.laid == st {
		return
	}
	p.laid, p.laidOK = st, true
	body := p.text()
	p.foot = p.footer(3)
	room := p.h - len(p.foot) - 1 // a blank line above the command
	if len(p.foot) > 1 && p.h < 10 {
		// Very tight: the command goes at the end of the text only.
		body = append(body, "")
		body = append(body, p.footer(100)...)
		p.foot = nil
	} else if len(p.foot) > 1 && room < 10 {
		// Tight: the notes come first. The command is clipped to a line at
		// the foot and shown in full at the end of the text.
		full := p.footer(100)
		p.foot = []string{text.Fit(text.OneLine(strings.Join(full, " ")), p.w)}
		body = append(body, "")
		body = append(body, full...)
		room = p.h - 2
	}
	if len(p.foot) == 0 {
		room = p.h
	}
	p.scroll.set(body, max(room, 0))
}

// dropCache forgets the wrapped text too (the theme changed).
func (p *AboutPane) dropCache() {
	p.memo.drop()
	p.laidOK = false
}

// View implements Component.
func (p *AboutPane) View() string {
	p.layout()
	out := append([]string{}, p.scroll.view()...)
	if len(p.foot) > 0 {
		for len(out) < p.h-len(p.foot) {
			out = append(out, "")
		}
		out = append(out, p.foot...)
	}
	return strings.Join(out, "\n")
}

// footer is the reproducing command of the last experiment, wrapped to at
// most n lines.
func (p *AboutPane) footer(n int) []string {
	l, st := p.c.Lab, p.c.Styles
	line := l.ReproduceLine()
	if line == "" || p.h < 4 {
		return nil
	}
	label := "reproduce: "
	if l.LiveChanged() {
		label = "reproduce (starting lr): "
	}
	copyHint := " · " + p.c.Keys.Copy.Help().Key + " copies it"
	lines := wrap(label+line+copyHint, p.w, n)
	if len(lines) > 0 {
		lines[0] = st.Accent.Render(label) + strings.TrimPrefix(lines[0], label)
		last := len(lines) - 1
		if before, ok := strings.CutSuffix(lines[last], copyHint); ok {
			lines[last] = before + st.Muted.Render(copyHint)
		}
	}
	return lines
}

// text is the pane's scrolled text: the preset's question and notes, then
// the method under the cursor.
func (p *AboutPane) text() []string {
	st, l := p.c.Styles, p.c.Lab
	info := l.Infos[l.Cursor]
	var out []string
	para := func(label, body string) {
		if body == "" {
			return
		}
		if len(out) > 0 && p.h >= 14 { // a blank line between paragraphs, if roomy
			out = append(out, "")
		}
		lines := wrap(label+body, p.w, 1000)
		if len(lines) > 0 && label != "" {
			lines[0] = st.Accent.Render(label) + strings.TrimPrefix(lines[0], label)
		}
		out = append(out, lines...)
	}
	para("Question: ", l.Preset.Question)
	// The notes keep their paragraphs; a sweep preset's say how to run it.
	notes := l.Preset.Notes
	if sw := l.Preset.Sweep; sw != nil {
		notes += fmt.Sprintf("\n\n(This preset is a sweep of %s over %s: press w, then enter, to run it — or `loralab sweep --preset %s` from the shell. Here its methods are only marked: enter or r trains them with the settings as they are, at one %s.)",
			sw.Setting, strings.Join(sw.Values, ", "), l.Preset.Name, sw.Setting)
	}
	for i, n := range paragraphs(notes) {
		label := ""
		if i == 0 {
			label = "Notes: "
		}
		para(label, n)
	}
	para("", p.fairness())
	para("", st.Method(info.Name).Render(info.Glyph)+" "+info.Title+": "+info.Summary)
	para("Paper: ", info.Paper)
	para("Claim: ", info.Claim)
	para("Caveat: ", info.Caveat)
	if len(out) > 0 {
		out = append(out, "", st.Muted.Render(text.Fit(p.c.Keys.Explain.Help().Key+": the full explanation of "+info.Title, p.w)))
	}
	return out
}

// fairness says how the last race compared, when it was at several seeds
// or tuned: the seeds, and the rate each method won its learning-rate
// search with ("" for a race at one seed and its own rates).
func (p *AboutPane) fairness() string {
	l := p.c.Lab
	e := l.Last
	if e == nil || e.Kind != "race" {
		return ""
	}
	var parts []string
	seeds := 1
	for _, r := range l.Runs {
		seeds = max(seeds, r.Seeds())
	}
	if seeds > 1 {
		first := e.Config.Seed
		parts = append(parts, fmt.Sprintf("Seeds: every method ran at seeds %d … %d; the board ranks by the mean final eval loss and gives its min … max, and ≈ marks a method whose range overlaps the leader's — seed noise, not a result.", first, first+uint64(seeds-1)))
	}
	if t := e.Tunings; len(t) > 0 {
		var won []string
		for _, x := range t {
			title := x.Method
			if i := l.Index(x.Method); i >= 0 {
				title = l.Infos[i].Title
			}
			won = append(won, title+" "+text.Number(x.Best))
		}
		grid := lab.SharedGrid(t)
		parts = append(parts, fmt.Sprintf("Tuned race: each method first ran a learning-rate search — %s rates (%s) and its untuned rate, %s steps each, at seed %d — and raced at the rate whose run ended lowest: %s.",
			text.CountWord(len(grid)), gridText(grid), text.Count(int64(t[0].Horizon)), t[0].Seed, strings.Join(won, ", ")))
	}
	return strings.Join(parts, " ")
}

// paragraphs splits text at blank lines and joins each paragraph's lines.
func paragraphs(s string) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if s := text.OneLine(para); s != "" {
			out = append(out, s)
		}
	}
	return out
}
