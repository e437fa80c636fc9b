package presets

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/loralab/loralab/lab"
)

// Error is a problem with a preset file: the file, the line (0 when it is
// not known), the field (a dotted key such as "settings.rank") and what is
// wrong, with what is allowed. Its text is one line.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

// Error writes the problem on one line; control characters from the file
// (its name, a key) are escaped, never sent to the terminal.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return lab.Printable(b.String(), false)
}

// The keys of a preset file, in the order TOML writes them.
var topKeys = []string{"name", "title", "mode", "methods", "question", "notes", "settings", "sweep", "overrides"}

var sweepKeys = []string{"setting", "values"}

// MaxNameLen bounds a preset's name.
const MaxNameLen = 40

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// parser holds one file being parsed, for error positions.
type parser struct {
	file string
	data []byte
	md   toml.MetaData
	doc  map[string]any
	// current is the key being checked: a failure about one of its parent
	// tables, defined implicitly by a dotted key, has no line of its own.
	current []string
}

// failure is an *Error in flight; Parse returns the first one.
type failure struct{ err *Error }

// fail stops parsing with an error at key (whose line is looked up).
func (ps *parser) fail(key []string, format string, args ...any) {
	line := lineOf(ps.data, key...)
	if line == 0 && ps.current != nil {
		line = lineOf(ps.data, ps.current...)
	}
	panic(failure{&Error{File: ps.file, Line: line, Field: strings.Join(key, "."), Msg: oneLine(fmt.Sprintf(format, args...))}})
}

// Parse reads a preset from the text of a TOML file. file names it in errors,
// and the preset's name defaults to the file's base name without ".toml".
// Source is set to file. Every error is an *Error naming the file, the line
// and the field, with what is allowed. Parse never panics.
func Parse(file string, data []byte) (p Preset, err error) {
	ps := &parser{file: file, data: data}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			p, err = Preset{}, f.err
		}
	}()
	return ps.parse(), nil
}

func (ps *parser) parse() Preset {
	if err := checkShape(ps.file, ps.data); err != nil {
		panic(failure{err})
	}
	md, err := toml.Decode(string(ps.data), &ps.doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			field := pe.LastKey
			panic(failure{&Error{File: ps.file, Line: pe.Position.Line, Field: field, Msg: oneLine("not valid TOML: " + pe.Message)}})
		}
		panic(failure{&Error{File: ps.file, Msg: oneLine("not valid TOML: " + err.Error())}})
	}
	ps.md = md
	ps.checkKeys()

	p := Preset{Source: ps.file}
	p.Name = ps.name()
	p.Title = lab.Printable(strings.Join(strings.Fields(ps.text("title")), " "), false)
	if p.Title == "" {
		p.Title = p.Name
	}
	p.Mode = ps.mode()
	p.Methods = ps.methods(p.Mode)
	p.Question = Reflow(lab.Printable(ps.text("question"), true))
	p.Notes = Reflow(lab.Printable(ps.text("notes"), true))
	p.Sweep = ps.sweep(p.Mode)
	p.Settings = ps.settings([]string{"settings"}, ps.doc["settings"], p.Sweep)
	p.Overrides = ps.overrides(p.Methods, p.Sweep)
	ps.checkRuns(p)
	return p
}

// checkKeys rejects unknown keys, in the order they appear in the file.
// Keys are checked by every prefix, since dotted keys ("a.b = 1") define
// their parent tables implicitly. The line is the full key's.
func (ps *parser) checkKeys() {
	for _, k := range ps.md.Keys() {
		ps.current = k
		switch {
		case !slices.Contains(topKeys, k[0]):
			ps.fail(k[:1], "unknown key; the keys are: %s", strings.Join(topKeys, ", "))
		case len(k) >= 2 && k[0] == "settings":
			ps.checkSettingName(k[:2])
		case len(k) >= 2 && k[0] == "sweep" && !slices.Contains(sweepKeys, k[1]):
			ps.fail(k[:2], "unknown key; [sweep] has: %s", strings.Join(sweepKeys, ", "))
		case len(k) >= 2 && k[0] == "overrides":
			if _, err := Catalog.Method(k[1]); err != nil {
				ps.fail(k[:2], "%v", err)
			}
			if len(k) >= 3 {
				ps.checkSettingName(k[:3])
			}
		}
	}
	ps.current = nil
}

