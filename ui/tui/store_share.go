package tui

import (
	"github.com/loralab/loralab/ui/share"
)

// Experiment is the last run, race or sweep the lab started, as the one
// command line that reproduces it (ui/share).
type Experiment struct {
	share.Experiment
	runs []runKey // the runs it started (id, generation), to tell live changes
}

// Command is the loralab command line that reproduces the experiment.
func (e *Experiment) Command() string { return share.Command(catalog, e.Experiment) }

// record remembers the experiment just started: kind "run", "race" or
// "sweep", its methods (indices), and for a sweep the setting and values.
// The settings are those of the moment it started; with a preset, the
// command names it and gives the settings the user changed from it.
func (l *Lab) record(kind string, idx []int, setting string, values []string) {
	e := &Experiment{Experiment: share.Experiment{Kind: kind, Config: l.Config, Setting: setting, Values: values}}
	for _, i := range idx {
		e.Methods = append(e.Methods, l.Infos[i].Name)
		if kind != "sweep" {
			if r := l.Runs[i]; r != nil {
				e.runs = append(e.runs, runKey{methodID(i), r.Gen})
			}
		}
	}
	if l.Preset.Name != "" {
		e.Preset = append([]string(nil), l.Preset.Args...)
		e.Given = l.given()
	}
	l.Last = e
	l.ver.Experiment++
}

// given lists the settings the user changed since the preset was loaded,
// as name and value in display order: those that differ from the preset's
// and those set in the settings pane (which replaced the preset's
// per-method values), so that the command line, which applies the preset's
// overrides and then its flags, gives every method the same settings.
func (l *Lab) given() [][2]string {
	var out [][2]string
	for _, s := range catalog.Settings() {
		if s.Name == "method" {
			continue
		}
		if v := s.Get(l.Config); l.touched[s.Name] || v != s.Get(l.Preset.Base) {
			out = append(out, [2]string{s.Name, v})
		}
	}
	return out
}

// touch notes that the user set setting name in the settings pane.
func (l *Lab) touch(name string) {
	if l.touched == nil {
		l.touched = map[string]bool{}
	}
	l.touched[name] = true
}

// LiveChanged reports whether a live setting (the learning rate) was
// changed while a run of the last experiment trained: the command line
// then reproduces the starting settings, not what the runs did.
func (l *Lab) LiveChanged() bool {
	if l.Last == nil {
		return false
	}
	for _, k := range l.Last.runs {
		if r := l.Runs[k.id.Index]; r != nil && r.Gen == k.gen && r.liveLR {
			return true
		}
	}
	return false
}

// ReproduceLine is "loralab …", the command that reproduces the last
// experiment, or "" if none was started.
func (l *Lab) ReproduceLine() string {
	if l.Last == nil {
		return ""
	}
	return l.Last.Command()
}
