package tui

import (
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// statusIcon is the one-cell icon of a run's state (at several seeds, the
// group's: RunView.State), · for no run.
func statusIcon(r *RunView) string {
	if r == nil {
		return "·"
	}
	switch r.State() {
	case lab.Queued:
		return "◷"
	case lab.Running:
		return "▶"
	case lab.Paused:
		return "‖"
	case lab.Done:
		return "✓"
	case lab.Diverged:
		return "✗"
	case lab.Cancelled:
		return "⊘"
	}
	return "?"
}

// statusWord names a run state for people.
func statusWord(r *RunView) string {
	if r == nil {
		return "no run"
	}
	if r.State() == lab.Cancelled {
		return "stopped"
	}
	return string(r.State())
}

// statusStyle colours a run state.
func statusStyle(st *Styles, r *RunView) Paint {
	if r == nil {
		return st.Muted
	}
	switch r.State() {
	case lab.Running:
		return st.Accent
	case lab.Done:
		return st.OK
	case lab.Diverged:
		return st.Error
	case lab.Queued, lab.Paused, lab.Cancelled:
		return st.Warn
	}
	return st.Muted
}

// progressText is "1.2k/2k" for a run (at several seeds, the mean over
// its runs).
func progressText(r *RunView) string {
	step, steps := r.Progress()
	n := float64(r.Seeds())
	return text.ShortCount(float64(step)/n) + "/" + text.ShortCount(float64(steps)/n)
}

// percent is a run's progress in whole percent (at several seeds, of all
// its runs' steps).
func percent(r *RunView) int {
	step, steps := r.Progress()
	if steps <= 0 {
		return 0
	}
	return min(100, step*100/steps)
}
