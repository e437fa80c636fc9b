package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/results"
)

// The lab's file I/O runs in commands, off the goroutine that runs Update:
// each returns a message with its outcome, which Update then shows.

// savedMsg is what saveCmd reports: the files written, in order, and the
// error that stopped it, if any.
type savedMsg struct {
	saved []string // "run /path/run-….json (+ .csv)"
	err   error
}

// saveCmd writes each bundle into dir as JSON and CSV (new files,
// atomically; ui/results), stopping at the first error.
func saveCmd(dir string, bundles []results.Bundle) tea.Cmd {
	return func() tea.Msg {
		var out savedMsg
		for _, b := range bundles {
			jsonPath, _, err := results.Save(dir, b, time.Now())
			if err != nil {
				out.err = err
				return out
			}
			out.saved = append(out.saved, fmt.Sprintf("%s %s (+ .csv)", b.Kind, jsonPath))
		}
		return out
	}
}

// presetsMsg is what readPresetsCmd reports: every preset (built-in and
// from the user folder) and the errors of the files that did not load.
type presetsMsg struct {
	list []presets.Preset
	errs []error
}

// readPresetsCmd reads the built-in presets and those in dir.
func readPresetsCmd(dir string) tea.Cmd {
	return func() tea.Msg {
		list, errs := presets.All(dir)
		return presetsMsg{list, errs}
	}
}
