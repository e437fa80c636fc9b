package tui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
)

// PresetState is the preset the lab was opened on or last loaded with the
// picker: the preset itself (Name is "" when there is none; Sweep is set for
// a sweep preset only), and what the lab derives from it.
type PresetState struct {
	presets.Preset
	// Args are the flags that name the preset on a command line:
	// --preset NAME, or --preset-file FILE for a file outside the user folder.
	Args []string
	// Base is the preset's settings shared by every method (presets.Preset.Config):
	// a reproducing command line states what the user changed from them.
	Base lab.Config
}

// PresetOptions returns the options that open the lab on p exactly as
// `loralab tui --preset NAME` does, or the reason p would not run. The
// caller sets the colour profile and the rest.
func PresetOptions(p presets.Preset) (Options, error) {
	if err := checkPreset(p); err != nil {
		return Options{}, err
	}
	return Options{Preset: &p}, nil
}

// checkPreset reports why p's settings would not run for one of its
// methods, if they would not.
func checkPreset(p presets.Preset) error {
	if _, err := p.Config(); err != nil {
		return fmt.Errorf("preset %s: %v", p.Name, err)
	}
	if _, err := p.Jobs(); err != nil {
		return fmt.Errorf("preset %s: %v", p.Name, err)
	}
	return nil
}

// presetArgs are the flags naming p on a command line: --preset NAME for a
// built-in preset or one in the user folder (which loralab finds by name),
// else --preset-file with its path.
func presetArgs(p presets.Preset, userDir string) []string {
	if p.Source == "" || p.Source == presets.BuiltInSource ||
		(userDir != "" && filepath.Clean(filepath.Dir(p.Source)) == filepath.Clean(userDir)) {
		return []string{"--preset", p.Name}
	}
	return []string{"--preset-file", p.Source}
}

// LoadPreset puts the lab on preset p, as the picker (p) does, and says so;
// see UsePreset.
func (l *Lab) LoadPreset(p presets.Preset) error {
	if err := l.UsePreset(p); err != nil {
		return err
	}
	msg := fmt.Sprintf("preset %s loaded: %s marked; enter trains the cursor's method, r races them", p.Name, strings.Join(titles(l, p.Methods), ", "))
	if hint := l.SweepHint(); hint != "" {
		msg = fmt.Sprintf("preset %s loaded: %s", p.Name, hint)
	}
	if l.cleared > 0 {
		msg += fmt.Sprintf(" (a new experiment: the earlier %s cleared)", plural(l.cleared, "run"))
	}
	l.Say(false, "%s", msg)
	return nil
}

// UsePreset puts the lab on preset p as opening it with --preset does: the
// one path of a preset into the lab, for the lab's first preset (New) and
// the picker's. Its settings replace the current ones, its methods are
// marked (the cursor on the first), its per-method overrides apply, and the
// about pane shows its notes and question. A preset starts a new
// experiment: the runs and the sweep there are are cleared (cancelled and
// removed), so the board, the chart, saves and the quit summary never mix
// two experiments. It refuses, changing nothing, if p's settings would not
// run for one of its methods.
func (l *Lab) UsePreset(p presets.Preset) error {
	if err := checkPreset(p); err != nil {
		return err
	}
	l.cleared = l.ClearRuns()
	cfg, _ := p.Config()
	l.Config = cfg
	l.Overrides = map[string]map[string]string{}
	for m, kv := range p.Overrides {
		l.Overrides[m] = map[string]string{}
		for k, v := range kv {
			l.Overrides[m][k] = v
		}
	}
	for i := range l.Marked {
		l.Marked[i] = false
	}
	for _, name := range p.Methods {
		if i := l.Index(name); i >= 0 {
			l.Marked[i] = true
		}
	}
	if len(p.Methods) > 0 {
		if i := l.Index(p.Methods[0]); i >= 0 {
			l.Cursor = i
		}
	}
	st := PresetState{Preset: p, Base: cfg}
	st.Methods = append([]string(nil), p.Methods...)
	st.Sweep = nil
	if p.Mode == presets.Sweep && p.Sweep != nil {
		sw := *p.Sweep
		sw.Values = append([]string(nil), p.Sweep.Values...)
		st.Sweep = &sw
	}
	if p.Name != "" {
		st.Args = presetArgs(p, presets.UserDir())
	}
	l.Preset = st
	l.touched = map[string]bool{}
	l.ver.Config++
	l.ver.Selection++
	l.ver.Preset++
	return nil
}

// SetTask switches the lab to task name as a new experiment: the settings
// become the task's defaults (lab.Catalog.DefaultsFor: charlm's fewer steps
// and smaller batch), the seed and the marked methods stay, the runs are
// cleared (a board never mixes two tasks' losses) and the preset is left
// for an untitled one — its notes were about the other task. It says so,
// and refuses, changing nothing, an unknown task or one a marked method
// cannot run.
func (l *Lab) SetTask(name string) error {
	if _, err := catalog.Task(name); err != nil {
		return err
	}
	if name == l.Config.Task {
		return nil
	}
	var marked []string
	for i, m := range l.Marked {
		if m {
			marked = append(marked, l.Infos[i].Name)
		}
	}
	cursor := l.Infos[l.Cursor].Name
	p := presets.Preset{Mode: presets.Race, Methods: marked,
		Settings: map[string]string{"task": name, "seed": strconv.FormatUint(l.Config.Seed, 10)}}
	if err := l.UsePreset(p); err != nil {
		return err
	}
	l.Cursor = l.Index(cursor)
	cfg := l.Config
	msg := fmt.Sprintf("task %s: a new experiment on its defaults (steps %d, batch %d)", name, cfg.Steps, cfg.Batch)
	if l.cleared > 0 {
		msg += fmt.Sprintf("; the earlier %s cleared", plural(l.cleared, "run"))
	}
	l.Say(false, "%s", msg)
	return nil
}

// SweepHint says how to run the preset's sweep — "this preset is a sweep
// of rank over 1,4,16,64: press w, then enter, to run it" — for a sweep
// preset (its methods are only marked: enter and r would train them at
// the preset's own value); "" for any other preset.
func (l *Lab) SweepHint() string {
	sw := l.Preset.Sweep
	if sw == nil {
		return ""
	}
	return fmt.Sprintf("this preset is a sweep of %s over %s: press w, then enter, to run it", sw.Setting, strings.Join(sw.Values, ","))
}

// titles maps method names to their titles.
func titles(l *Lab, names []string) []string {
	var out []string
	for _, n := range names {
		if i := l.Index(n); i >= 0 {
			out = append(out, l.Infos[i].Title)
		}
	}
	return out
}
