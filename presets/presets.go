// Package presets holds LoRA Lab's workshop scenarios: small TOML files, the
// built-in ones embedded in the binary and user ones read from
// $XDG_CONFIG_HOME/loralab/presets or given with --preset-file.
//
// A preset names a mode (a single run, a race of methods on identical data,
// or a sweep of one setting), the methods, the settings that differ from
// lab.Defaults (by their flag names, as in lab.Settings), optional per-method
// overrides, and teaching notes: what to look for and the question to ask the
// room. The file format is described in FORMAT.md next to this file and in
// the header of every file `loralab presets show` prints.
package presets

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// The modes a preset can run in.
const (
	Single = "single" // one run of one method
	Race   = "race"   // several methods on identical data, side by side
	Sweep  = "sweep"  // one setting over a list of values, for each method
)

// Modes lists the modes in the order help texts show them.
var Modes = []string{Single, Race, Sweep}

// Preset is one workshop scenario.
type Preset struct {
	Name, Title string
	Notes       string            // teaching notes: what to look for
	Question    string            // the question to ask the room
	Mode        string            // "single" | "race" | "sweep"
	Methods     []string          // method flag names, in display order
	Settings    map[string]string // flag name -> value (lab.Settings names), for every method
	// Overrides holds per-method settings, from the file's [overrides.METHOD]
	// tables: method -> flag name -> value, applied after Settings for that
	// method only (e.g. VeRA at rank 256 racing LoRA at rank 1).
	Overrides map[string]map[string]string
	Sweep     *SweepSpec // for mode sweep
	Source    string     // "built-in" or the file path
}

// SweepSpec is a sweep's varied setting and its values (as text the setting parses).
type SweepSpec struct {
	Setting string
	Values  []string
}

// BuiltInSource is the Source of the presets embedded in the binary.
const BuiltInSource = "built-in"

// DefaultName is the preset loralab opens with.
const DefaultName = "race-five"

//go:embed builtin/*.toml
var builtinFS embed.FS

// builtinOrder is the order `loralab presets` lists the built-in presets in;
// embedded files not named here follow alphabetically.
var builtinOrder = []string{"race-five", "rank-matters", "rslora-rank", "loraplus-tuned", "frozen-a", "vera-budget", "vera-rank", "beyond-rank", "dora-vs-lora", "pissa-vs-lora", "full-vs-lora",
	"charlm-race", "charlm-forgetting", "charlm-targets", "charlm-rank"}

var builtins = mustLoadBuiltIns()

func mustLoadBuiltIns() []Preset {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		panic("presets: " + err.Error())
	}
	var out []Preset
	for _, e := range entries {
		data, err := builtinFS.ReadFile(path.Join("builtin", e.Name()))
		if err != nil {
			panic("presets: " + err.Error())
		}
		p, err := Parse(e.Name(), data)
		if err != nil {
			// The built-in files are tested; a failure here is a bug in this package.
			panic("presets: built-in " + err.Error())
		}
		p.Source = BuiltInSource
		out = append(out, p)
	}
	rank := func(name string) int {
		if i := slices.Index(builtinOrder, name); i >= 0 {
			return i
		}
		return len(builtinOrder)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i].Name), rank(out[j].Name)
		if ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// BuiltIn returns the presets embedded in the binary, the default first.
// Each call returns fresh copies the caller may change.
func BuiltIn() []Preset {
	out := make([]Preset, len(builtins))
	for i, p := range builtins {
		out[i] = p.clone()
	}
	return out
}

// Default returns the preset loralab starts with: race-five.
func Default() Preset {
	p, err := Lookup(builtins, DefaultName)
	if err != nil {
		panic("presets: " + err.Error())
	}
	return p.clone()
}

// Load reads and validates a preset file. Errors name the file, the line and
// the field, and say what is allowed.
func Load(file string) (Preset, error) {
	data, err := readFile(file)
	if err != nil {
		return Preset{}, err
	}
	return Parse(file, data)
}

// readFile reads a preset file: a regular file (a named pipe in the
// presets folder must not hang every start) of at most MaxFileBytes.
func readFile(file string) ([]byte, error) {
	data, err := lab.ReadSmallFile(file, MaxFileBytes)
	if err != nil {
		return nil, &Error{File: file, Msg: "cannot read the preset file: " + err.Error()}
	}
	return data, nil
}

// All returns the built-in presets followed by every *.toml file in userDir,
// sorted by name. A user preset with a built-in's name replaces it (so a
// copy made with `loralab presets show` can be edited in place). A file that
// fails to load yields an error and is skipped; the others still load. A
// missing userDir (or "") is not an error.
func All(userDir string) ([]Preset, []error) {
	all := BuiltIn()
	if userDir == "" {
		return all, nil
	}
	entries, err := os.ReadDir(userDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return all, nil
		}
		return all, []error{&Error{File: userDir, Msg: "cannot read the presets folder: " + unwrapPath(err).Error()}}
	}
	var errs []error
	var user []Preset
	seen := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".toml") {
			continue
		}
		file := filepath.Join(userDir, e.Name())
		data, err := readFile(file) // a named pipe or a link to /dev/zero is listed as broken, unread
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := Parse(file, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, ok := seen[p.Name]; ok {
			errs = append(errs, &Error{File: file, Line: lineOf(data, "name"), Field: "name",
				Msg: fmt.Sprintf("preset %q is already defined in %s; give this one another name", p.Name, other)})
			continue
		}
		seen[p.Name] = file
		user = append(user, p)
	}
	sort.Slice(user, func(i, j int) bool { return user[i].Name < user[j].Name })
	for _, u := range user {
		if i := slices.IndexFunc(all, func(p Preset) bool { return p.Name == u.Name }); i >= 0 {
			all[i] = u
			continue
		}
		all = append(all, u)
	}
	return all, errs
}

