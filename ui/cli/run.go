package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/results"
	"github.com/loralab/loralab/ui/share"
	"github.com/loralab/loralab/ui/text"
)

var runIntro = `usage: loralab run [flags]

Train one method on a task and print a summary table (or --json, --csv).
` + strings.Join(text.Wrap("Default learning rates: "+defaultRates()+". Default rank: 8; "+defaultRanks()+" (PEFT's defaults).", 80), "\n") + `
Tasks (--task):
` + taskList() + `
Exit status: 0 done, 1 diverged or interrupted, 2 bad flags.`

// runRun is `loralab run`.
func runRun(args []string, stdout, stderr io.Writer) int {
	f := newRunFlags("run")
	if err := f.parse(args, stdout, runIntro); err == errHelp {
		return exitOK
	} else if err != nil {
		return usageError(stderr, "run", err)
	}
	method := f.cfg.Method
	if f.preset != nil && !f.given["method"] && len(f.preset.Methods) > 0 {
		method = f.preset.Methods[0]
	}
	m, err := catalog.Method(method)
	if err != nil {
		return usageError(stderr, "run", err)
	}
	cfg, err := f.configFor(method)
	if err != nil {
		return usageError(stderr, "run", err)
	}
	shared := cfg
	job, err := jobFor(m, cfg)
	if err == nil {
		job, err = lab.Prepare(job)
	}
	if err != nil {
		return usageError(stderr, "run", err)
	}
	ctx, stop := interruptible(stderr, "run")
	defer stop()
	if note := longRunNote([]lab.Job{job}, 1); note != "" {
		fmt.Fprintf(stderr, "loralab run: note: %s\n", note)
	}
	bar := &progressBar{w: stderr, single: true}
	showBar := !f.quiet && isTerminal(stderr)
	trainingStarted()
	res, err := lab.Execute(ctx, job, func(p lab.Progress) {
		if showBar {
			bar.update(m.Info().Name, p)
		}
	})
	bar.clear()
	if err != nil {
		return usageError(stderr, "run", err)
	}
	bundle := results.Bundle{Kind: results.Single, Runs: []*lab.Result{res}}
	line := share.Command(catalog, share.Experiment{Kind: "run", Methods: []string{m.Info().Name}, Config: shared, Preset: f.presetArgs(), Given: f.givenSettings()})
	if code := emit(stdout, stderr, "run", f, bundle, func(w io.Writer) { printRun(w, m.Info(), res); fmt.Fprintf(w, "reproduce: %s\n", line) }); code != exitOK {
		return code
	}
	return statusCode(stderr, "run", res)
}

// emit saves the bundle with --out, then prints it as JSON, CSV or the
// table. Saving comes first: results survive a stdout that is closed or
// full (Main reports the failed writes). A failed save still prints.
func emit(stdout, stderr io.Writer, cmd string, f *runFlags, b results.Bundle, table func(io.Writer)) int {
	code := exitOK
	if f.out != "" {
		j, c, err := results.SaveAs(f.out, b)
		if err != nil {
			fmt.Fprintf(stderr, "loralab %s: cannot save results: %s\n", cmd, oneLine(err.Error()))
			code = exitFailed
		} else {
			fmt.Fprintf(stderr, "saved %s and %s\n", j, c)
		}
	}
	switch {
	case f.json:
		data, err := b.JSON()
		if err != nil {
			fmt.Fprintf(stderr, "loralab %s: %v\n", cmd, err)
			return exitFailed
		}
		stdout.Write(data)
	case f.csv:
		stdout.Write(b.CSV())
	default:
		table(stdout)
	}
	return code
}

// statusCode reports a diverged or cancelled run on stderr and returns 1.
func statusCode(stderr io.Writer, cmd string, rs ...*lab.Result) int {
	code := exitOK
	for _, r := range rs {
		switch r.Status {
		case lab.Diverged:
			fmt.Fprintf(stderr, "loralab %s: %s diverged: %s\n", cmd, r.Method, r.Reason)
			code = exitFailed
		case lab.Cancelled:
			fmt.Fprintf(stderr, "loralab %s: %s interrupted at step %d\n", cmd, r.Method, r.Final.Step)
			code = exitFailed
		}
	}
	return code
}

