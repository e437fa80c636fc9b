package adapters_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// trainingSteps is the run length of the default-task tests: shorter than
// the default 2000 to keep the suite fast under -race. At 400 steps LoRA
// r = 8 ends about 30× below r = 1 (16× at 300, 7× at 200).
const trainingSteps = 400

// execute runs cfg with method m to the end and fails unless it finishes.
func execute(t *testing.T, m lab.Method, cfg lab.Config) *lab.Result {
	t.Helper()
	res, err := runJob(m, cfg, nil)
	if err != nil {
		t.Fatalf("%s: %v", m.Info().Name, err)
	}
	if res.Status != lab.Done {
		t.Fatalf("%s: status %s (%s)", m.Info().Name, res.Status, res.Reason)
	}
	if len(res.History) < 2 || res.History[0].Step != 0 {
		t.Fatalf("%s: history %v does not start at step 0", m.Info().Name, res.History)
	}
	return res
}

// TestTrainingLowersEvalLoss proves every method learns on the default task
// with its own default learning rate: after a (shortened) run the held-out
// loss is below the base model's.
func TestTrainingLowersEvalLoss(t *testing.T) {
	for _, m := range adapters.All() {
		t.Run(m.Info().Name, func(t *testing.T) {
			t.Parallel()
			cfg := catalog.Defaults()
			cfg.Steps = trainingSteps
			res := execute(t, m, cfg)
			initial, final := res.History[0].Eval, res.Final.Eval
			t.Logf("lr %g: eval loss %.4g → %.4g (%.1f× lower)", res.Config.LR, initial, final, initial/final)
			if !(final < initial) {
				t.Errorf("eval loss went from %g to %g in %d steps at the default lr %g", initial, final, cfg.Steps, res.Config.LR)
			}
		})
	}
}

// TestRankAboveTaskRankFitsTheShift proves the task's design: the teacher's
// shift has rank 4 per layer, so LoRA with r = 8 can represent it and ends
// at least 10× below LoRA with r = 1, which cannot.
func TestRankAboveTaskRankFitsTheShift(t *testing.T) {
	var mu sync.Mutex
	final := map[int]float64{}
	t.Run("runs", func(t *testing.T) {
		for _, r := range []int{1, 8} {
			t.Run(fmt.Sprintf("r=%d", r), func(t *testing.T) {
				t.Parallel()
				cfg := catalog.Defaults()
				cfg.Steps, cfg.Rank = trainingSteps, r
				cfg = with(cfg, "task-rank", 4)
				res := execute(t, adapters.LoRA{}, cfg)
				mu.Lock()
				final[r] = res.Final.Eval
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	t.Logf("final eval loss: r=1 %.4g, r=8 %.4g (%.1f×)", final[1], final[8], final[1]/final[8])
	if !(final[8]*10 <= final[1]) {
		t.Errorf("LoRA r=8 ends at %g, r=1 at %g: want r=8 at least 10× lower", final[8], final[1])
	}
}
