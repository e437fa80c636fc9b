package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/loralab/loralab/ui/text"
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
	// Progress as LlamaBoard shows it: ended/total, elapsed < remaining.
	right := ""
	if s := l.Search; s != nil {
		right += st.Header.Render(fmt.Sprintf("lr search %s %s · ", s.Percent(), text.Clock(s.Elapsed())))
	}
	var cmp []string // how the next race compares, when not as ever
	if n := l.Compare.SeedCount(); n > 1 {
		cmp = append(cmp, plural(n, "seed"))
	}
	if l.Compare.Tune {
		cmp = append(cmp, "tuned")
	}
	if len(cmp) > 0 {
		right += st.Accent.Render(strings.Join(cmp, " ")) + st.Header.Render(" · ")
	}
	if ended, total, elapsed, left, known, ok := l.RaceProgress(); ok {
		t := fmt.Sprintf("race %d/%d %s", ended, total, text.Clock(elapsed))
		if known {
			t += " < " + text.Clock(left)
		}
		right += st.Header.Render(t + " · ")
	}
	if sw := l.Sweep; sw != nil {
		t := fmt.Sprintf("sweep %d/%d", sw.Done(), sw.Total())
		if sw.Stopped { // as the dialog says: so many of them finished
			t = fmt.Sprintf("sweep stopped %d/%d", sw.Tally().Finished, sw.Total())
		}
		if sw.Elapsed > 0 {
			t += " " + text.Clock(sw.Elapsed)
			if left, ok := sw.Remaining(); ok {
				t += " < " + text.Clock(left)
			}
		}
		right += st.Header.Render(t + " · ")
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
		switch {
		case l.MessageErr:
			style = st.Error
		case l.Message == l.Banner:
			style = st.OK
		}
		// The runs' states come first, in their most compact form at
		// least: the message gets what they leave, but at least 20 cells.
		chipsW := text.Width(m.chips(0))
		if m.idle() {
			chipsW = text.Width(noRuns) // the hint yields to the message
		}
		room := max(w-chipsW-2, 20)
		if text.Width(l.Message) > room-1 {
			// Cut: the rest is one key away.
			more := " " + m.c.Keys.Messages.Help().Key + " all"
			msg = style.Render(text.Fit(l.Message, room-1-text.Width(more))) + st.Key.Render(more) + " "
		} else {
			msg = style.Render(l.Message) + " "
		}
	}
	avail := w - text.Width(msg) - 1
	chips := m.chips(avail)
	return []string{spread(chips, msg, w), m.hints(w)}
}

// noRuns is the footer's chips when nothing trains or has trained; a hint
// follows it where the message leaves room.
const noRuns = " no runs"

// idle reports whether the footer has no run, sweep or search to show.
func (m *Model) idle() bool {
	l := m.lab
	return !l.AnyRun() && l.Sweep == nil && l.Search == nil
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
		if s := l.Search; s != nil { // a tuned race's search, before its runs
			return st.Muted.Render(fmt.Sprintf(" lr search: %s, %d of %d runs ended", s.Percent(), s.Ended, s.Total))
		}
		if sw := l.Sweep; sw != nil { // a sweep alone: its runs in one chip
			training, waiting := sw.Training()
			s := fmt.Sprintf(" sweep of %s: %s", sw.Setting, sw.Tally())
			if training+waiting > 0 {
				s += fmt.Sprintf(", %d training, %d waiting", training, waiting)
			}
			return st.Muted.Render(s)
		}
		hint := noRuns + " · enter trains the method under the cursor · r races"
		if l.SweepHint() != "" {
			hint = noRuns + " · w, then enter, runs the preset's sweep"
		}
		if w > 0 && text.Width(hint) > w {
			hint = noRuns // the message's room
		}
		return st.Muted.Render(hint)
	}
	forms := []func(r *RunView) string{
		func(r *RunView) string {
			s := statusIcon(r) + " " + statusWord(r) + " " + progressText(r)
			if r.StepsPerSec > 0 {
				s += " " + text.ShortCount(l.Pace(r.Info.Name, r.StepsPerSec)) + "/s"
			}
			return s + " " + text.Clock(r.Elapsed)
		},
		func(r *RunView) string {
			s := statusIcon(r) + " " + progressText(r)
			if r.StepsPerSec > 0 && !r.State().Final() {
				s += " " + text.ShortCount(l.Pace(r.Info.Name, r.StepsPerSec)) + "/s"
			}
			return s
		},
		func(r *RunView) string {
			if r.State().Final() {
				return statusIcon(r)
			}
			return statusIcon(r) + strconv.Itoa(percent(r)) + "%"
		},
	}
	chip := func(r *RunView, f func(*RunView) string) string {
		return st.Method(r.Info.Name).Render(r.Info.Glyph) + statusStyle(st, r).Render(f(r))
	}
	cursor := l.Runs[l.Cursor]
	// Every run in one form, longest first; then the cursor's run in full
	// and the others compact; else every run compact, clipped (w 0: that
	// line, unclipped).
	var line, compact string
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
		if k == len(forms)-1 {
			compact = line
			if w == 0 {
				return compact
			}
		}
		if text.Width(line) <= w {
			return line
		}
	}
	return text.Fit(compact, max(w, 0))
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
	w -= text.Width(essentials) + 1
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
		if text.Width(line)+text.Width(sep)+text.Width(item) > w {
			break
		}
		line += sep + item
	}
	return spread(line, essentials, w+text.Width(essentials)+1)
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
	return text.ShortCount(float64(n)) + " " + word + "s"
}
