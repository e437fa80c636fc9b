package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/results"
	"github.com/loralab/loralab/ui/tui"
	"github.com/muesli/termenv"
)

// tuiIntro is the first line of `loralab tui --help`.
const tuiIntro = `usage: loralab [tui] [--preset NAME | --preset-file FILE] [--theme dark|light|contrast] [--mouse] [--no-color]

Opens the interactive lab on a preset (race-five unless told otherwise): the
methods train live with their loss and memory side by side. Press ? in the lab
for every key; T changes the theme, f maximises a pane for a projector.
NO_COLOR=1 works like --no-color. Without --theme, COLORFGBG picks dark or light.`

// runTUI opens the interactive lab. It refuses (exit 2, with a hint about the
// headless commands) when it cannot draw: TERM=dumb, or stdout not a terminal.
func runTUI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loralab tui", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	presetName := fs.String("preset", presets.DefaultName, "open on the built-in or user preset `NAME` (see loralab presets)")
	presetFile := fs.String("preset-file", "", "open on the preset in `FILE`")
	noColor := fs.Bool("no-color", false, "draw without colour (as NO_COLOR=1 does)")
	resultsDir := fs.String("results-dir", results.DefaultDir(), "where e saves results, as `DIR`")
	workers := fs.Int("workers", 0, "runs trained at once (0 = one per core)")
	themeName := fs.String("theme", "", "colour `THEME`: dark, light or contrast (default: from COLORFGBG, else dark)")
	mouse := fs.Bool("mouse", false, "clicks focus panes and pick methods, the wheel scrolls (the terminal's own selection then needs shift)")
	var memory int64
	fs.Var(memoryFlag{&memory}, "memory", memoryHelp)
	err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, fs, tuiIntro)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "tui", err)
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "tui", fmt.Errorf("unexpected argument %q (the commands are: %s)", fs.Arg(0), strings.Join(commandNames(), ", ")))
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if given["preset"] && given["preset-file"] {
		return usageError(stderr, "tui", errors.New("--preset and --preset-file: choose one"))
	}
	p, err := loadTUIPreset(*presetName, *presetFile)
	if err != nil {
		return usageError(stderr, "tui", err)
	}
	opts, err := tui.PresetOptions(p) // the lab takes the preset itself
	if err != nil {
		return usageError(stderr, "tui", err)
	}
	if *workers < 0 || *workers > 64 {
		return usageError(stderr, "tui", fmt.Errorf("workers %d: must be between 0 (one per core) and 64", *workers))
	}
	opts.ResultsDir, opts.Workers, opts.Mouse, opts.Memory = *resultsDir, *workers, *mouse, memory
	opts.Theme = tui.DetectTheme(os.Getenv)
	if *themeName != "" {
		if opts.Theme, err = tui.ParseTheme(*themeName); err != nil {
			return usageError(stderr, "tui", err)
		}
	}
	if os.Getenv("TERM") == "dumb" {
		fmt.Fprintln(stderr, "loralab: TERM=dumb cannot show the interactive lab; use the headless commands instead: loralab run, race, sweep, memory (see loralab --help)")
		return exitUsage
	}
	if !isTerminal(stdout) {
		fmt.Fprintln(stderr, "loralab: standard output is not a terminal, so the interactive lab cannot be drawn.")
		fmt.Fprintln(stderr, "Use the headless commands, which print tables, --json or --csv:")
		fmt.Fprintln(stderr, "  loralab race --preset race-five     loralab run --method lora --json")
		fmt.Fprintln(stderr, "  loralab sweep --preset rank-matters loralab --help")
		return exitUsage
	}
	profile := lipgloss.ColorProfile()
	if *noColor {
		profile = termenv.Ascii
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	opts.Profile = profile
	m := tui.New(opts)
	out, _ := fileOf(stdout)
	// The lab handles the stop signals itself (bubbletea's handler knows
	// SIGINT and SIGTERM, not SIGHUP): each quits through the program's own
	// path, which restores the terminal.
	prog := tea.NewProgram(m, tea.WithAltScreen(), tea.WithOutput(out), tea.WithoutSignalHandler())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	defer signal.Stop(sigs)
	running, relayed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(relayed)
		select {
		case <-sigs:
			prog.Send(tui.StopMsg{})
		case <-running:
		}
	}()
	_, runErr := prog.Run()
	close(running)
	<-relayed
	if !shutdown(m, stderr, sigs) {
		return exitSignalled
	}
	// The runs in a paragraph, then "reproduce: loralab …".
	if s := m.Summary(); s != "" {
		fmt.Fprintln(stdout, s)
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrInterrupted) {
		fmt.Fprintf(stderr, "loralab: %s\n", oneLine(runErr.Error()))
		return exitFailed
	}
	return exitOK
}

// shutdown waits for the lab's runs to stop once the program has ended
// (the terminal is restored by then), saying so if some were training; a
// stop signal meanwhile (a second ctrl+c) gives up waiting, and shutdown
// reports false.
func shutdown(m *tui.Model, stderr io.Writer, sigs <-chan os.Signal) bool {
	if m.Lab().Active()+m.Lab().SweepActive() > 0 {
		fmt.Fprintln(stderr, "loralab: stopping the runs… (ctrl+c again to quit at once)")
	}
	down := make(chan struct{})
	go func() {
		m.Shutdown() // every run cancelled, every goroutine ended
		close(down)
	}()
	select {
	case <-down:
		return true
	case s := <-sigs:
		fmt.Fprintf(stderr, "loralab: %s again: quitting without waiting for the runs\n", signalName(s))
		return false
	}
}

// loadTUIPreset finds the preset to open: a file, or a name among the
// built-in and user presets.
func loadTUIPreset(name, file string) (presets.Preset, error) {
	if file != "" {
		return presets.Load(file)
	}
	all, _ := presets.All(presets.UserDir())
	return presets.Lookup(all, name)
}
