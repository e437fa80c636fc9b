package lab

import (
	"math"
	"sort"
)

// Standing is one row of a race's leaderboard.
type Standing struct {
	Place         int     `json:"place"` // 1 = best; diverged and cancelled runs come last
	Method        string  `json:"method"`
	Trainable     int     `json:"trainable_params"`
	MemoryTotal   int64   `json:"memory_total"`
	StepsPerSec   float64 `json:"steps_per_second"`
	EvalLoss      float64 `json:"eval_loss"`       // current (final) eval loss
	BestEvalLoss  float64 `json:"best_eval_loss"`  // lowest eval loss seen
	StepsToTarget int     `json:"steps_to_target"` // first step whose eval loss ≤ the target; -1 if never
	ForgetLoss    float64 `json:"-"`               // the final forgetting loss (Point.Forget; 0: the task has none), JSON forget_loss
	Status        Status  `json:"status"`
	Winner        bool    `json:"winner"` // best finished run, once every run has ended
}

// rankOf scores a run for ordering: finished or running runs by eval loss,
// then diverged, then cancelled.
func rankOf(st Status) int {
	switch st {
	case Diverged:
		return 1
	case Cancelled:
		return 2
	}
	return 0
}

// Leaderboard ranks results by their current eval loss (lower is better);
// diverged and cancelled runs go last. target is the loss for StepsToTarget,
// which is read from the history: its resolution is the history's point
// spacing (eval-every, coarser once a long run's history has been merged).
// The winner is marked only when every run has ended.
func Leaderboard(results []*Result, target float64) []Standing {
	rows := make([]Standing, 0, len(results))
	allEnded := true
	for _, r := range results {
		row := Standing{
			Method: r.Method, Trainable: r.Params.Trainable, MemoryTotal: r.Memory.Total,
			StepsPerSec: r.Speed.StepsPerSecond, EvalLoss: r.Final.Eval, BestEvalLoss: math.Inf(1),
			StepsToTarget: -1, Status: r.Status, ForgetLoss: r.Final.Forget,
		}
		if len(r.History) == 0 { // cancelled before its first step: no loss to show
			row.EvalLoss = math.NaN()
		}
		for _, p := range r.History {
			if finite(p.Eval) {
				row.BestEvalLoss = math.Min(row.BestEvalLoss, p.Eval)
			}
			if row.StepsToTarget < 0 && p.Eval <= target {
				row.StepsToTarget = p.Step
			}
		}
		if !r.Status.Final() {
			allEnded = false
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		ri, rj := rankOf(rows[i].Status), rankOf(rows[j].Status)
		if ri != rj {
			return ri < rj
		}
		return less(rows[i].EvalLoss, rows[j].EvalLoss)
	})
	for i := range rows {
		rows[i].Place = i + 1
	}
	if allEnded && len(rows) > 0 && rows[0].Status == Done {
		rows[0].Winner = true
	}
	return rows
}

// less orders losses with NaN last.
func less(a, b float64) bool {
	if math.IsNaN(b) {
		return !math.IsNaN(a)
	}
	return a < b
}

// DefaultTarget is the default target loss of a race on a task that names
// none (TaskInfo.Target): the eval loss the leaderboard counts steps to.
const DefaultTarget = 1e-3