// UserDir is where user presets live: $XDG_CONFIG_HOME/loralab/presets (on
// Linux; os.UserConfigDir elsewhere). It is "" when no config folder is known.
func UserDir() string {
	dir, err := os.UserConfigDir()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, "loralab", "presets")
}

// Lookup returns the preset called name in all; an unknown name gives an
// error listing the names.
func Lookup(all []Preset, name string) (Preset, error) {
	for _, p := range all {
		if p.Name == name {
			return p, nil
		}
	}
	return Preset{}, fmt.Errorf("preset %q: unknown; the presets are: %s", name, strings.Join(Names(all), ", "))
}

// Names returns the names of presets, in order.
func Names(all []Preset) []string {
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = p.Name
	}
	return names
}

// Catalog is every method and task a preset may name: the registries of
// package adapters and package lab/tasks. The CLI and the lab look methods,
// tasks and settings up in it too.
var Catalog = lab.Catalog{Methods: adapters.All(), Tasks: tasks.All()}

// Config returns the catalog's defaults for the preset's task
// (Catalog.DefaultsFor: the task's own core defaults) with the preset's
// Settings applied (the settings shared by every method) and Method set to
// the first method. It does not apply per-method overrides (see ConfigFor)
// nor the sweep's values.
func (p Preset) Config() (lab.Config, error) {
	cfg := Catalog.Defaults()
	if task, ok := p.Settings["task"]; ok {
		cfg = Catalog.DefaultsFor(task)
	}
	if len(p.Methods) > 0 {
		cfg.Method = p.Methods[0]
	}
	for _, s := range Catalog.Settings() {
		v, ok := p.Settings[s.Name]
		if !ok {
			continue
		}
		if err := s.Set(&cfg, v); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// ConfigFor returns the settings for one of the preset's methods: Config
// with that method's overrides applied and Method set to it.
func (p Preset) ConfigFor(method string) (lab.Config, error) {
	cfg, err := p.Config()
	if err != nil {
		return cfg, err
	}
	cfg.Method = method
	over := p.Overrides[method]
	for _, s := range Catalog.Settings() {
		v, ok := over[s.Name]
		if !ok {
			continue
		}
		if err := s.Set(&cfg, v); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// Jobs returns the runs the preset stands for, validated and resolved by
// lab.Prepare: one per method for single and race; for a sweep one per
// (method, value), methods outer and values inner, so job i is method
// Methods[i / len(Sweep.Values)] at value Sweep.Values[i % len(Sweep.Values)].
func (p Preset) Jobs() ([]lab.Job, error) {
	var jobs []lab.Job
	for _, name := range p.Methods {
		cfg, err := p.ConfigFor(name)
		if err != nil {
			return nil, err
		}
		job, err := Catalog.Job(cfg)
		if err != nil {
			return nil, err
		}
		if p.Mode == Sweep && p.Sweep != nil {
			set, err := Catalog.Setting(p.Sweep.Setting)
			if err != nil {
				return nil, err
			}
			js, err := lab.Sweep{Setting: set, Values: p.Sweep.Values, Methods: []lab.Method{job.Method}, Task: job.Task, Base: cfg}.Jobs()
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, js...)
			continue
		}
		job, err = lab.Prepare(job)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		jobs = append(jobs, job)
	}
	return jobs, nil
}

// JobLabel names job i of Jobs for people: the method's title, and for a
// sweep the varied setting's value ("LoRA rank=4").
func (p Preset) JobLabel(i int) string {
	if p.Mode == Sweep && p.Sweep != nil && len(p.Sweep.Values) > 0 {
		n := len(p.Sweep.Values)
		if i/n < len(p.Methods) {
			return title(p.Methods[i/n]) + " " + p.Sweep.Setting + "=" + p.Sweep.Values[i%n]
		}
		return ""
	}
	if i < len(p.Methods) {
		return title(p.Methods[i])
	}
	return ""
}

func title(method string) string {
	if m, err := Catalog.Method(method); err == nil {
		return m.Info().Title
	}
	return method
}

func (p Preset) clone() Preset {
	q := p
	q.Methods = slices.Clone(p.Methods)
	q.Settings = cloneMap(p.Settings)
	if p.Overrides != nil {
		q.Overrides = make(map[string]map[string]string, len(p.Overrides))
		for k, v := range p.Overrides {
			q.Overrides[k] = cloneMap(v)
		}
	}
	if p.Sweep != nil {
		s := *p.Sweep
		s.Values = slices.Clone(p.Sweep.Values)
		q.Sweep = &s
	}
	return q
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