func (ps *parser) checkSettingName(k []string) {
	name := k[len(k)-1]
	if name == "method" {
		ps.fail(k, "not a setting here: list the methods in methods = [...]")
	}
	if _, err := Catalog.Setting(name); err != nil {
		var names []string
		for _, s := range Catalog.Settings() {
			if s.Name != "method" {
				names = append(names, s.Name)
			}
		}
		ps.fail(k, "unknown setting; the settings are: %s", strings.Join(names, ", "))
	}
}

// text returns an optional string key, trimmed.
func (ps *parser) text(key string) string {
	v, ok := ps.doc[key]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		ps.fail([]string{key}, "want a string in quotes, got %s", ps.typeOf(key))
	}
	return strings.TrimSpace(s)
}

func (ps *parser) name() string {
	key := []string{"name"}
	if _, ok := ps.doc["name"]; !ok {
		base := strings.TrimSuffix(filepath.Base(ps.file), ".toml")
		if !validName(base) {
			ps.fail(key, "missing, and the file name %q is not a preset name; add name = \"...\" (%s)", base, nameRule)
		}
		return base
	}
	n := ps.text("name")
	if !validName(n) {
		ps.fail(key, "%q is not a preset name; %s", n, nameRule)
	}
	return n
}

const nameRule = "use 1 to 40 lower-case letters, digits, '-' or '_', starting with a letter or digit"

func validName(n string) bool { return len(n) <= MaxNameLen && nameRE.MatchString(n) }

func (ps *parser) mode() string {
	if _, ok := ps.doc["mode"]; !ok {
		ps.fail([]string{"mode"}, "missing; add mode = \"single\", \"race\" or \"sweep\"")
	}
	m := ps.text("mode")
	if !slices.Contains(Modes, m) {
		ps.fail([]string{"mode"}, "%q is not a mode; the modes are: %s", m, strings.Join(Modes, ", "))
	}
	return m
}

func (ps *parser) methods(mode string) []string {
	key := []string{"methods"}
	v, ok := ps.doc["methods"]
	if !ok {
		ps.fail(key, "missing; add e.g. methods = [\"lora\", \"lora-fa\"] (the methods are: %s)", strings.Join(Catalog.MethodNames(), ", "))
	}
	list, ok := v.([]any)
	if !ok {
		ps.fail(key, "want a list of method names in brackets, e.g. [\"lora\"], got %s", ps.typeOf("methods"))
	}
	var out []string
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			ps.fail(key, "want method names in quotes, got %s; the methods are: %s", describe(x), strings.Join(Catalog.MethodNames(), ", "))
		}
		s = strings.TrimSpace(s)
		if _, err := Catalog.Method(s); err != nil {
			ps.fail(key, "%v", err)
		}
		if slices.Contains(out, s) {
			ps.fail(key, "%q is listed twice; list each method once", s)
		}
		out = append(out, s)
	}
	switch {
	case mode == Single && len(out) != 1:
		ps.fail(key, "mode single takes exactly one method, got %d", len(out))
	case mode == Race && len(out) < 2:
		ps.fail(key, "mode race takes at least two methods, got %d", len(out))
	case mode == Sweep && len(out) < 1:
		ps.fail(key, "mode sweep takes at least one method, got none")
	}
	return out
}

