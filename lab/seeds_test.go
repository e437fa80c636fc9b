package lab_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestSpreadOf: mean, min and max over the finite values; the others counted as lost.
func TestSpreadOf(t *testing.T) {
	s := lab.SpreadOf([]float64{3, 1, math.NaN(), 2, math.Inf(1)})
	if s.Mean != 2 || s.Min != 1 || s.Max != 3 || s.N != 3 || s.Lost != 2 {
		t.Errorf("spread %+v", s)
	}
	if e := lab.SpreadOf(nil); !math.IsNaN(e.Mean) || e.N != 0 {
		t.Errorf("empty spread %+v", e)
	}
	a, b, c := lab.SpreadOf([]float64{1, 2}), lab.SpreadOf([]float64{1.5, 4}), lab.SpreadOf([]float64{3, 4})
	if !a.Overlaps(b) || a.Overlaps(c) || !b.Overlaps(c) {
		t.Error("overlaps: [1,2]∩[1.5,4], [1,2]∩[3,4], [1.5,4]∩[3,4]")
	}
}

// TestSeedLeaderboard: methods ranked by the mean final eval loss over their
// seeds; a method whose range overlaps the leader's is tied, and then there
// is no winner; steps to the target averaged over the seeds that reached it.
func TestSeedLeaderboard(t *testing.T) {
	res := func(method string, evals ...float64) []*lab.Result {
		var g []*lab.Result
		for _, e := range evals {
			g = append(g, &lab.Result{Method: method, Status: lab.Done, Final: lab.Point{Step: 20, Eval: e},
				History: []lab.Point{{Step: 0, Eval: 1}, {Step: 10, Eval: (1 + e) / 2}, {Step: 20, Eval: e}}})
		}
		return g
	}
	board := lab.SeedLeaderboard([][]*lab.Result{res("slow", 0.5, 0.6), res("fast", 0.1, 0.2), res("close", 0.15, 0.3)}, 0.25)
	if board[0].Method != "fast" || board[1].Method != "close" || board[2].Method != "slow" {
		t.Fatalf("order %s, %s, %s", board[0].Method, board[1].Method, board[2].Method)
	}
	if math.Abs(board[0].EvalLoss.Mean-0.15) > 1e-12 || board[0].EvalLoss.Min != 0.1 || board[0].EvalLoss.Max != 0.2 {
		t.Errorf("fast: %+v", board[0].EvalLoss)
	}
	if !board[1].Tied || board[2].Tied || board[0].Winner {
		t.Errorf("tied %v %v, winner %v: close overlaps fast, slow does not, so no winner", board[1].Tied, board[2].Tied, board[0].Winner)
	}
	if board[0].Reached != 2 || board[0].StepsToTarget.Mean != 20 || board[2].Reached != 0 {
		t.Errorf("steps to 0.25: fast %d seeds at %v, slow %d seeds", board[0].Reached, board[0].StepsToTarget.Mean, board[2].Reached)
	}
	clear := lab.SeedLeaderboard([][]*lab.Result{res("slow", 0.5, 0.6), res("fast", 0.1, 0.2)}, 0.25)
	if !clear[0].Winner {
		t.Error("no winner although the ranges do not overlap")
	}
}

