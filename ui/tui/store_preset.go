package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
)

// PresetState is the preset the lab was opened on or last loaded with the
// picker: what the header, the about pane and the reproducing command line
// say about it. Name is "" when there is none.
type PresetState struct {
	Name, Title     string
	Notes, Question string
	// Args are the flags that name the preset on a command line:
	// --preset NAME, or --preset-file FILE for a file outside the user folder.
	Args []string
	// Base is the preset's settings shared by every method (presets.Preset.Config):
	// a reproducing command line states what the user changed from them.
	Base lab.Config
	// Sweep is a sweep preset's setting and values: the sweep dialog (w)
	// opens on them.
	Sweep *presets.SweepSpec
}

// PresetOptions returns the options that open the lab on p exactly as
// `loralab tui --preset NAME` does: its settings, its methods marked, its
// per-method overrides, its title, notes and question. A sweep preset's
// methods are marked for a race, and its notes say how to run the sweep.
// The caller sets the colour profile (and may set PresetArgs).
func PresetOptions(p presets.Preset) (Options, error) {
	cfg, err := p.Config()
	if err != nil {
		return Options{}, fmt.Errorf("preset %s: %v", p.Name, err)
	}
	notes := p.Notes
	if p.Mode == presets.Sweep && p.Sweep != nil {
		notes += fmt.Sprintf("\n(This preset is a sweep of %s over %s: w opens the sweep dialog on it, or run it with `loralab sweep --preset %s`; here its methods are marked.)",
			p.Sweep.Setting, strings.Join(p.Sweep.Values, ", "), p.Name)
	}
	over := map[string]map[string]string{}
	for m, kv := range p.Overrides {
		over[m] = map[string]string{}
		for k, v := range kv {
			over[m][k] = v
		}
	}
	opts := Options{
		Config: cfg, Marked: append([]string(nil), p.Methods...), Preset: p.Name, Title: p.Title,
		Notes: notes, Question: p.Question, Overrides: over, PresetArgs: presetArgs(p, presets.UserDir()),
	}
	if p.Mode == presets.Sweep && p.Sweep != nil {
		sw := *p.Sweep
		sw.Values = append([]string(nil), p.Sweep.Values...)
		opts.Sweep = &sw
	}
	return opts, nil
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

// LoadPreset puts the lab on preset p as opening it with --preset does:
// its settings replace the current ones, its methods are marked (the cursor
// on the first), its per-method overrides apply, and the about pane shows
// its notes and question. Runs that exist are kept. It refuses, changing
// nothing, if p's settings would not run for one of its methods.
func (l *Lab) LoadPreset(p presets.Preset) error {
	if _, err := p.Jobs(); err != nil {
		return fmt.Errorf("preset %s: %v", p.Name, err)
	}
	opts, err := PresetOptions(p)
	if err != nil {
		return err
	}
	l.ApplyOptions(opts)
	l.Say(false, "preset %s loaded: %s marked; enter trains the cursor's method, r races them", p.Name, strings.Join(titles(l, p.Methods), ", "))
	return nil
}

// ApplyOptions sets the settings, marks, cursor, overrides and preset of opts.
func (l *Lab) ApplyOptions(opts Options) {
	if opts.Config != (lab.Config{}) {
		l.Config = opts.Config
	}
	l.Overrides = map[string]map[string]string{}
	for m, kv := range opts.Overrides {
		l.Overrides[m] = map[string]string{}
		for k, v := range kv {
			l.Overrides[m][k] = v
		}
	}
	for i := range l.Marked {
		l.Marked[i] = false
	}
	for _, name := range opts.Marked {
		if i := l.Index(name); i >= 0 {
			l.Marked[i] = true
		}
	}
	if i := l.Index(opts.Cursor); i >= 0 {
		l.Cursor = i
	} else if len(opts.Marked) > 0 {
		if i := l.Index(opts.Marked[0]); i >= 0 {
			l.Cursor = i
		}
	}
	l.Preset = PresetState{Name: opts.Preset, Title: opts.Title, Notes: opts.Notes, Question: opts.Question,
		Args: opts.PresetArgs, Base: l.Config, Sweep: opts.Sweep}
	if l.Preset.Name != "" && len(l.Preset.Args) == 0 {
		l.Preset.Args = []string{"--preset", l.Preset.Name}
	}
	l.touched = map[string]bool{}
	l.ver.Config++
	l.ver.Selection++
	l.ver.Preset++
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
