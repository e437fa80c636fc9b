package tui

import (
	"fmt"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// Summary is what loralab prints after the program has left the alternate
// screen, so it stays in the scrollback: one paragraph about the runs and
// the sweep, then "reproduce: loralab …", the command line that reproduces
// the last run, race or sweep started. It is "" when nothing was started.
func (m *Model) Summary() string {
	s := m.paragraph()
	if line := m.lab.ReproduceLine(); line != "" {
		if s != "" {
			s += "\n"
		}
		s += "reproduce: " + line
		if m.lab.LiveChanged() {
			s += "\n(the learning rate was changed while it trained: the line starts from the same settings, not the live change)"
		}
	}
	return s
}

// paragraph is one paragraph about the runs and the sweep ("" if none).
func (m *Model) paragraph() string {
	var parts []string
	var best *RunView
	for _, r := range m.lab.Runs {
		if r == nil {
			continue
		}
		parts = append(parts, describeRun(r))
		if r.Status == lab.Done && lab.Finite(r.Eval) && (best == nil || r.Eval < best.Eval) {
			best = r
		}
	}
	if sw := m.lab.Sweep; sw != nil {
		parts = append(parts, fmt.Sprintf("sweep of %s over %s: %d of %d runs ended", sw.Setting, strings.Join(sw.Values, ", "), sw.Done(), len(sw.Runs)))
	}
	if len(parts) == 0 {
		return ""
	}
	s := "LoRA Lab: " + strings.Join(parts, "; ") + "."
	if best != nil {
		s += " Lowest eval loss: " + best.Info.Title + " (" + text.ShortLoss(best.Eval) + ")."
	}
	return s
}

// describeRun is one run in words for the quit summary.
func describeRun(r *RunView) string {
	if r.Active() && !r.Started() {
		return fmt.Sprintf("%s never started (it was queued)", r.Info.Title)
	}
	if r.Active() {
		return fmt.Sprintf("%s stopped by quit at step %d of %d (eval loss %s)", r.Info.Title, r.Step, r.Steps, text.ShortLoss(r.Eval))
	}
	s := fmt.Sprintf("%s %s", r.Info.Title, statusWord(r))
	switch r.Status {
	case lab.Done:
		s += fmt.Sprintf(" after %s with eval loss %s", plural(r.Step, "step"), text.ShortLoss(r.Eval))
	case lab.Diverged:
		s += fmt.Sprintf(" at step %d", r.Step)
	case lab.Cancelled:
		s += fmt.Sprintf(" at step %d", r.Step)
	}
	if r.StepsPerSec > 0 {
		s += fmt.Sprintf(" (%s steps/s)", text.ShortCount(r.StepsPerSec))
	}
	return s
}
