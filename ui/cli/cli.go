// Package cli is LoRA Lab's headless face: the subcommands, their flags, and
// the tables, JSON, CSV and progress bars they print. main.go calls Main.
package cli

import (
	"fmt"
	"io"
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
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runTUI(nil, stdout, stderr)
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		usage(stdout)
		return exitOK
	case "help": // loralab help [COMMAND]: the command's own --help
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] {
					return c.run([]string{"--help"}, stdout, stderr)
				}
			}
			fmt.Fprintf(stderr, "loralab help: unknown command %q; the commands are: %s\n", args[1], strings.Join(commandNames(), ", "))
			return exitUsage
		}
		usage(stdout)
		return exitOK
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	}
	if strings.HasPrefix(name, "-") { // flags for the default command
		return runTUI(args, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "loralab: unknown command %q; the commands are: %s (see loralab --help)\n", name, strings.Join(commandNames(), ", "))
	return exitUsage
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
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
