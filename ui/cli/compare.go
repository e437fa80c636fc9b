package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// comparison holds the flags that make a race or a sweep fair: several
// seeds, and a learning-rate search so that every method runs at its own
// best rate (tuned against tuned).
type comparison struct {
	seeds     int
	tune      bool
	grid      string
	tuneSteps int
}

// addComparisonFlags declares --seeds and, with tune, --tune-lr, --lr-grid
// and --tune-steps.
func addComparisonFlags(f *runFlags, tune bool) *comparison {
	c := &comparison{grid: gridText(lab.DefaultTuneGrid)}
	f.fs.IntVar(&c.seeds, "seeds", 1, "run every configuration at `N` seeds (--seed, --seed+1, …) and report the mean and the spread")
	if !tune {
		return c
	}
	f.fs.BoolVar(&c.tune, "tune-lr", false, "search each method's learning rate first (runs of --tune-steps over --lr-grid on the same data) and race each at its best")
	f.fs.StringVar(&c.grid, "lr-grid", c.grid, "the learning-rate search's `rates`: a list or a log range like 1e-4..1e-1:log:7")
	f.fs.IntVar(&c.tuneSteps, "tune-steps", 0, "`steps` of each search run (default: --steps, the race's own length)")
	return c
}

// check refuses contradictory or out-of-range comparison flags.
func (c *comparison) check(f *runFlags) error {
	if c.seeds < 1 || c.seeds > lab.MaxSeeds {
		return fmt.Errorf("seeds %d: must be between 1 and %d", c.seeds, lab.MaxSeeds)
	}
	if c.tune && f.given["lr"] {
		return errors.New("--lr and --tune-lr: choose one (the search picks each method's rate)")
	}
	if !c.tune && (f.given["lr-grid"] || f.given["tune-steps"]) {
		return errors.New("--lr-grid and --tune-steps need --tune-lr")
	}
	if f.given["tune-steps"] && (c.tuneSteps < 1 || c.tuneSteps > lab.MaxSteps) {
		return fmt.Errorf("tune-steps %d: must be between 1 and %d", c.tuneSteps, lab.MaxSteps)
	}
	if _, err := c.rates(); err != nil {
		return err
	}
	return nil
}

// gridText writes rates as a comma-separated list.
func gridText(rates []float64) string {
	out := make([]string, len(rates))
	for i, r := range rates {
		out[i] = strconv.FormatFloat(r, 'g', -1, 64)
	}
	return strings.Join(out, ",")
}

// rates parses --lr-grid with the sweep's value syntax.
func (c *comparison) rates() ([]float64, error) {
	lr, _ := catalog.Setting("lr")
	values, err := lab.ParseValues(lr, c.grid)
	if err != nil {
		return nil, fmt.Errorf("lr-grid %q: %v", c.grid, err)
	}
	out := make([]float64, len(values))
	for i, v := range values {
		out[i], _ = strconv.ParseFloat(v, 64)
		if out[i] <= 0 {
			return nil, fmt.Errorf("lr-grid %q: every rate must be above 0", c.grid)
		}
	}
	return out, nil
}

// tuneJobs searches every job's learning rate and sets it to the best one,
// with a progress line on a terminal. It returns the searches.
func (c *comparison) tuneJobs(ctx context.Context, stderr io.Writer, f *runFlags, jobs []lab.Job, workers int) ([]lab.Tuning, error) {
	if !c.tune {
		return nil, nil
	}
	grid, _ := c.rates()
	horizon := c.tuneSteps
	if horizon == 0 {
		horizon = lab.TuneHorizon(jobs[0].Config.Steps)
	}
	bar := &progressBar{w: stderr}
	showBar := !f.quiet && isTerminal(stderr)
	tunings, err := lab.TuneLR(ctx, lab.NewPool(workers), jobs, grid, horizon, func(p lab.TuneProgress) {
		if showBar {
			bar.update("lr search", lab.Progress{Step: p.Steps, Steps: p.TotalSteps})
		}
	})
	bar.clear()
	if err != nil {
		return nil, err
	}
	for i := range jobs {
		jobs[i].Config.LR = tunings[i].Best
	}
	return tunings, nil
}

