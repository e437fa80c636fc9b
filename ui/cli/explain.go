package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/explain"
)

const explainIntro = `usage: loralab explain [METHOD] [flags]

Explains a method with the current settings plugged in: a diagram of the
layer (what is frozen, what trains, what is shared), the forward formula, the
update rule, the trainable parameters and the memory kept for the backward
pass (from the same formulas the engine's memory ledger is tested against),
the paper, its claim and the caveats. Without METHOD: one table comparing
every method. The methods: ` + "%s" + `.
ASCII output is automatic when LC_ALL/LC_CTYPE/LANG lack UTF-8.`

// runExplain is `loralab explain`.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loralab explain", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := catalog.Defaults()
	for _, s := range catalog.Settings() {
		fs.Var(settingFlag{s, &cfg}, s.Name, s.Help)
	}
	ascii := fs.Bool("ascii", false, "ASCII only: no box drawing or Greek letters")
	columns := fs.Int("columns", 0, "wrap the text at `N` columns (default $COLUMNS, else 80)")
	intro := fmt.Sprintf(explainIntro, strings.Join(catalog.MethodNames(), ", "))

	// METHOD may come before or after the flags.
	var pos []string
	for rest := args; ; {
		err := parseFlags(fs, rest)
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs, intro)
			return exitOK
		}
		if err != nil {
			return usageError(stderr, "explain", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	// The task's own defaults (batch, steps), under what was given.
	withTask := catalog.DefaultsFor(cfg.Task)
	for _, s := range catalog.Settings() {
		if given[s.Name] {
			s.Set(&withTask, s.Get(cfg)) // parsed once already
		}
	}
	cfg = withTask
	if len(pos) > 1 {
		return usageError(stderr, "explain", fmt.Errorf("one method at a time, got %q and %q; without a method it compares them all", pos[0], pos[1]))
	}
	method := ""
	switch {
	case len(pos) == 1 && given["method"] && pos[0] != cfg.Method:
		return usageError(stderr, "explain", fmt.Errorf("method %q and --method %s disagree; give one", pos[0], cfg.Method))
	case len(pos) == 1:
		method = pos[0]
	case given["method"]:
		method = cfg.Method
	}
	opts := explain.Options{Width: *columns, ASCII: *ascii || explain.IsASCIILocale(os.Getenv)}
	if *columns < 0 {
		return usageError(stderr, "explain", fmt.Errorf("--columns %d: must be at least 0 (0 = $COLUMNS, else 80)", *columns))
	}
	if opts.Width == 0 {
		if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
			opts.Width = c
		}
	}
	task, err := catalog.Task(cfg.Task)
	if err != nil {
		return usageError(stderr, "explain", err)
	}
	if method == "" {
		// Settings every method shares must be valid; method-specific limits
		// (e.g. a rank only VeRA allows) are noted under the table.
		if _, err := lab.PrepareTask(task, cfg); err != nil {
			return usageError(stderr, "explain", err)
		}
		fmt.Fprint(stdout, explain.Compare(catalog.Methods, task, cfg, opts))
		return exitOK
	}
	m, err := catalog.Method(method)
	if err != nil {
		return usageError(stderr, "explain", err)
	}
	cfg.Method = method
	if _, err := lab.Prepare(lab.Job{Method: m, Task: task, Config: cfg}); err != nil {
		return usageError(stderr, "explain", err)
	}
	fmt.Fprint(stdout, explain.Method(m, task, cfg, opts))
	return exitOK
}
