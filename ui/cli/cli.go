// Package cli is LoRA Lab's headless face: the subcommands, their flags, and
// the tables, JSON, CSV and progress bars they print. main.go calls Main.
package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// command is one subcommand: its name, a one-line summary for the overview,
// and the function that runs it with its arguments (after the name).
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists every subcommand in the order `loralab help` shows them.
func commands() []command {
	return []command{
		{"tui", "open the interactive lab (the default with no command)", runTUI},
		{"run", "train one method and print a summary, JSON or CSV", runRun},
		{"race", "train several methods on identical data and print the leaderboard", runRace},
		{"sweep", "vary one setting over values for one or more methods", runSweep},
		{"memory", "what a method costs on a real model (LLM-scale memory calculator)", runMemory},
		{"presets", "list the workshop presets, or print one to copy and edit", runPresets},
		{"explain", "explain a method (or compare them all) with the current settings", runExplain},
		{"export", "write a run as a PEFT config and train.py, or as PyTorch files", runExport},
	}
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // the command ran and failed (e.g. a run diverged)
	exitUsage   = 2 // bad flags or values
	exitTimeout = 3
)

// Main runs the loralab command line with args (without the program name)
// and returns the process's exit status. It never panics on user input.
// Every write to stdout is checked: output that did not arrive (a full
// disk, a closed file) is reported on stderr and the status is 1.
func Main(args []string, stdout, stderr io.Writer) int {
	out := &outWriter{w: stdout}
	name, code := dispatch(args, out, stderr)
	if out.err != nil {
		fmt.Fprintf(stderr, "%s: cannot write output: %v\n", name, unwrapPath(out.err))
		if code == exitOK {
			code = exitFailed
		}
	}
	return code
}

// dispatch runs the command args name, returning its name as messages
// start ("loralab run") and its exit status.
func dispatch(args []string, stdout, stderr io.Writer) (string, int) {
	if len(args) == 0 {
		return "loralab tui", runTUI(nil, stdout, stderr)
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		usage(stdout)
		return "loralab", exitOK
	case "help": // loralab help [COMMAND]: the command's own --help
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] {
					return "loralab " + c.name, c.run([]string{"--help"}, stdout, stderr)
				}
			}
			fmt.Fprintf(stderr, "loralab help: unknown command %q; the commands are: %s\n", args[1], strings.Join(commandNames(), ", "))
			return "loralab help", exitUsage
		}
		usage(stdout)
		return "loralab", exitOK
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, versionLine())
		return "loralab", exitOK
	}
	if strings.HasPrefix(name, "-") { // flags for the default command
		return "loralab tui", runTUI(args, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == name {
			return "loralab " + name, c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "loralab: unknown command %q; the commands are: %s (see loralab --help)\n", name, strings.Join(commandNames(), ", "))
	return "loralab", exitUsage
}

// outWriter is stdout as the commands see it: it keeps the first error a
// write returned (and refuses every later write with it), so that Main
// reports output that did not arrive whichever command wrote it.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
	}
	return n, err
}

// fileOf returns the file behind w (Main's stdout is wrapped), if any.
func fileOf(w io.Writer) (*os.File, bool) {
	if o, ok := w.(*outWriter); ok {
		w = o.w
	}
	f, ok := w.(*os.File)
	return f, ok
}

// unwrapPath drops the file name of a *fs.PathError ("write /dev/stdout:").
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

func usage(w io.Writer) {
	var titles []string
	for _, m := range catalog.Methods {
		titles = append(titles, m.Info().Title)
	}
	fmt.Fprintf(w, "LoRA Lab: learn and compare %s by running them.\n", strings.Join(titles, ", "))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: loralab [command] [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "help", "loralab help COMMAND: a command's flags (as COMMAND --help)")
	fmt.Fprintf(w, "  %-8s %s\n", "version", "the version of loralab (also --version)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'loralab COMMAND --help' (or 'loralab help COMMAND') for a command's flags.")
}

// versionLine is "loralab VERSION (COMMIT, GO)": the module's version as
// go install records it ("devel" for a local build), the commit it was
// built from (with "+dirty" for uncommitted changes) when the build has it.
func versionLine() string {
	v, rev, dirty := "devel", "", false
	bi, ok := debug.ReadBuildInfo()
	if ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	var parts []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		parts = append(parts, rev)
	}
	parts = append(parts, runtime.Version())
	return "loralab " + v + " (" + strings.Join(parts, ", ") + ")"
}

// isTerminal reports whether w is a terminal (for progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := fileOf(w)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