// printRun writes the summary table of one run.
func printRun(w io.Writer, info lab.MethodInfo, r *lab.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "method\t%s (%s)\n", info.Title, info.Name)
	fmt.Fprintf(tw, "status\t%s", r.Status)
	if r.Status == lab.Diverged {
		fmt.Fprintf(tw, " at step %d: %s", r.DivergedAt, r.Reason)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "model\t%s; batch %d, %s steps, seed %d\n", modelText(r.Config), r.Config.Batch, text.Count(int64(r.Config.Steps)), r.Config.Seed)
	fmt.Fprintf(tw, "params\t%s trainable of %s (%s); %s frozen\n", text.Count(int64(r.Params.Trainable)), text.Count(int64(r.Params.Total)), text.Percent(int64(r.Params.Trainable), int64(r.Params.Total)), text.Count(int64(r.Params.Frozen)))
	fmt.Fprintf(tw, "memory\t%s measured by the ledger\n", text.Bytes(r.Memory.Total))
	for _, row := range memoryRows(r.Memory) {
		fmt.Fprintf(tw, "  %s\t%s\n", row.name, text.Bytes(row.bytes))
	}
	if info.MemoryNote != "" {
		fmt.Fprintf(tw, "  note\t%s\n", info.Title+": "+info.MemoryNote)
	}
	if len(r.History) == 0 {
		fmt.Fprintf(tw, "loss\t— (stopped before its first step)\n")
	} else {
		bits := bitsOf(r.Config)
		fmt.Fprintf(tw, "loss\tstep 0: train %s, eval %s%s\n", text.Loss(first(r).Train), text.Loss(first(r).Eval), bits(first(r).Eval))
		fmt.Fprintf(tw, "\tstep %s: train %s, eval %s%s\n", text.Count(int64(r.Final.Step)), text.Loss(r.Final.Train), text.Loss(r.Final.Eval), bits(r.Final.Eval))
		if r.Final.Forget != 0 {
			fmt.Fprintf(tw, "forgetting\tthe pretraining text's held-out loss: %s%s at step 0, %s%s at step %s\n",
				text.Loss(first(r).Forget), bits(first(r).Forget), text.Loss(r.Final.Forget), bits(r.Final.Forget), text.Count(int64(r.Final.Step)))
		}
		fmt.Fprintf(tw, "ΔW rank\t%v per layer (directions W moved in; σ > %g·σ_max)\n", r.DeltaRank, lab.RankTolerance)
		var e90, e99 []int
		for _, s := range r.Spectrum {
			e90, e99 = append(e90, s.Energy90), append(e99, s.Energy99)
		}
		fmt.Fprintf(tw, "\t%v hold 90 %% of ‖ΔW‖², %v hold 99 %% (energy ranks)\n", e90, e99)
		var share []string
		for _, s := range r.Spectrum {
			if s.TargetInRowSpace != nil {
				share = append(share, text.Percent(int64(1e6**s.TargetInRowSpace), 1e6))
			}
		}
		if len(share) > 0 {
			fmt.Fprintf(tw, "\t%s of the task's target shift lies in A's row space, per layer\n", strings.Join(share, ", "))
		}
	}
	if n := len(r.Samples); n > 0 {
		s := r.Samples[n-1]
		fmt.Fprintf(tw, "sample\tstep %s: %q\n", text.Count(int64(s.Step)), s.Prompt+s.Text)
	}
	for _, note := range r.Notes {
		fmt.Fprintf(tw, "note\t%s\n", note)
	}
	fmt.Fprintf(tw, "speed\t%.0f steps/s over %.2f s; the adapters' initialisation took %s\n", r.Speed.StepsPerSecond, r.Speed.Seconds, text.Short(r.Speed.InitSeconds))
	tw.Flush()
}

// modelText names the task's network in a few words.
func modelText(cfg lab.Config) string {
	t, err := catalog.Task(cfg.Task)
	if err != nil {
		return cfg.Task
	}
	if m := t.Info().Explain.Model; m != nil {
		return m(cfg)
	}
	return t.Info().Title
}

// bitsOf returns a function writing " (2.31 bits/char)" for a loss when
// the task's loss is a cross-entropy (TaskInfo.BitsPer), else "".
func bitsOf(cfg lab.Config) func(float64) string {
	t, err := catalog.Task(cfg.Task)
	if err != nil || t.Info().BitsPer == "" {
		return func(float64) string { return "" }
	}
	per := t.Info().BitsPer
	return func(x float64) string { return " (" + text.Bits(x, per) + ")" }
}

func first(r *lab.Result) lab.Point {
	if len(r.History) == 0 {
		return lab.Point{}
	}
	return r.History[0]
}

type memoryRow struct {
	name  string
	bytes int64
}

// memoryRows lists the ledger's categories in display order.
func memoryRows(m lab.Memory) []memoryRow {
	return []memoryRow{
		{"frozen weights", m.Frozen}, {"trainable", m.Trainable}, {"gradients", m.Gradients},
		{"optimizer state", m.Optimizer}, {"activations", m.Activations}, {"other", m.Other},
		{"workspace", m.Workspace},
	}
}
