package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/results"
	"github.com/loralab/loralab/ui/share"
	"github.com/loralab/loralab/ui/text"
)

const raceIntro = `usage: loralab race [--methods lora,lora-fa,...] [flags]

Train several methods on identical data (same base weights, batches and eval
set) and print the leaderboard, ranked by final eval loss. Each method uses its
own default learning rate unless --lr is given, or its best rate from a short
search with --tune-lr (tuned against tuned); --seeds N runs every method at N
seeds and ranks by the mean, marking differences within the seed noise. Runs
share the cores through a pool of --workers (default: one per core), taking
turns so that all progress together; results do not depend on it.`

// runRace is `loralab race`.
func runRace(args []string, stdout, stderr io.Writer) int {
	f := newRunFlags("race", "method")
	methods := f.fs.String("methods", strings.Join(catalog.MethodNames(), ","), "comma-separated `methods` to race")
	workers := f.fs.Int("workers", 0, "runs trained at once (0 = one per core)")
	var memory int64
	f.fs.Var(memoryFlag{&memory}, "memory", memoryHelp)
	target := f.fs.Float64("target", 0, "eval `loss` the leaderboard counts steps to (default: the task's: "+taskTargets()+")")
	cmp := addComparisonFlags(f, true)
	if err := f.parse(args, stdout, raceIntro); err == errHelp {
		return exitOK
	} else if err != nil {
		return usageError(stderr, "race", err)
	}
	if err := cmp.check(f); err != nil {
		return usageError(stderr, "race", err)
	}
	if f.preset != nil && !f.given["methods"] {
		*methods = strings.Join(f.preset.Methods, ",")
	}
	ms, err := parseMethods(*methods)
	if err != nil {
		return usageError(stderr, "race", err)
	}
	if *workers < 0 || *workers > 64 {
		return usageError(stderr, "race", fmt.Errorf("workers %d: must be between 0 (one per core) and 64", *workers))
	}
	if f.given["target"] && (!(*target > 0) || math.IsInf(*target, 0)) {
		return usageError(stderr, "race", fmt.Errorf("target %v: must be a finite loss above 0", *target))
	}
	jobs := make([]lab.Job, len(ms))
	for i, m := range ms {
		cfg, err := f.configFor(m.Info().Name)
		if err == nil {
			jobs[i], err = jobFor(m, cfg)
		}
		if err != nil {
			return usageError(stderr, "race", err)
		}
	}
	shared := jobs[0].Config
	if !f.given["target"] {
		*target = jobs[0].Task.Info().TargetLoss()
	}
	ctx, stop := interruptible(stderr, "race")
	defer stop()
	for i := range jobs { // validated before the search, so its errors name the method
		job, err := lab.Prepare(jobs[i])
		if err != nil {
			return usageError(stderr, "race", fmt.Errorf("%s: %w", jobs[i].Method.Info().Name, err))
		}
		jobs[i] = job
	}
	tunings, err := cmp.tuneJobs(ctx, stderr, f, jobs, *workers)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "loralab race: interrupted during the learning-rate search")
			return exitFailed
		}
		return usageError(stderr, "race", err)
	}
	res, code := executeJobs(ctx, stderr, "race", f, cmp.expand(jobs), *workers, memory)
	if res == nil {
		return code
	}
	board := lab.Leaderboard(res, *target)
	b := results.Bundle{Kind: results.Race, Runs: res, Leaderboard: board, Tuning: tunings}
	if cmp.seeds > 1 {
		b.SeedBoard = lab.SeedLeaderboard(cmp.groups(res), *target)
	}
	exp := share.Experiment{Kind: "race", Methods: methodNames(ms), Config: shared, Preset: f.presetArgs(), Given: f.givenSettings()}
	if f.given["target"] {
		exp.Extra = []string{"--target", strconv.FormatFloat(*target, 'g', -1, 64)}
	}
	exp.Extra = append(exp.Extra, cmp.extra(f)...)
	line := share.Command(catalog, exp)
	if code := emit(stdout, stderr, "race", f, b, func(w io.Writer) {
		printTuning(w, tunings)
		if b.SeedBoard != nil {
			printSeedBoard(w, b.SeedBoard, *target)
		} else {
			printLeaderboard(w, board, *target)
		}
		printSamples(w, res)
		fmt.Fprintf(w, "reproduce: %s\n", line)
	}); code != exitOK {
		return code
	}
	return cancelledCode(stderr, "race", res)
}