// TestTuneLRPicksTheBestRate: the search runs every rate of the grid on the
// job's seed and returns the one with the lowest final eval loss — here a
// rate 1000× too small against a sensible one — with every rate's loss.
func TestTuneLRPicksTheBestRate(t *testing.T) {
	cfg := tinyConfig()
	cfg.LR = 2e-3 // in the grid: the search adds no rate of its own
	grid := []float64{2e-6, 2e-3}
	tunings, err := lab.TuneLR(context.Background(), lab.NewPool(2), []lab.Job{job(adapters.LoRA{}, cfg), job(adapters.Full{}, cfg)}, grid, 150, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tu := range tunings {
		if tu.Best != 2e-3 || len(tu.Losses) != 2 || !(tu.Losses[1] < tu.Losses[0]) || tu.Horizon != 150 || tu.Seed != cfg.Seed {
			t.Errorf("%s: best %g, losses %v, horizon %d, seed %d", tu.Method, tu.Best, tu.Losses, tu.Horizon, tu.Seed)
		}
	}
	if _, err := lab.TuneLR(context.Background(), lab.NewPool(1), []lab.Job{job(adapters.LoRA{}, cfg)}, []float64{-1}, 10, nil); err == nil {
		t.Error("a negative rate in the grid was accepted")
	}
}

// TestTunedNeverWorseThanUntuned checks that the search also tries the rate
// a job would race at untuned when the grid lacks it, and that its run there
// is the untuned run itself (same final loss, bit for bit): at the search's
// seed a tuned method can only end as low or lower.
func TestTunedNeverWorseThanUntuned(t *testing.T) {
	cfg := tinyConfig()
	cfg.LR, cfg.Steps = 2e-3, 150
	j, err := lab.Prepare(job(adapters.Full{}, cfg))
	if err != nil {
		t.Fatal(err)
	}
	tunings, err := lab.TuneLR(context.Background(), lab.NewPool(2), []lab.Job{j}, []float64{1e-5, 3e-3}, 150, nil)
	if err != nil {
		t.Fatal(err)
	}
	tu := tunings[0]
	if len(tu.Grid) != 3 || tu.Grid[1] != 2e-3 {
		t.Fatalf("grid %v: want 1e-5, 2e-3 (the untuned rate), 3e-3", tu.Grid)
	}
	untuned, err := lab.Execute(context.Background(), j, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tu.Losses[1] != untuned.Final.Eval {
		t.Errorf("the search's run at the untuned rate ended at %v, the untuned run at %v", tu.Losses[1], untuned.Final.Eval)
	}
	best := tu.Losses[slices.Index(tu.Grid, tu.Best)]
	if best > untuned.Final.Eval {
		t.Errorf("tuned (lr %g) ends at %v, worse than untuned %v", tu.Best, best, untuned.Final.Eval)
	}
}

// TestTuneLRReportsSteps checks the search's progress: steps never go back,
// and the last report has every run ended and every step taken (a search's
// runs share the cores and end together, so the steps say how far it is).
func TestTuneLRReportsSteps(t *testing.T) {
	cfg := tinyConfig()
	cfg.LR = 2e-3
	jobs := []lab.Job{job(adapters.LoRA{}, cfg), job(adapters.Full{}, cfg)}
	grid := []float64{1e-3, 2e-3}
	var last lab.TuneProgress
	reports := 0
	_, err := lab.TuneLR(context.Background(), lab.NewPool(2), jobs, grid, 120, func(p lab.TuneProgress) {
		if p.Steps < last.Steps || p.Ended < last.Ended {
			t.Errorf("progress went back: %+v after %+v", p, last)
		}
		last = p
		reports++
	})
	if err != nil {
		t.Fatal(err)
	}
	runs := lab.SearchRuns(jobs, grid)
	if runs != 4 || last.Runs != runs || last.Ended != runs || last.TotalSteps != runs*120 || last.Steps != last.TotalSteps {
		t.Errorf("after %d reports: %+v, want %d runs of 120 steps all done", reports, last, runs)
	}
}

// TestSharedGridLeavesTheAddedRatesOut checks that the grid a tuned race
// reports is the one it was given, even when every method added the same
// untuned rate (one method, or every method at one --lr).
func TestSharedGridLeavesTheAddedRatesOut(t *testing.T) {
	cfg := tinyConfig()
	cfg.LR = 2e-3
	tunings, err := lab.TuneLR(context.Background(), lab.NewPool(2), []lab.Job{job(adapters.LoRA{}, cfg), job(adapters.Full{}, cfg)}, []float64{1e-3, 1e-2}, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := lab.SharedGrid(tunings); !slices.Equal(got, []float64{1e-3, 1e-2}) {
		t.Errorf("shared grid %v, want the given 1e-3, 1e-2 (2e-3 was each method's own)", got)
	}
	if tunings[0].Added != 2e-3 || len(tunings[0].Grid) != 3 {
		t.Errorf("added %v, grid %v", tunings[0].Added, tunings[0].Grid)
	}
}
