package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// header is the top line: the app's name, the preset and its notes on the
// left; speed and cores on the right.
func (m *Model) header() string {
	st, l, w := m.c.Styles, m.lab, m.c.Width
	left := st.Title.Render(" ◆ LoRA Lab")
	if l.Preset.Name != "" {
		left += st.Header.Render(" · preset ") + st.Accent.Render(l.Preset.Name)
	}
	if t := firstLine(l.Preset.Title); t != "" {
		left += st.Header.Render(" · " + t)
	}
	right := ""
	if sw := l.Sweep; sw != nil {
		right = st.Header.Render(fmt.Sprintf("sweep %d/%d · ", sw.Done(), len(sw.Runs)))
	}
	right += st.Header.Render("speed ") + st.Accent.Render(SpeedLabel(l.Speed)) +
		st.Header.Render(" · "+plural(l.Workers(), "core")+" ")
	return spread(left, right, w)
}

// footer is two lines: every run's state (and the last message), then the
// key hints of the focused pane.
func (m *Model) footer() []string {
	st, l, w := m.c.Styles, m.lab, m.c.Width
	msg := ""
	if l.Message != "" {
		style := st.Muted
		if l.MessageErr {
			style = st.Error
		}
		// The runs' states come first: the message gets what they leave,
		// but at least half the line.
		chipsW := width(m.chips(w))
		room := max(w-chipsW-2, w/2)
		msg = style.Render(fit(l.Message, min(width(l.Message), room-1))) + " "
	}
	avail := w - width(msg) - 1
	chips := m.chips(avail)
	return []string{spread(chips, msg, w), m.hints(w)}
}

// chips describes every run on one line in the longest form that fits in w:
// "● ▶ running 1.2k/2k 830/s 0:03", then "●▶ 1.2k/2k 830/s", then "●▶62%".
func (m *Model) chips(w int) string {
	st, l := m.c.Styles, m.lab
	var runs []*RunView
	for _, r := range l.Runs {
		if r != nil {
			runs = append(runs, r)
		}
	}
	if len(runs) == 0 {
		return st.Muted.Render(" no runs · enter trains the method under the cursor · r races")
	}
	forms := []func(r *RunView) string{
		func(r *RunView) string {
			s := statusIcon(r) + " " + statusWord(r) + " " + progressText(r)
			if r.StepsPerSec > 0 {
				s += " " + fmtCount(r.StepsPerSec) + "/s"
			}
			return s + " " + fmtDuration(r.Elapsed)
		},
		func(r *RunView) string {
			s := statusIcon(r) + " " + progressText(r)
			if r.StepsPerSec > 0 && !r.Status.Final() {
				s += " " + fmtCount(r.StepsPerSec) + "/s"
			}
			return s
		},
		func(r *RunView) string {
			if r.Status.Final() {
				return statusIcon(r)
			}
			return statusIcon(r) + itoa(percent(r)) + "%"
		},
	}
	chip := func(r *RunView, f func(*RunView) string) string {
		return st.Method(r.Info.Name).Render(r.Info.Glyph) + statusStyle(st, r).Render(f(r))
	}
	cursor := l.Runs[l.Cursor]
	// Every run in one form, longest first; then the cursor's run in full
	// and the others compact.
	var line string
	for k := 0; k < 2*len(forms); k++ {
		var parts []string
		for _, r := range runs {
			f := forms[min(k, len(forms)-1)]
			if k >= len(forms) {
				f = forms[len(forms)-1]
				if r == cursor {
					f = forms[2*len(forms)-1-k]
				}
			}
			parts = append(parts, chip(r, f))
		}
		line = " " + strings.Join(parts, "  ")
		if width(line) <= w {
			return line
		}
	}
	return fit(line, max(w, 0))
}

// hints is the bottom line: the focused pane's keys, then the global ones,
// as many as fit.
func (m *Model) hints(w int) string {
	k := m.c.Keys
	var bs []key.Binding
	switch {
	case m.dialog != noDialog:
		bs = m.dialogs[m.dialog].ShortHelp()
	default:
		bs = append(bs, m.panes[m.focus].ShortHelp()...)
		pane := m.panes[m.focus]
		if !pane.Capturing() {
			bs = append(bs, k.StartStop, k.Race, k.Presets, k.Explain, k.Scale, k.NextPane, k.Help, k.Quit)
		}
	}
	st := m.c.Styles
	render := func(b key.Binding) string {
		h := b.Help()
		return st.Key.Render(h.Key) + " " + st.Muted.Render(h.Desc)
	}
	// Help and quit always show, at the right.
	essentials := render(k.Help) + "  " + st.Key.Render("q") + " " + st.Muted.Render("quit") + " "
	seen := map[string]bool{k.Help.Help().Key: true, k.Quit.Help().Key: true}
	switch {
	case m.capturing():
		essentials = st.Key.Render("ctrl+c") + " " + st.Muted.Render("quit") + " "
	case m.dialog != noDialog: // ? does nothing over a dialog: esc closes it
		essentials = render(k.Close) + "  " + st.Key.Render("q") + " " + st.Muted.Render("quit") + " "
		seen[k.Close.Help().Key] = true
	}
	w -= width(essentials) + 1
	line := ""
	for _, b := range bs {
		h := b.Help()
		if seen[h.Key] {
			continue
		}
		seen[h.Key] = true
		item := render(b)
		sep := "  "
		if line == "" {
			sep = " "
		}
		if width(line)+width(sep)+width(item) > w {
			break
		}
		line += sep + item
	}
	return spread(line, essentials, w+width(essentials)+1)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

func itoa(n int) string { return fmtCount(float64(n)) }
