package lab_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"go.uber.org/goleak"
)

// TestCancelledRunEnds proves cancelling a run's context ends it: the events
// close, the Result says cancelled, and its goroutine is gone — both when the
// consumer keeps reading events and when it has stopped reading them.
func TestCancelledRunEnds(t *testing.T) {
	for _, reading := range []bool{true, false} {
		name := map[bool]string{true: "consumer reading", false: "consumer gone"}[reading]
		t.Run(name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			cfg := tinyConfig()
			cfg.Steps = lab.MaxSteps
			ctx, cancel := context.WithCancel(context.Background())
			r, err := lab.Start(ctx, job(adapters.LoRA{}, cfg))
			if err != nil {
				t.Fatal(err)
			}
			if reading {
				waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Step > 0 })
			}
			cancel()
			if reading {
				for range r.Events() {
				}
			}
			select {
			case <-r.Done():
			case <-time.After(failAfter):
				t.Fatal("run did not end after its context was cancelled")
			}
			res := r.Result()
			if res.Status != lab.Cancelled {
				t.Errorf("status %s, want cancelled", res.Status)
			}
			if res.DivergedAt != 0 || res.Reason != "" {
				t.Errorf("cancelled run reports divergence: at %d, %q", res.DivergedAt, res.Reason)
			}
		})
	}
}

// TestPauseStepResume proves the run controls: after Pause the run reports
// itself paused and stops; each Step advances exactly one step (observed
// through the events); SetLR while paused is reported; Resume runs to the end.
func TestPauseStepResume(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps = 100_000
	r, cancel := start(t, cfg)
	defer cancel()
	waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Step > 0 })
	r.Pause()
	p := waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Status == lab.Paused })
	s := p.Step
	for i := 1; i <= 3; i++ {
		r.Step()
		p = waitFor(t, r, s+i, func(p lab.Progress) bool { return p.Status == lab.Paused && p.Step == s+i })
	}
	r.SetLR(0.5)
	p = waitFor(t, r, s+3, func(p lab.Progress) bool { return p.LR == 0.5 })
	if p.Status != lab.Paused || p.Step != s+3 {
		t.Errorf("after SetLR: status %s at step %d, want paused at %d", p.Status, p.Step, s+3)
	}
	r.SetLR(math.NaN()) // refused: the rate stays 0.5
	r.SetLR(-1)
	r.Step()
	p = waitFor(t, r, s+4, func(p lab.Progress) bool { return p.Status == lab.Paused && p.Step == s+4 })
	if p.LR != 0.5 {
		t.Errorf("LR %g after invalid SetLR calls, want 0.5", p.LR)
	}
	r.Resume()
	waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Status == lab.Running && p.Step > s+4 })
}

// TestPausedStateIsDelivered proves, black-box, that a pause is reported
// even when the consumer is behind: the run pauses while an undelivered
// event sits in the channel. Whether the run handles the pause before or
// after the consumer takes that event is up to the scheduler, so the
// scenario is repeated; TestPausedEventSurvivesAFullChannel (white-box)
// forces the bad ordering.
func TestPausedStateIsDelivered(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps = lab.MaxSteps
	r, cancel := start(t, cfg)
	defer cancel()
	for range 10 {
		for len(r.Events()) == 0 { // wait, without reading, until an event is queued
			runtime.Gosched()
		}
		r.Pause()
		waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Status == lab.Paused })
		r.Resume()
	}
}

// TestDivergedRunStops proves a run whose loss blows up ends with status
// diverged, the step it diverged at and a reason, for every method, without a
// panic: at lr 1000 (loss above divergence-factor × the starting loss) and at
// lr 1e300 with the factor out of reach (loss overflows to a non-finite value).
func TestDivergedRunStops(t *testing.T) {
	for _, m := range adapters.All() {
		for _, c := range []struct {
			lr, factor float64
			reason     string
		}{{1e3, 1e4, "above"}, {1e300, 1e300, "became"}} {
			t.Run(fmt.Sprintf("%s/lr=%g", m.Info().Name, c.lr), func(t *testing.T) {
				cfg := tinyConfig()
				cfg.LR, cfg.DivergenceFactor = c.lr, c.factor
				cfg = with(cfg, "activation", "identity")
				res, err := lab.Execute(context.Background(), job(m, cfg), nil)
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != lab.Diverged || res.DivergedAt <= 0 || res.Reason == "" {
					t.Fatalf("lr %g: status %s, diverged at %d, reason %q; want diverged at a step > 0 with a reason", c.lr, res.Status, res.DivergedAt, res.Reason)
				}
				if !strings.Contains(res.Reason, c.reason) {
					t.Errorf("reason %q does not say %q", res.Reason, c.reason)
				}
				if res.DivergedAt >= cfg.Steps {
					t.Errorf("diverged at %d: the run did not stop early", res.DivergedAt)
				}
				if res.Final.Step != res.DivergedAt {
					t.Errorf("last history point at step %d, diverged at %d", res.Final.Step, res.DivergedAt)
				}
			})
		}
	}
}

