package lab_test

import (
	"context"
	"testing"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// tinyConfig is a very small run on the shift task: thousands of steps a
// second even under -race.
func tinyConfig() lab.Config {
	c := lab.Defaults()
	c.Width, c.Depth, c.Batch, c.Rank, c.TaskRank = 8, 2, 8, 2, 2
	c.TrainSize, c.EvalSize, c.Steps, c.EvalEvery = 64, 16, 200, 10
	return c
}

// failAfter is how long a test waits for an event it is owed before it
// declares the run stuck. It only detects failures: no test relies on it
// for ordering.
const failAfter = 20 * time.Second

// start starts a run of cfg with LoRA and returns it with its cancel func;
// the run is cancelled and drained when the test ends.
func start(t *testing.T, cfg lab.Config) (*lab.Run, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, err := lab.Start(ctx, adapters.LoRA{}, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		for range r.Events() {
		}
		<-r.Done()
	})
	return r, cancel
}

// next returns the next event of r, failing the test if the events end or
// none arrives within failAfter.
func next(t *testing.T, r *lab.Run) lab.Progress {
	t.Helper()
	select {
	case p, ok := <-r.Events():
		if !ok {
			t.Fatal("events closed early")
		}
		return p
	case <-time.After(failAfter):
		t.Fatalf("no event within %v: the run is stuck or lost an event", failAfter)
	}
	panic("unreachable")
}

// waitFor reads events until one satisfies ok, failing the test if any event
// before it has a step above maxStep.
func waitFor(t *testing.T, r *lab.Run, maxStep int, ok func(lab.Progress) bool) lab.Progress {
	t.Helper()
	for {
		p := next(t, r)
		if p.Step > maxStep {
			t.Fatalf("event at step %d (status %s), beyond step %d", p.Step, p.Status, maxStep)
		}
		if ok(p) {
			return p
		}
	}
}