func (ps *parser) sweep(mode string) *SweepSpec {
	key := []string{"sweep"}
	v, ok := ps.doc["sweep"]
	if mode != Sweep {
		if ok {
			ps.fail(key, "only for mode = \"sweep\" (this preset's mode is %q); remove [sweep] or change the mode", mode)
		}
		return nil
	}
	if !ok {
		ps.fail(key, "missing: mode sweep needs a [sweep] table with setting = \"...\" and values = ...")
	}
	t, ok := v.(map[string]any)
	if !ok {
		ps.fail(key, "want a table [sweep] with setting and values, got %s", ps.typeOf("sweep"))
	}
	sk := []string{"sweep", "setting"}
	sv, ok := t["setting"]
	if !ok {
		ps.fail(sk, "missing; the sweepable settings are: %s", strings.Join(Catalog.Sweepable(), ", "))
	}
	name, ok := sv.(string)
	if !ok {
		ps.fail(sk, "want a setting name in quotes, got %s; the sweepable settings are: %s", describe(sv), strings.Join(Catalog.Sweepable(), ", "))
	}
	name = strings.TrimSpace(name)
	set, err := Catalog.Setting(name)
	if err != nil || !set.Sweepable {
		ps.fail(sk, "%q cannot be swept; the sweepable settings are: %s", name, strings.Join(Catalog.Sweepable(), ", "))
	}
	vk := []string{"sweep", "values"}
	vv, ok := t["values"]
	if !ok {
		ps.fail(vk, "missing; give a list like [1, 2, 4] or a range like \"1..32:log:6\"")
	}
	var raw []string
	switch x := vv.(type) {
	case string:
		vals, err := lab.ParseValues(set, x)
		if err != nil {
			ps.fail(vk, "%v", err)
		}
		raw = vals
	case []any:
		for _, e := range x {
			s, ok := scalarText(e)
			if !ok {
				ps.fail(vk, "want numbers, got %s", describe(e))
			}
			raw = append(raw, s)
		}
	default:
		ps.fail(vk, "want a list like [1, 2, 4] or a range like \"1..32:log:6\", got %s", describe(vv))
	}
	if len(raw) == 0 || len(raw) > lab.MaxSweepValues {
		ps.fail(vk, "a sweep needs 1 to %d values, got %d", lab.MaxSweepValues, len(raw))
	}
	values := make([]string, len(raw))
	for i, r := range raw {
		c, err := canonical(set, r)
		switch {
		case err != nil && !ofKind(set, r):
			ps.fail(vk, "%q is not %s; %s: %s", r, want(set), set.Name, set.Help)
		case err != nil:
			ps.fail(vk, "%v", err) // the setting's own reason, as the flags and the lab give it
		}
		values[i] = c
	}
	return &SweepSpec{Setting: name, Values: values}
}

// settings reads a table of setting = value under key.
func (ps *parser) settings(key []string, v any, sw *SweepSpec) map[string]string {
	if v == nil {
		return nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		ps.fail(key, "want a table of setting = value, got %s", describe(v))
	}
	out := make(map[string]string, len(t))
	for _, s := range Catalog.Settings() { // a fixed order, so the first error is always the same
		x, ok := t[s.Name]
		if !ok {
			continue
		}
		k := append(slices.Clone(key), s.Name)
		if sw != nil && sw.Setting == s.Name {
			ps.fail(k, "%s is the swept setting; its values come from [sweep] values, so remove it here", s.Name)
		}
		text, ok := scalarText(x)
		if !ok {
			ps.fail(k, "want %s, got %s; %s: %s", want(s), describe(x), s.Name, s.Help)
		}
		c, err := canonical(s, text)
		switch {
		case err != nil && !ofKind(s, text):
			ps.fail(k, "%s is not %s; %s: %s", describe(x), want(s), s.Name, s.Help)
		case err != nil:
			ps.fail(k, "%v", err) // the setting's own reason, as the flags and the lab give it
		}
		out[s.Name] = c
	}
	if len(out) == 0 {
		return nil // an empty table means no settings: one form for both
	}
	return out
}

