package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/results"
)

// settingFlag is a flag.Value that parses one lab.Setting into a Config, so
// every setting has one name and one parser across flags, presets and the TUI.
type settingFlag struct {
	setting lab.Setting
	cfg     *lab.Config
}

func (f settingFlag) String() string {
	if f.cfg == nil {
		return ""
	}
	return f.setting.Get(*f.cfg)
}

func (f settingFlag) Set(v string) error { return f.setting.Set(f.cfg, v) }

func (f settingFlag) IsBoolFlag() bool { return f.setting.Kind == lab.BoolSetting }

// runFlags are the flags shared by run, race and sweep: every lab.Setting plus
// the output options.
type runFlags struct {
	fs         *flag.FlagSet
	cfg        lab.Config
	json, csv  bool
	quiet      bool
	out        string
	presetName string
	presetFile string
	preset     *presets.Preset // loaded from --preset or --preset-file, if given
	given      map[string]bool // flags given on the command line
}

// newRunFlags declares the flags of command cmd. Settings in skip are left out
// (race takes --methods instead of --method).
func newRunFlags(cmd string, skip ...string) *runFlags {
	f := &runFlags{fs: flag.NewFlagSet("loralab "+cmd, flag.ContinueOnError), cfg: catalog.Defaults()}
	f.fs.SetOutput(io.Discard)
	for _, s := range catalog.Settings() {
		if slices.Contains(skip, s.Name) {
			continue
		}
		f.fs.Var(settingFlag{s, &f.cfg}, s.Name, s.Help)
	}
	f.fs.BoolVar(&f.json, "json", false, "print one JSON object instead of the table")
	f.fs.BoolVar(&f.csv, "csv", false, "print the loss history as CSV instead of the table")
	f.fs.BoolVar(&f.quiet, "quiet", false, "no progress bar on stderr")
	f.fs.StringVar(&f.out, "out", "", "also save the results as `FILE` (JSON) and FILE with .csv (FILE.json and FILE.csv when FILE has no extension), never overwriting")
	f.fs.StringVar(&f.presetName, "preset", "", "start from the preset called `NAME` (loralab presets lists them); flags override it")
	f.fs.StringVar(&f.presetFile, "preset-file", "", "start from the preset in `FILE`; flags override it")
	return f
}

// errHelp is returned by parse when -h or --help was given (usage printed).
var errHelp = errors.New("help")

// parse parses args; on a usage error it returns a one-line message.
func (f *runFlags) parse(args []string, stdout io.Writer, intro string) error {
	err := parseFlags(f.fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, f.fs, intro)
		return errHelp
	}
	if err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", f.fs.Arg(0))
	}
	if f.json && f.csv {
		return errors.New("--json and --csv: choose one")
	}
	f.given = map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	if err := checkOut(f.out); err != nil {
		return err
	}
	return f.loadPreset()
}

// loadPreset reads --preset (built-in or user presets) or --preset-file.
func (f *runFlags) loadPreset() error {
	switch {
	case f.presetName != "" && f.presetFile != "":
		return errors.New("--preset and --preset-file: choose one")
	case f.presetFile != "":
		p, err := presets.Load(f.presetFile)
		if err != nil {
			return err
		}
		f.preset = &p
	case f.presetName != "":
		all, _ := presets.All(presets.UserDir()) // a broken user file must not hide the built-ins
		p, err := presets.Lookup(all, f.presetName)
		if err != nil {
			return err
		}
		f.preset = &p
	}
	return nil
}

// configFor returns the settings of one method: the preset's (with its
// per-method overrides) or the defaults of the task (catalog.DefaultsFor),
// then every setting given on the command line on top.
func (f *runFlags) configFor(method string) (lab.Config, error) {
	cfg := catalog.DefaultsFor(f.cfg.Task)
	if f.preset != nil {
		var err error
		if cfg, err = f.preset.ConfigFor(method); err != nil {
			return cfg, err
		}
	}
	cfg.Method = method
	for _, kv := range f.givenSettings() {
		s, _ := catalog.Setting(kv[0])
		if err := s.Set(&cfg, kv[1]); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// givenSettings lists the settings given on the command line, as name and value.
func (f *runFlags) givenSettings() [][2]string {
	var out [][2]string
	for _, s := range catalog.Settings() {
		if f.given[s.Name] && s.Name != "method" {
			out = append(out, [2]string{s.Name, s.Get(f.cfg)})
		}
	}
	return out
}

// presetArgs are the flags that name the preset in a reproducing command line.
func (f *runFlags) presetArgs() []string {
	switch {
	case f.presetFile != "":
		return []string{"--preset-file", f.presetFile}
	case f.presetName != "":
		return []string{"--preset", f.presetName}
	}
	return nil
}

// printUsage writes intro and every flag with its help and default.
func printUsage(w io.Writer, fs *flag.FlagSet, intro string) {
	fmt.Fprintln(w, intro)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "flags:")
	fs.VisitAll(func(fl *flag.Flag) {
		name, help := flag.UnquoteUsage(fl)
		name = placeholder(fl, name)
		head := "  --" + fl.Name
		if name != "" {
			head += " " + name
		}
		def := ""
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" && fl.DefValue != "-1" {
			def = " (default " + fl.DefValue + ")"
		}
		fmt.Fprintf(w, "%-26s %s%s\n", head, help, def)
	})
}