// TestEventsRateLimitedAndLossless proves two promises of Events: a fast run
// sends at most one event per ProgressInterval (plus the first and the
// final one), and the points the events carry, appended, are exactly
// Result.History.
func TestEventsRateLimitedAndLossless(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps, cfg.EvalEvery = 4000, 8 // 501 points: below the history's cap, so nothing is merged
	var events int
	var points []lab.Point
	lastStep := -1
	began := time.Now()
	res, err := lab.Execute(context.Background(), job(adapters.LoRA{}, cfg), func(p lab.Progress) {
		events++
		points = append(points, p.Points...)
		if p.Step < lastStep {
			t.Errorf("event at step %d after one at step %d", p.Step, lastStep)
		}
		lastStep = p.Step
	})
	elapsed := time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != lab.Done {
		t.Fatalf("status %s", res.Status)
	}
	if limit := int(elapsed/lab.ProgressInterval) + 2; events > limit {
		t.Errorf("%d events in %v: more than one per %v (limit %d)", events, elapsed, lab.ProgressInterval, limit)
	}
	if len(res.History) != cfg.Steps/cfg.EvalEvery+1 {
		t.Errorf("history has %d points, want %d", len(res.History), cfg.Steps/cfg.EvalEvery+1)
	}
	if !reflect.DeepEqual(points, res.History) {
		t.Errorf("events carried %d points, history has %d; they differ", len(points), len(res.History))
		for i := range min(len(points), len(res.History)) {
			if !reflect.DeepEqual(points[i], res.History[i]) {
				t.Errorf("first difference at %d: event %+v, history %+v", i, points[i], res.History[i])
				break
			}
		}
	}
	if lastStep != cfg.Steps {
		t.Errorf("last event at step %d, want %d", lastStep, cfg.Steps)
	}
}

// TestSpeedCapIsRateLimited proves the rate limit also holds in slow motion:
// with the speed capped by SetSpeed at a few hundred steps a second (set
// while paused, so it is in force from the first step after Resume), the
// run is no faster than the cap and still sends at most one event per
// ProgressInterval.
func TestSpeedCapIsRateLimited(t *testing.T) {
	const speed, steps = 400.0, 120
	cfg := tinyConfig()
	cfg.Steps = lab.MaxSteps
	r, cancel := start(t, cfg)
	defer cancel()
	r.Pause()
	s := waitFor(t, r, cfg.Steps, func(p lab.Progress) bool { return p.Status == lab.Paused }).Step
	r.SetSpeed(speed)
	r.Resume()
	began := time.Now()
	events := 0
	for {
		p := next(t, r)
		if p.Status == lab.Paused { // the report of the SetSpeed control, before Resume
			continue
		}
		events++
		if p.Step >= s+steps {
			break
		}
	}
	elapsed := time.Since(began)
	if min := time.Duration(float64(steps-1) / speed * float64(time.Second)); elapsed < min {
		t.Errorf("%d steps took %v, faster than %g steps/s allows (%v)", steps, elapsed, speed, min)
	}
	if limit := int(elapsed/lab.ProgressInterval) + 2; events > limit {
		t.Errorf("%d events in %v: more than one per %v (limit %d)", events, elapsed, lab.ProgressInterval, limit)
	}
}

// TestRunHistoryShape proves what a finished run's history holds: step 0
// (the base model), one point every eval-every steps, and a last point at
// the final step, with the eval loss measured there, even when the run
// length is not a multiple of eval-every; Result.Final is that last point.
func TestRunHistoryShape(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps, cfg.EvalEvery = 55, 10
	res, err := lab.Execute(context.Background(), job(adapters.LoRA{}, cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, p := range res.History {
		steps = append(steps, p.Step)
		if !(p.TrainMin <= p.Train && p.Train <= p.TrainMax) || math.IsNaN(p.Eval) {
			t.Errorf("point %+v: train loss outside its own min/max, or no eval loss", p)
		}
	}
	if want := []int{0, 10, 20, 30, 40, 50, 55}; !reflect.DeepEqual(steps, want) {
		t.Errorf("history steps %v, want %v", steps, want)
	}
	if res.Final != res.History[len(res.History)-1] {
		t.Errorf("Final %+v is not the last history point", res.Final)
	}
	// The same run evaluated every 11 steps (55 = 5·11) trains identically:
	// its final eval loss is the one measured at step 55.
	cfg.EvalEvery = 11
	other, err := lab.Execute(context.Background(), job(adapters.LoRA{}, cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Final.Eval != other.Final.Eval || res.Final.Eval == res.History[len(res.History)-2].Eval {
		t.Errorf("final eval loss %g is not the one at step 55 (%g; step 50 had %g)", res.Final.Eval, other.Final.Eval, res.History[len(res.History)-2].Eval)
	}
}

// TestDeterminism proves a run is a function of its settings: for every
// method, two runs with the same seed and config give identical Results
// (once the wall-clock Speed is zeroed), and a different seed gives a
// different history.
func TestDeterminism(t *testing.T) {
	run := func(t *testing.T, m lab.Method, seed uint64) *lab.Result {
		cfg := tinyConfig()
		cfg.Seed, cfg.Steps = seed, 60
		res, err := lab.Execute(context.Background(), job(m, cfg), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != lab.Done {
			t.Fatalf("status %s", res.Status)
		}
		res.Speed = lab.Speed{}
		return res
	}
	for _, m := range adapters.All() {
		t.Run(m.Info().Name, func(t *testing.T) {
			a, b, c := run(t, m, 7), run(t, m, 7), run(t, m, 8)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("same seed, different results:\n%+v\n%+v", a, b)
			}
			if reflect.DeepEqual(a.History, c.History) {
				t.Error("seeds 7 and 8 gave the same history")
			}
		})
	}
}

// TestStartRefusesBadConfig proves an invalid config is refused before any
// goroutine starts.
func TestStartRefusesBadConfig(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg := tinyConfig()
	cfg.Rank = setting("width").Int(cfg) + 1
	if r, err := lab.Start(context.Background(), job(adapters.LoRA{}, cfg)); err == nil || r != nil {
		t.Fatalf("Start with rank above the width: run %v, error %v", r, err)
	}
	if res, err := lab.Execute(context.Background(), job(adapters.LoRA{}, cfg), nil); err == nil || res != nil {
		t.Fatalf("Execute with rank above the width: result %v, error %v", res, err)
	}
}
