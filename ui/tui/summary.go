package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// Summary is what loralab prints after the program has left the alternate
// screen, so it stays in the scrollback: one paragraph about the runs and
// the sweep, then "reproduce: loralab …", the command line that reproduces
// the last run, race or sweep started. It is "" when nothing was started.
// The paragraph (and the note under the command) is wrapped at word
// boundaries to the width the terminal last had, so the terminal never
// breaks a word; the command stays on one line, to copy whole.
func (m *Model) Summary() string {
	w := m.c.Width
	if w <= 0 {
		w = 80
	}
	fill := func(s string) string { return strings.Join(text.Wrap(s, max(w, 20)), "\n") }
	s := ""
	if p := m.paragraph(); p != "" {
		s = fill(p)
	}
	if line := m.lab.ReproduceLine(); line != "" {
		if s != "" {
			s += "\n"
		}
		s += "reproduce: " + line
		if m.lab.LiveChanged() {
			s += "\n" + fill("(the learning rate was changed while it trained: the line starts from the same settings, not the live change)")
		}
	}
	return s
}

// paragraph is one paragraph about the runs and the sweep ("" if none).
func (m *Model) paragraph() string {
	var parts []string
	var best *RunView
	bestEval := math.Inf(1)
	for _, r := range m.lab.Runs {
		if r == nil {
			continue
		}
		if len(r.Reps) > 0 {
			parts = append(parts, describeGroup(r))
		} else {
			parts = append(parts, describeRun(r))
		}
		if e := finalEval(r); lab.Finite(e) && e < bestEval {
			best, bestEval = r, e
		}
	}
	if sw := m.lab.Sweep; sw != nil {
		parts = append(parts, fmt.Sprintf("sweep of %s over %s: %s", sw.Setting, strings.Join(sw.Values, ", "), sw.Tally()))
	}
	if len(parts) == 0 {
		return ""
	}
	s := "LoRA Lab: " + strings.Join(parts, "; ") + "."
	if best != nil {
		s += " Lowest eval loss: " + best.Info.Title + " (" + text.ShortLoss(bestEval) + ")."
		if len(best.Reps) > 0 {
			s = strings.TrimSuffix(s, ").") + ", the mean over its seeds)."
		}
	}
	return s
}

// finalEval is the run's final eval loss if it finished (NaN if not); at
// several seeds, the mean over the seeds that finished, once all ended.
func finalEval(r *RunView) float64 {
	if len(r.Reps) == 0 {
		if r.Status == lab.Done {
			return r.Eval
		}
		return math.NaN()
	}
	if r.Active() {
		return math.NaN()
	}
	var finals []float64
	for _, x := range r.Group() {
		if x.Status == lab.Done {
			finals = append(finals, x.Eval)
		}
	}
	return lab.SpreadOf(finals).Mean
}

// describeGroup is a method's runs at several seeds in words.
func describeGroup(r *RunView) string {
	if !r.Active() {
		return groupDone(r)
	}
	step, steps := r.Progress()
	return fmt.Sprintf("%s at %d seeds stopped by quit at step %d of %d (mean over its runs)", r.Info.Title, r.Seeds(), step/r.Seeds(), steps/r.Seeds())
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
