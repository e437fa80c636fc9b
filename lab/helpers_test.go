package lab_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// catalog is every method and task the program offers.
var catalog = lab.Catalog{Methods: adapters.All(), Tasks: tasks.All()}

// defaults are the default settings: LoRA on the shift task.
func defaults() lab.Config { return catalog.Defaults() }

// with sets settings by flag name (name, value, name, value, …) as a
// person would type them, panicking on a mistake in the test itself.
func with(c lab.Config, kv ...any) lab.Config {
	for i := 0; i < len(kv); i += 2 {
		s, err := catalog.Setting(kv[i].(string))
		if err != nil {
			panic(err)
		}
		if err := s.Set(&c, fmt.Sprint(kv[i+1])); err != nil {
			panic(err)
		}
	}
	return c
}

// setting returns the setting called name.
func setting(name string) lab.Setting {
	s, err := catalog.Setting(name)
	if err != nil {
		panic(err)
	}
	return s
}

// job is method m on the shift task with cfg.
func job(m lab.Method, cfg lab.Config) lab.Job {
	return lab.Job{Method: m, Task: tasks.Shift{}, Config: cfg}
}

// prepare resolves cfg for m on the shift task.
func prepare(m lab.Method, cfg lab.Config) (lab.Config, error) {
	j, err := lab.Prepare(job(m, cfg))
	return j.Config, err
}

// tinyConfig is a very small run on the shift task: thousands of steps a
// second even under -race.
func tinyConfig() lab.Config {
	c := defaults()
	c.Batch, c.Rank, c.Alpha, c.Steps, c.EvalEvery = 8, 2, 2, 200, 10 // α = r: s = 1
	return with(c, "width", 8, "depth", 2, "task-rank", 2, "train-size", 64, "eval-size", 16)
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
	r, err := lab.Start(ctx, job(adapters.LoRA{}, cfg))
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
