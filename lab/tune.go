package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Tuning is one method's learning-rate search: a run at every rate of a
// logarithmic grid and at the rate it would race at untuned, on the job's
// own data (its seed), and the rate whose run ended with the lowest eval
// loss. Comparing methods each at its best
// rate from the same search is comparing tuned with tuned (the LoRA+ paper's
// grid, methods.md's "fair comparisons").
type Tuning struct {
	Method  string    `json:"method"`
	Seed    uint64    `json:"seed"`
	Horizon int       `json:"horizon"` // steps of each search run
	Grid    []float64 `json:"grid"`    // the rates tried, increasing
	// Added is the job's own (untuned) rate when the search added it to
	// the grid it was given (0: the grid had it).
	Added  float64   `json:"added_lr,omitempty"`
	Losses []float64 `json:"-"`  // final eval loss per rate (+Inf if it diverged)
	Best   float64   `json:"lr"` // the rate that won
}

// MarshalJSON writes the losses with non-finite ones as null.
func (t Tuning) MarshalJSON() ([]byte, error) {
	type plain Tuning
	losses := make([]*float64, len(t.Losses))
	for i, l := range t.Losses {
		losses[i] = JSONNumber(l)
	}
	return json.Marshal(struct {
		plain
		Losses []*float64 `json:"losses"`
	}{plain(t), losses})
}

// DefaultTuneGrid is the search's grid when none is given: 1e-4 to 1e-1,
// two rates a decade.
var DefaultTuneGrid = []float64{1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1}

// TuneProgress is how far a learning-rate search has got: its runs ended
// and in all, and their steps taken and in all. The search's runs share the
// cores and progress together, so few end before the last moments: the
// steps say how far it is.
type TuneProgress struct {
	Ended, Runs       int
	Steps, TotalSteps int
}

// SearchRuns is the number of runs TuneLR makes of jobs over grid (each
// job's own rate added where grid lacks it).
func SearchRuns(jobs []Job, grid []float64) int {
	n := 0
	for _, j := range jobs {
		n += len(searchGrid(grid, j.Config.LR))
	}
	return n
}

// TuneHorizon is the search's run length when none is given: the whole run.
// A shorter search favours rates too high for the run: at half the steps it
// picked 3e-3 for LoRA+ and full fine-tuning on race-five, rates whose
// 1,500-step runs end 2–8× above their defaults' (their late jitter does not
// show by step 750). Tuned against tuned is fair only at the race's length.
func TuneHorizon(steps int) int { return steps }

// TuneLR searches the learning rate of every job over grid, plus the job's
// own rate (searchGrid), with runs of horizon steps, all on the job's own
// seed, in pool (the one the race will run in, so that the search shares
// its cores and memory budget), and returns one Tuning per job, in order. Each search run is the job with
// only lr and steps changed (eval-every capped at the horizon); the
// schedule, if any, is scaled to the horizon. onProgress, if not nil, gets
// the search's progress whenever one of its runs reports.
func TuneLR(ctx context.Context, pool *Pool, jobs []Job, grid []float64, horizon int, onProgress func(TuneProgress)) ([]Tuning, error) {
	if len(grid) == 0 || len(grid) > MaxSweepValues {
		return nil, fmt.Errorf("lr-grid: needs 1 to %d rates, got %d", MaxSweepValues, len(grid))
	}
	for _, lr := range grid {
		if !finite(lr) || lr <= 0 {
			return nil, fmt.Errorf("lr-grid %v: every rate must be a finite number above 0", lr)
		}
	}
	if horizon < 1 || horizon > MaxSteps {
		return nil, fmt.Errorf("tune-steps %d: must be between 1 and %d", horizon, MaxSteps)
	}
	var search []Job
	grids := make([][]float64, len(jobs))
	for i, j := range jobs {
		grids[i] = searchGrid(grid, j.Config.LR)
		for _, lr := range grids[i] {
			c := j.Config
			c.LR, c.Steps = lr, horizon
			c.EvalEvery = min(max(c.EvalEvery, 1), horizon)
			c.Warmup = min(c.Warmup, horizon)
			search = append(search, Job{Method: j.Method, Task: j.Task, Config: c})
		}
	}
	prog := TuneProgress{Runs: len(search), TotalSteps: len(search) * horizon}
	steps := make([]int, len(search)) // each search run's last step reported
	results, err := ExecuteIn(ctx, pool, search, func(k int, p Progress) {
		prog.Steps += p.Step - steps[k]
		steps[k] = p.Step
		if p.Status.Final() {
			prog.Ended++
		}
		if onProgress != nil {
			onProgress(prog)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]Tuning, len(jobs))
	next := 0 // the first search run of job i
	for i, j := range jobs {
		t := Tuning{Method: j.Method.Info().Name, Seed: j.Config.Seed, Horizon: horizon, Grid: grids[i], Best: math.NaN()}
		if len(grids[i]) > len(grid) {
			t.Added = j.Config.LR
		}
		bestLoss := math.Inf(1)
		for k, lr := range grids[i] {
			r := results[next+k]
			loss := r.Final.Eval
			if r.Status != Done || !finite(loss) {
				loss = math.Inf(1)
			}
			t.Losses = append(t.Losses, loss)
			if loss < bestLoss {
				bestLoss, t.Best = loss, lr
			}
		}
		next += len(grids[i])
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if math.IsNaN(t.Best) {
			return nil, fmt.Errorf("%s: every rate of the grid diverged in the learning-rate search; give a lower lr-grid", t.Method)
		}
		out[i] = t
	}
	return out, nil
}

// searchGrid is the rates a job's search tries: grid, and own (the rate the
// job would race at untuned: its method's default, or the lab's setting) if
// grid lacks it, in increasing order. The search run at own is the untuned
// run at the search's seed, so a tuned method never ends worse there than
// untuned: the default grid (1e-4, 3e-4, 1e-3, …) lacks the 2e-3 that full
// fine-tuning and Delta-LoRA default to, and their tuned runs at 1e-3 ended
// 1.5× worse than untuned.
func searchGrid(grid []float64, own float64) []float64 {
	out := slices.Clone(grid)
	if finite(own) && own > 0 && !slices.ContainsFunc(grid, func(x float64) bool { return math.Abs(x-own) <= 1e-9*own }) {
		out = append(out, own)
	}
	slices.Sort(out)
	return out
}

// SharedGrid is the grid the search was given: the rates every one of
// tunings tried, without the methods' own untuned rates it added (even
// when every method added the same one), increasing.
func SharedGrid(tunings []Tuning) []float64 {
	if len(tunings) == 0 {
		return nil
	}
	var out []float64
	for _, lr := range tunings[0].Grid {
		all := true
		for _, t := range tunings {
			all = all && slices.Contains(t.Grid, lr) && t.Added != lr
		}
		if all {
			out = append(out, lr)
		}
	}
	return out
}
