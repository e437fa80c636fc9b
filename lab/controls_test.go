package lab_test

import (
	"context"
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestStepsAskedAtOnceAreAllTaken: three Step calls sent together while
// paused advance the run by exactly three steps, not one.
func TestStepsAskedAtOnceAreAllTaken(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps = 100_000
	r, cancel := start(t, cfg)
	defer cancel()
	waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Step > 0 })
	r.Pause()
	s := waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Status == lab.Paused }).Step
	r.Step()
	r.Step()
	r.Step()
	p := waitFor(t, r, s+3, func(p lab.Progress) bool { return p.Status == lab.Paused && p.Step == s+3 })
	r.SetLR(0.25) // a control after the steps: the next event shows the run still at s+3
	p = waitFor(t, r, s+3, func(p lab.Progress) bool { return p.LR == 0.25 })
	if p.Step != s+3 {
		t.Fatalf("three Steps took the run from %d to %d", s, p.Step)
	}
}

// TestQueuedRunTakesControlsWithoutBlocking: controls sent to a run waiting
// for a pool slot never block the caller (more than the control channel
// holds), and they apply once it starts: it starts paused at the last rate.
func TestQueuedRunTakesControlsWithoutBlocking(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps = 100_000
	pool := lab.NewSeatedPool(1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, err := lab.StartIn(ctx, pool, job(adapters.LoRA{}, cfg))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range first.Events() {
		}
	}()
	queued, err := lab.StartIn(ctx, pool, job(adapters.LoRA{}, cfg))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ { // far more than the control channel's 16
		queued.SetLR(0.001 * float64(i+1))
	}
	queued.Pause()
	// Reaching here proves no call blocked. The run is still queued:
	if p := next(t, queued); p.Status != lab.Queued {
		t.Fatalf("second run in a one-slot pool reports %s, want queued", p.Status)
	}
	cancel()
	<-first.Done()
	for range queued.Events() {
	}
	if st := queued.Result().Status; st != lab.Cancelled {
		t.Fatalf("queued run ended %s after cancel, want cancelled", st)
	}
}

// TestQueuedControlsApplyWhenTheRunStarts: a pause and a rate sent while a
// run is queued take effect as soon as it gets its slot.
func TestQueuedControlsApplyWhenTheRunStarts(t *testing.T) {
	cfg := tinyConfig()
	long := cfg
	long.Steps = 100_000
	pool := lab.NewSeatedPool(1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	firstCtx, stopFirst := context.WithCancel(ctx)
	first, err := lab.StartIn(firstCtx, pool, job(adapters.LoRA{}, long))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range first.Events() {
		}
	}()
	second, err := lab.StartIn(ctx, pool, job(adapters.LoRA{}, long))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		for range second.Events() {
		}
	})
	for i := 0; i < 40; i++ {
		second.SetLR(0.01)
	}
	second.SetLR(0.125)
	second.Pause()
	stopFirst() // frees the slot
	p := waitFor(t, second, long.Steps, func(p lab.Progress) bool { return p.Status == lab.Paused })
	if p.LR != 0.125 || p.Step != 0 {
		t.Fatalf("queued controls: started at step %d with lr %g, want paused at 0 with 0.125", p.Step, p.LR)
	}
}

// TestCancelledRunLastPointIsMeasured: the last history point of a run
// cancelled between eval points carries an eval loss measured at its step,
// not the one from the previous eval.
func TestCancelledRunLastPointIsMeasured(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps, cfg.EvalEvery = 100_000, 50_000
	r, cancel := start(t, cfg)
	waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Step > 300 })
	cancel()
	for range r.Events() {
	}
	res := r.Result()
	if res.Status != lab.Cancelled {
		t.Fatalf("status %s", res.Status)
	}
	last := res.History[len(res.History)-1]
	if last.Step < 300 || last.Eval == res.History[0].Eval {
		t.Fatalf("last point at step %d has eval %v, the same as step 0's: not measured", last.Step, last.Eval)
	}
	if math.IsNaN(last.Eval) {
		t.Fatal("last eval is NaN")
	}
}
