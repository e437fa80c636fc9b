package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/results"
	"github.com/loralab/loralab/ui/share"
	"github.com/loralab/loralab/ui/text"
)

var sweepIntro = `usage: loralab sweep --vary SETTING=VALUES [--methods lora,...] [flags]

Vary one setting over a list (rank=1,2,4,8) or a range (lr=1e-4..1e-1:log:7,
task-rank=1..16:lin:4) for one or more methods, and print the final losses,
trainable parameters and memory against the value.
Sweepable settings: ` + strings.Join(catalog.Sweepable(), ", ") + `.`

// runSweep is `loralab sweep`.
func runSweep(args []string, stdout, stderr io.Writer) int {
	f := newRunFlags("sweep", "method")
	methods := f.fs.String("methods", catalog.MethodNames()[0], "comma-separated `methods` to sweep")
	vary := new(string)
	f.fs.Func("vary", "the varied setting and its values, `SETTING=VALUES`", func(v string) error {
		if *vary != "" {
			return errors.New("one --vary per sweep: a sweep varies one setting")
		}
		*vary = v
		return nil
	})
	workers := f.fs.Int("workers", 0, "runs trained at once (0 = one per core)")
	var memory int64
	f.fs.Var(memoryFlag{&memory}, "memory", memoryHelp)
	cmp := addComparisonFlags(f, false)
	if err := f.parse(args, stdout, sweepIntro); err == errHelp {
		return exitOK
	} else if err != nil {
		return usageError(stderr, "sweep", err)
	}
	if err := cmp.check(f); err != nil {
		return usageError(stderr, "sweep", err)
	}
	if f.preset != nil {
		if !f.given["methods"] {
			*methods = strings.Join(f.preset.Methods, ",")
		}
		if !f.given["vary"] && f.preset.Sweep != nil {
			*vary = f.preset.Sweep.Setting + "=" + strings.Join(f.preset.Sweep.Values, ",")
		}
	}
	ms, err := parseMethods(*methods)
	if err != nil {
		return usageError(stderr, "sweep", err)
	}
	setting, text, ok := strings.Cut(*vary, "=")
	if !ok || setting == "" {
		return usageError(stderr, "sweep", fmt.Errorf("--vary %q: want SETTING=VALUES, e.g. rank=1,2,4,8; sweepable: %s", *vary, strings.Join(catalog.Sweepable(), ", ")))
	}
	if *workers < 0 || *workers > 64 {
		return usageError(stderr, "sweep", fmt.Errorf("workers %d: must be between 0 (one per core) and 64", *workers))
	}
	set, err := catalog.Setting(setting)
	if err != nil || !set.Sweepable {
		return usageError(stderr, "sweep", fmt.Errorf("--vary %s: not a setting a sweep can vary; the sweepable settings are: %s", setting, strings.Join(catalog.Sweepable(), ", ")))
	}
	values, err := lab.ParseValues(set, text)
	if err != nil {
		return usageError(stderr, "sweep", err)
	}
	if f.given[setting] {
		return usageError(stderr, "sweep", fmt.Errorf("--%s %s and --vary %s: the sweep sets %s; choose one", setting, set.Get(f.cfg), setting, setting))
	}
	var jobs []lab.Job
	var shared lab.Config
	for i, m := range ms {
		cfg, err := f.configFor(m.Info().Name)
		if err != nil {
			return usageError(stderr, "sweep", err)
		}
		if i == 0 {
			shared = cfg
		}
		job, err := jobFor(m, cfg)
		if err != nil {
			return usageError(stderr, "sweep", err)
		}
		js, err := lab.Sweep{Setting: set, Values: values, Methods: []lab.Method{m}, Task: job.Task, Base: cfg}.Jobs()
		if err != nil {
			return usageError(stderr, "sweep", err)
		}
		jobs = append(jobs, js...)
	}
	for _, m := range ms { // notes once every input is known to be good
		if t, err := catalog.Task(f.cfg.Task); err == nil && !lab.Applies(setting, m, t) {
			fmt.Fprintf(stderr, "loralab sweep: note: %s does not use %s, so its runs are the same at every value (a baseline)\n", m.Info().Name, setting)
		}
	}
	ctx, stop := interruptible(stderr, "sweep")
	defer stop()
	res, code := executeJobs(ctx, stderr, "sweep", f, cmp.expand(jobs), *workers, memory)
	if res == nil {
		return code
	}
	b := results.Bundle{Kind: results.Sweep, Runs: res, Setting: setting, Values: values, Table: results.SweepTable(set, values, res, cmp.seeds)}
	line := share.Command(catalog, share.Experiment{Kind: "sweep", Methods: methodNames(ms), Config: shared, Setting: setting, Values: values, Preset: f.presetArgs(), Given: f.givenSettings(), Extra: cmp.extra(f)})
	if code := emit(stdout, stderr, "sweep", f, b, func(w io.Writer) {
		printSweep(w, b)
		fmt.Fprintf(w, "reproduce: %s\n", line)
	}); code != exitOK {
		return code
	}
	return cancelledCode(stderr, "sweep", res)
}

// printSweep writes the sweep's table: one row per (method, value).
func printSweep(w io.Writer, b results.Bundle) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	seeds := len(b.Table) > 0 && b.Table[0].Seeds > 1
	spread := ""
	if seeds {
		spread = "min … max\t"
	}
	fmt.Fprintf(tw, "method\t%s\tfinal train\tfinal eval\t%strainable\tmemory\tstatus\t\n", b.Setting, spread)
	for _, r := range b.Table {
		spread := ""
		if seeds {
			spread = ptrLoss(r.EvalMin) + " … " + ptrLoss(r.EvalMax) + "\t"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s%s\t%s\t%s\t\n", r.Method, r.Value, ptrLoss(r.FinalTrain), ptrLoss(r.FinalEval), spread,
			text.Count(int64(r.Trainable)), text.Bytes(r.MemoryTotal), r.Status)
	}
	tw.Flush()
	if seeds {
		fmt.Fprintf(w, "Losses are means over %d seeds; where two rows' ranges overlap, their difference is within the seed noise.\n", b.Table[0].Seeds)
	}
}

func ptrLoss(x *float64) string {
	if x == nil {
		return "NaN"
	}
	return text.Loss(*x)
}
