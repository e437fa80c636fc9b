package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/export"
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
			out.saved = append(out.saved, fmt.Sprintf("%s %s (+ .csv)", b.Kind, tilde(jsonPath)))
		}
		return out
	}
}

// tilde writes a path under the home folder as ~/…, so that a save
// message fits the status line more often.
func tilde(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return path
	}
	if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
		return filepath.Join("~", rel)
	}
	return path
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

// exportedMsg is what exportCmd reports: the folder written, or the error.
type exportedMsg struct {
	method, dir string
	err         error
}

// exportCmd writes job as a PEFT export (peft/) and a torch export (torch/)
// into a new folder of dir named export-METHOD-TIME (ui/export, atomically).
// The torch export trains the run again to record its losses: it runs here,
// off Update.
func exportCmd(dir string, job lab.Job, now time.Time) tea.Cmd {
	return func() tea.Msg {
		name := job.Config.Method
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return exportedMsg{method: name, err: err}
		}
		base := filepath.Join(dir, "export-"+name+"-"+now.Format("20060102-150405"))
		out := base
		for n := 2; ; n++ { // a new folder, never an existing one
			if _, err := os.Lstat(out); os.IsNotExist(err) {
				break
			}
			out = fmt.Sprintf("%s-%d", base, n)
		}
		err := export.Both(context.Background(), out, job, export.Options{})
		return exportedMsg{method: name, dir: out, err: err}
	}
}

// export writes the run under the cursor (or, before it has run, the
// method's current settings) as PEFT and PyTorch files, in a command.
func (m *Model) export() tea.Cmd {
	l := m.lab
	i := l.Cursor
	if i < 0 || i >= len(l.Methods) {
		return nil
	}
	meth := l.Methods[i]
	var cfg lab.Config
	if r := l.Runs[i]; r != nil {
		cfg = r.Config
	} else {
		c, err := l.ConfigFor(i)
		if err == nil {
			c, err = prepare(meth, c)
		}
		if err != nil {
			l.Say(true, "cannot export %s: %v", l.Infos[i].Title, err)
			return nil
		}
		cfg = c
	}
	return exportCmd(m.opts.ResultsDir, jobOf(meth, cfg), time.Now())
}