// placeholder is the value a flag's help line shows after its name: the
// flag's own (`FILE` in its usage), else one by kind — N for a whole
// number, X for a number, the choices or NAME for a text — and none for a
// switch.
func placeholder(fl *flag.Flag, name string) string {
	if sf, ok := fl.Value.(settingFlag); ok {
		switch sf.setting.Kind {
		case lab.IntSetting:
			return "N"
		case lab.FloatSetting:
			return "X"
		case lab.BoolSetting:
			return ""
		}
		if sf.setting.Name == "schedule" {
			return strings.Join(lab.Schedules, "|")
		}
		return "NAME"
	}
	switch name {
	case "int", "uint":
		return "N"
	case "float":
		return "X"
	case "string", "value":
		return "TEXT"
	case "duration":
		return "DURATION"
	}
	return name
}

// flagError rewords the flag package's errors for fs: double dashes, as
// the help shows them; a value a setting refused is its own message
// ("alpha 1e200: must be …", which names the setting); a value the flag
// package could not parse says what was wanted ("--workers "x": not a whole
// number") instead of "parse error".
func flagError(fs *flag.FlagSet, err error) string {
	msg := oneLine(err.Error())
	if m := invalidValueRE.FindStringSubmatch(msg); m != nil {
		value, name, reason := m[1], m[2], m[3]
		if strings.HasPrefix(reason, name+" ") {
			return reason
		}
		if reason == "parse error" || reason == "value out of range" {
			return fmt.Sprintf("--%s %s: %s", name, value, wanted(fs.Lookup(name)))
		}
		return fmt.Sprintf("--%s %s: %s", name, value, reason)
	}
	if m := invalidBoolRE.FindStringSubmatch(msg); m != nil {
		if strings.HasPrefix(m[3], m[2]+" ") { // a setting's own message
			return m[3]
		}
		return fmt.Sprintf("--%s %s: not true or false", m[2], m[1])
	}
	msg = strings.Replace(msg, "not defined: -", "not defined: --", 1)
	msg = strings.Replace(msg, "needs an argument: -", "needs an argument: --", 1)
	return msg
}

// invalidValueRE matches the flag package's `invalid value "V" for flag -NAME: REASON`.
var invalidValueRE = regexp.MustCompile(`^invalid value ("(?:[^"\\]|\\.)*") for flag -([^:]+): (.*)$`)

// invalidBoolRE matches the flag package's `invalid boolean value "V" for -NAME: REASON`.
var invalidBoolRE = regexp.MustCompile(`^invalid boolean value ("(?:[^"\\]|\\.)*") for -([^:]+): (.*)$`)

// wanted says what a flag of the flag package's own types takes.
func wanted(fl *flag.Flag) string {
	if fl == nil {
		return "not valid"
	}
	g, ok := fl.Value.(flag.Getter)
	if !ok {
		return "not valid"
	}
	switch g.Get().(type) {
	case int, int64:
		return "not a whole number"
	case uint, uint64:
		return "not a whole number of at least 0"
	case float64:
		return "not a number"
	case bool:
		return "not true or false"
	}
	return "not valid"
}

// parseFlags parses args with fs and returns the error as one line
// (flagError's), with a pointer to cmd's help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%s (see %s --help)", flagError(fs, err), fs.Name())
}

// checkOut refuses an --out path before any training, so that what fails
// after training is only what cannot be known before (a disk filling up):
// neither it nor its .csv twin may exist, even as a dangling symbolic link;
// their names must fit the file system (results.MaxNameBytes); the folder
// must exist, take new files and give them a second name (the saves link a
// finished temporary file to its name).
func checkOut(path string) error {
	if path == "" {
		return nil
	}
	jsonPath, csvPath := results.Paths(path)
	for _, p := range []string{path, jsonPath, csvPath} { // path itself too: a folder, or a file named without extension
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("out %s: %s already exists; not overwriting it", path, p)
		}
		if n := len(filepath.Base(p)); n > results.MaxNameBytes {
			return fmt.Errorf("out %s: the file name %s is %d bytes long; at most %d", path, filepath.Base(p), n, results.MaxNameBytes)
		}
	}
	dir := filepath.Dir(jsonPath)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("out %s: folder %s does not exist", path, dir)
	}
	probe, err := os.CreateTemp(dir, ".loralab-probe-*")
	if err != nil {
		return fmt.Errorf("out %s: cannot write in %s", path, dir)
	}
	probe.Close()
	defer os.Remove(probe.Name())
	second := probe.Name() + "-link"
	if err := os.Link(probe.Name(), second); err != nil {
		return fmt.Errorf("out %s: the file system of %s cannot link files, which saving needs (%v)", path, dir, unwrapLinkErr(err))
	}
	os.Remove(second)
	return nil
}

// unwrapLinkErr drops the file names of a *os.LinkError.
func unwrapLinkErr(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// usageError prints "loralab CMD: msg" on one line and returns the usage status.
func usageError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "loralab %s: %s\n", cmd, oneLine(err.Error()))
	return exitUsage
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
