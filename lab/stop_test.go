package lab_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// slowAfterStop is the shift task whose evaluation, once stopped is
// closed, takes as long as its context lets it: a held-out set so large
// that measuring it after ctrl+c took minutes.
type slowAfterStop struct {
	tasks.Shift
	stopped chan struct{}
}

func (s slowAfterStop) New(ctx context.Context, cfg lab.Config, l *lab.Ledger, whole bool) (lab.Network, error) {
	n, err := s.Shift.New(ctx, cfg, l, whole)
	if err != nil {
		return nil, err
	}
	return slowNet{n, s.stopped}, nil
}

type slowNet struct {
	lab.Network
	stopped chan struct{}
}

func (n slowNet) Evaluate(ctx context.Context) lab.Metrics {
	select {
	case <-n.stopped:
		<-ctx.Done() // "minutes" of work, cut short only by its context
		return lab.Metrics{Eval: math.NaN()}
	default:
		return n.Network.Evaluate(ctx)
	}
}

// TestStoppedRunEndsWithinTheGrace: a run stopped in the middle of an
// interval measures its last eval loss only within lab.StopGrace (it used
// an uncancellable context, and the run ended only when the measurement
// did); what it could not measure is left out of its history.
func TestStoppedRunEndsWithinTheGrace(t *testing.T) {
	stopped := make(chan struct{})
	cfg := tinyConfig()
	cfg.Steps, cfg.EvalEvery = 1_000_000, 1_000_000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := lab.Start(ctx, lab.Job{Method: adapters.LoRA{}, Task: slowAfterStop{tasks.Shift{}, stopped}, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for p := range r.Events() {
		if p.Step > 10 {
			break
		}
	}
	close(stopped)
	cancel()
	select {
	case <-r.Done():
	case <-time.After(failAfter):
		t.Fatalf("the stopped run had not ended %v later", failAfter)
	}
	res := r.Result()
	if res.Status != lab.Cancelled {
		t.Fatalf("status %s", res.Status)
	}
	for _, p := range res.History {
		if math.IsNaN(p.Eval) {
			t.Fatalf("a point of the unfinished measurement was recorded: %+v", p)
		}
	}
	for _, sp := range res.Spectrum {
		if sp.Rank < -1 {
			t.Fatalf("spectrum %+v", sp)
		}
	}
}