// expand runs every job at the comparison's seeds, the seeds innermost:
// job i·seeds + k is jobs[i] at seed --seed + k. The jobs are new (lab
// validates each once when it starts).
func (c *comparison) expand(jobs []lab.Job) []lab.Job {
	var out []lab.Job
	for _, j := range jobs {
		for _, s := range lab.Seeds(j.Config.Seed, max(c.seeds, 1)) {
			cfg := j.Config
			cfg.Seed = s
			out = append(out, lab.Job{Method: j.Method, Task: j.Task, Config: cfg})
		}
	}
	return out
}

// extra is the comparison's part of a reproducing command line.
func (c *comparison) extra(f *runFlags) []string {
	var out []string
	if c.seeds > 1 {
		out = append(out, "--seeds", strconv.Itoa(c.seeds))
	}
	if c.tune {
		out = append(out, "--tune-lr")
		if f.given["lr-grid"] {
			out = append(out, "--lr-grid", c.grid)
		}
		if f.given["tune-steps"] {
			out = append(out, "--tune-steps", strconv.Itoa(c.tuneSteps))
		}
	}
	return out
}

// groups splits results made by expand back into one group per job.
func (c *comparison) groups(res []*lab.Result) [][]*lab.Result {
	n := max(c.seeds, 1)
	var out [][]*lab.Result
	for i := 0; i+n <= len(res); i += n {
		out = append(out, res[i:i+n])
	}
	return out
}

// printTuning writes the learning-rate searches: each method's loss at
// every rate, and the rate it won with.
func printTuning(w io.Writer, tunings []lab.Tuning) {
	if len(tunings) == 0 {
		return
	}
	// The columns: every rate any method tried (the grid, and each method's
	// untuned rate where the grid lacks it), increasing.
	var rates []float64
	for _, t := range tunings {
		for _, lr := range t.Grid {
			if !slices.Contains(rates, lr) {
				rates = append(rates, lr)
			}
		}
	}
	slices.Sort(rates)
	t := tunings[0]
	fmt.Fprintf(w, "learning-rate search: %d rates and each method's untuned rate, %s steps each, seed %d (final eval loss; * the best; · not tried)\n", len(lab.SharedGrid(tunings)), text.Count(int64(t.Horizon)), t.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"method"}
	for _, lr := range rates {
		head = append(head, text.Number(lr))
	}
	fmt.Fprintf(tw, "%s\tlr\t\n", strings.Join(head, "\t"))
	for _, t := range tunings {
		cells := []string{t.Method}
		for _, lr := range rates {
			i := slices.Index(t.Grid, lr)
			if i < 0 {
				cells = append(cells, "·")
				continue
			}
			cell := text.Loss(t.Losses[i])
			if lr == t.Best {
				cell += "*"
			}
			cells = append(cells, cell)
		}
		fmt.Fprintf(tw, "%s\t%s\t\n", strings.Join(cells, "\t"), text.Number(t.Best))
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// printSeedBoard writes a leaderboard over seeds: the mean final eval loss
// with its range, and which differences are within the seed noise.
func printSeedBoard(w io.Writer, board []lab.SeedStanding, target float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "#\tmethod\tseeds\tmean eval\tmin … max\tsteps to %s\ttrainable\tmemory\tsteps/s\t\t\n", text.Loss(target))
	for _, s := range board {
		title := s.Method
		if m, err := catalog.Method(s.Method); err == nil {
			title = m.Info().Title
		}
		note := ""
		switch {
		case s.Winner:
			note = "winner"
		case s.Tied:
			note = "within the spread of #1"
		case s.Diverged > 0:
			note = fmt.Sprintf("%d diverged", s.Diverged)
		}
		reach := "—"
		if s.Reached > 0 {
			reach = fmt.Sprintf("%s (%d/%d)", text.Count(int64(s.StepsToTarget.Mean)), s.Reached, s.Seeds)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s … %s\t%s\t%s\t%s\t%.0f\t%s\t\n", s.Place, title, s.Seeds, text.Loss(s.EvalLoss.Mean),
			text.Loss(s.EvalLoss.Min), text.Loss(s.EvalLoss.Max), reach, text.Count(int64(s.Trainable)), text.Bytes(s.MemoryTotal), s.StepsPerSec, note)
	}
	tw.Flush()
	fmt.Fprintln(w, "Ranked by the mean over seeds; a difference whose ranges overlap #1's is within the seed noise, not a result.")
}
