package tui

import (
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// statusIcon is the one-cell icon of a run state (· for no run).
func statusIcon(r *RunView) string {
	if r == nil {
		return "·"
	}
	switch r.Status {
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
	if r.Status == lab.Cancelled {
		return "stopped"
	}
	return string(r.Status)
}

// statusStyle colours a run state.
func statusStyle(st *Styles, r *RunView) Paint {
	if r == nil {
		return st.Muted
	}
	switch r.Status {
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

// progressText is "1.2k/2k" for a run.
func progressText(r *RunView) string {
	return text.ShortCount(float64(r.Step)) + "/" + text.ShortCount(float64(r.Steps))
}

// percent is a run's progress in whole percent.
func percent(r *RunView) int {
	if r.Steps <= 0 {
		return 0
	}
	return min(100, r.Step*100/r.Steps)
}