// executeJobs validates and runs jobs in a pool of workers cores within
// memory bytes (0: the default budget), saying so when memory keeps runs
// waiting, with one progress line on a terminal.
// It returns nil and the exit status on a usage error.
func executeJobs(ctx context.Context, stderr io.Writer, cmd string, f *runFlags, jobs []lab.Job, workers int, memory int64) ([]*lab.Result, int) {
	for i := range jobs {
		job, err := lab.Prepare(jobs[i])
		if err != nil {
			return nil, usageError(stderr, cmd, fmt.Errorf("%s: %w", jobs[i].Method.Info().Name, err))
		}
		jobs[i] = job
	}
	bar := &progressBar{w: stderr}
	showBar := !f.quiet && isTerminal(stderr)
	steps := make([]int, len(jobs))
	total := 0
	for _, j := range jobs {
		total += j.Config.Steps
	}
	pool := lab.NewPool(workers)
	pool.SetBudget(memory)
	adm, err := pool.Admit(jobs)
	if err != nil {
		return nil, usageError(stderr, cmd, err)
	}
	if note := adm.Note(); note != "" {
		fmt.Fprintf(stderr, "loralab %s: note: %s\n", cmd, note)
	}
	if note := longRunNote(jobs, pool.Size()); note != "" {
		fmt.Fprintf(stderr, "loralab %s: note: %s\n", cmd, note)
	}
	trainingStarted()
	started := time.Now()
	res, err := lab.ExecuteIn(ctx, pool, jobs, func(i int, p lab.Progress) {
		steps[i] = p.Step
		if showBar {
			sum := 0
			for _, s := range steps {
				sum += s
			}
			rate := float64(sum) / time.Since(started).Seconds() // of all the runs together: the ETA's
			bar.update(fmt.Sprintf("%d runs", len(jobs)), lab.Progress{Step: sum, Steps: total, StepsPerSec: rate})
		}
	})
	bar.clear()
	if err != nil {
		return nil, usageError(stderr, cmd, err)
	}
	return res, exitOK
}

// cancelledCode is 1 if the user interrupted; diverged runs are part of a
// race's or sweep's result and do not fail the command.
func cancelledCode(stderr io.Writer, cmd string, res []*lab.Result) int {
	for _, r := range res {
		if r.Status == lab.Cancelled {
			fmt.Fprintf(stderr, "loralab %s: interrupted\n", cmd)
			return exitFailed
		}
	}
	return exitOK
}

// parseMethods reads a comma-separated list of method names.
func parseMethods(list string) ([]lab.Method, error) {
	var ms []lab.Method
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if seen[name] {
			return nil, fmt.Errorf("method %q listed twice", name)
		}
		seen[name] = true
		m, err := catalog.Method(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return nil, errors.New("methods: none given; the methods are: " + strings.Join(catalog.MethodNames(), ", "))
	}
	return ms, nil
}

// printLeaderboard writes the race table.
func printLeaderboard(w io.Writer, board []lab.Standing, target float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	forgets := slices.ContainsFunc(board, func(s lab.Standing) bool { return s.ForgetLoss != 0 })
	forgetHead := ""
	if forgets {
		forgetHead = "\tforgetting"
	}
	fmt.Fprintf(tw, "#\tmethod\ttrainable\tmemory\tsteps/s\teval loss%s\tbest eval\tsteps to %s\tstatus\t\n", forgetHead, text.Loss(target))
	for _, s := range board {
		m, _ := catalog.Method(s.Method)
		title := s.Method
		if m != nil {
			title = m.Info().Title
		}
		place, status := fmt.Sprint(s.Place), string(s.Status)
		if s.Winner {
			status = "winner"
		}
		reach := "—"
		if s.StepsToTarget >= 0 {
			reach = text.Count(int64(s.StepsToTarget))
		}
		trainable, memory, speed, eval, best := text.Count(int64(s.Trainable)), text.Bytes(s.MemoryTotal),
			fmt.Sprintf("%.0f", s.StepsPerSec), text.Loss(s.EvalLoss), text.Loss(s.BestEvalLoss)
		if s.MemoryTotal == 0 { // cancelled before it started
			trainable, memory, speed, eval, best = "—", "—", "—", "—", "—"
		}
		if forgets {
			forget := "—"
			if s.ForgetLoss != 0 && s.MemoryTotal != 0 {
				forget = text.Loss(s.ForgetLoss)
			}
			eval += "\t" + forget
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", place, title, trainable, memory, speed, eval, best, reach, status)
	}
	tw.Flush()
}

// printSamples writes each run's last text sample, if the task takes them.
func printSamples(w io.Writer, res []*lab.Result) {
	for _, r := range res {
		if n := len(r.Samples); n > 0 {
			s := r.Samples[n-1]
			fmt.Fprintf(w, "sample  %-10s step %s: %q\n", r.Method, text.Count(int64(s.Step)), s.Prompt+s.Text)
		}
	}
}

func methodNames(ms []lab.Method) []string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Info().Name
	}
	return names
}
