package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	f.fs.StringVar(&f.out, "out", "", "also save the results as `FILE` (JSON) and FILE with .csv, never overwriting")
	f.fs.StringVar(&f.presetName, "preset", "", "start from the preset called `NAME` (loralab presets lists them); flags override it")
	f.fs.StringVar(&f.presetFile, "preset-file", "", "start from the preset in `FILE`; flags override it")
	return f
}

// errHelp is returned by parse when -h or --help was given (usage printed).
var errHelp = errors.New("help")

// parse parses args; on a usage error it returns a one-line message.
func (f *runFlags) parse(args []string, stdout io.Writer, intro string) error {
	err := f.fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, f.fs, intro)
		return errHelp
	}
	if err != nil {
		return fmt.Errorf("%s (see %s --help)", flagError(err), f.fs.Name())
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
		head := "  --" + fl.Name
		if name != "" && name != "value" {
			head += " " + name
		}
		def := ""
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" && fl.DefValue != "-1" {
			def = " (default " + fl.DefValue + ")"
		}
		fmt.Fprintf(w, "%-26s %s%s\n", head, help, def)
	})
}

// flagError rewords the flag package's errors with the double dashes the
// help shows: "invalid value "x" for flag --steps: ...".
func flagError(err error) string {
	msg := oneLine(err.Error())
	msg = strings.Replace(msg, "for flag -", "for flag --", 1)
	msg = strings.Replace(msg, "not defined: -", "not defined: --", 1)
	msg = strings.Replace(msg, "needs an argument: -", "needs an argument: --", 1)
	return msg
}

// checkOut refuses an --out path before any training: it must not exist
// (nor its .csv twin), and its folder must exist and be writable.
func checkOut(path string) error {
	if path == "" {
		return nil
	}
	jsonPath, csvPath := results.Paths(path)
	for _, p := range []string{jsonPath, csvPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("out %s: %s already exists; not overwriting it", path, p)
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
	os.Remove(probe.Name())
	return nil
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