func (ps *parser) overrides(methods []string, sw *SweepSpec) map[string]map[string]string {
	key := []string{"overrides"}
	v, ok := ps.doc["overrides"]
	if !ok {
		return nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		ps.fail(key, "want tables [overrides.METHOD] of setting = value, got %s", ps.typeOf("overrides"))
	}
	out := map[string]map[string]string{}
	for _, m := range Catalog.MethodNames() { // fixed order
		x, ok := t[m]
		if !ok {
			continue
		}
		if !slices.Contains(methods, m) {
			ps.fail([]string{"overrides", m}, "%s is not in methods (%s); overrides are for the preset's methods", m, strings.Join(methods, ", "))
		}
		if set := ps.settings([]string{"overrides", m}, x, sw); set != nil {
			out[m] = set
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// checkRuns validates every run the preset stands for with lab.Prepare.
func (ps *parser) checkRuns(p Preset) {
	for _, name := range p.Methods {
		cfg, err := p.ConfigFor(name)
		if err != nil {
			ps.fail([]string{"settings"}, "%v", err) // unreachable: values were parsed
		}
		job, err := Catalog.Job(cfg)
		if err != nil {
			ps.fail(ps.blame(p, name, err), "%s: %v", name, err)
			continue
		}
		if p.Sweep != nil {
			set, _ := Catalog.Setting(p.Sweep.Setting)
			for _, v := range p.Sweep.Values {
				c := cfg
				_ = set.Set(&c, v)
				if _, err := lab.Prepare(lab.Job{Method: job.Method, Task: job.Task, Config: c}); err != nil {
					ps.fail([]string{"sweep", "values"}, "%s with %s = %s: %v", name, p.Sweep.Setting, v, err)
				}
			}
			continue
		}
		if _, err := lab.Prepare(job); err != nil {
			ps.fail(ps.blame(p, name, err), "%s: %v", name, err)
		}
	}
}

// blame finds the key a lab error is about: errors start with the setting's name.
func (ps *parser) blame(p Preset, method string, err error) []string {
	first, _, _ := strings.Cut(err.Error(), " ")
	if _, ok := p.Overrides[method][first]; ok {
		return []string{"overrides", method, first}
	}
	if _, ok := p.Settings[first]; ok {
		return []string{"settings", first}
	}
	return []string{"settings"}
}

// typeOf describes the TOML type of a top-level key for errors.
func (ps *parser) typeOf(key string) string { return describe(ps.doc[key]) }

// describe says what a decoded TOML value is, for errors.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case int64, float64, bool:
		s, _ := scalarText(x)
		return s
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	case nil:
		return "nothing"
	}
	return "a date or time"
}

// scalarText turns a TOML scalar into text a setting parses.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// canonical parses text as setting s and returns it as s formats it, or
// the setting's reason for refusing it.
func canonical(s lab.Setting, text string) (string, error) {
	c := Catalog.Defaults()
	if err := s.Set(&c, text); err != nil {
		return "", err
	}
	return s.Get(c), nil
}

// ofKind reports whether text is a value of s's kind (a whole number, a
// finite number, true or false), whatever its range: a value of the right
// kind that s refuses is refused for the setting's own reason (rank 0: must
// be at least 1), not as "not a whole number".
func ofKind(s lab.Setting, text string) bool {
	text = strings.TrimSpace(text)
	switch s.Kind {
	case lab.IntSetting:
		_, err := strconv.Atoi(text)
		return err == nil
	case lab.FloatSetting:
		x, err := strconv.ParseFloat(text, 64)
		return err == nil && !math.IsNaN(x) && !math.IsInf(x, 0)
	case lab.BoolSetting:
		_, err := strconv.ParseBool(text)
		return err == nil
	}
	return true
}

// want says what kind of value a setting takes.
func want(s lab.Setting) string {
	switch s.Kind {
	case lab.IntSetting:
		return "a whole number"
	case lab.FloatSetting:
		return "a finite number"
	case lab.BoolSetting:
		return "true or false"
	}
	return "a string in quotes"
}

// Reflow normalises teaching text: paragraphs are separated by blank lines,
// and the line breaks and runs of spaces within a paragraph become single
// spaces. The result has one line per paragraph and "\n\n" between
// paragraphs, ready to be wrapped to any width.
func Reflow(s string) string {
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, line := range strings.Split(s, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			flush()
			continue
		}
		cur = append(cur, words...)
	}
	flush()
	return strings.Join(paras, "\n\n")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// probe is a TOML value that refuses to decode: the decoder's error then
// carries the line of the key it was asked for. The toml package keeps key
// positions private; this is how lineOf gets at them.
type probe struct{}

var errProbe = errors.New("loralab presets: line probe")

func (probe) UnmarshalTOML(any) error { return errProbe }

// lineOf returns the line where key (a path of names) is defined in data, or
// 0 if it cannot tell.
func lineOf(data []byte, key ...string) int {
	if len(key) == 0 || len(key) > 4 {
		return 0
	}
	t := reflect.TypeOf(probe{})
	for i := len(key) - 1; i >= 0; i-- {
		k := key[i]
		if k == "" || k == "-" || strings.Contains(k, ",") {
			return 0
		}
		t = reflect.StructOf([]reflect.StructField{{Name: "F", Type: t, Tag: reflect.StructTag("toml:" + strconv.Quote(k))}})
	}
	_, err := toml.Decode(string(data), reflect.New(t).Interface())
	var pe toml.ParseError
	if errors.As(err, &pe) && pe.Message == errProbe.Error() {
		return pe.Position.Line
	}
	return 0
}
