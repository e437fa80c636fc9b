// Package cli is LoRA Lab's headless face: the subcommands, their flags, and
// the tables, JSON, CSV and progress bars they print. main.go calls Main.
package cli

import (
	"fmt"
	"io"
	"os"
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
	case "-h", "--help", "help":
		usage(stdout)
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
	fmt.Fprintln(w, "LoRA Lab: learn and compare LoRA, LoRA-FA, VeRA, Delta-LoRA, LoRA+ and full fine-tuning by running them.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: loralab [command] [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'loralab COMMAND --help' for a command's flags.")
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
