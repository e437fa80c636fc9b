package lab_test

import (
	"context"
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// raceJobs returns one job per method with identical settings.
func raceJobs(steps int) []lab.Job {
	cfg := defaults()
	cfg.Steps, cfg.EvalEvery = steps, steps/4
	cfg = with(cfg, "width", 32, "depth", 3)
	var jobs []lab.Job
	for _, m := range adapters.All() {
		jobs = append(jobs, job(m, cfg))
	}
	return jobs
}

// TestRaceSeesIdenticalData proves every method in a race starts from the same
// base weights and sees the same eval set and the same batches in the same
// order: their data digests are equal, and change with the seed. Their
// starting eval losses are equal — bitwise, except PiSSA's, whose residual +
// s·B·A is the base weight to rounding.
func TestRaceSeesIdenticalData(t *testing.T) {
	res, err := lab.ExecuteAll(context.Background(), raceJobs(60), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res[1:] {
		if r.DataDigest != res[0].DataDigest {
			t.Errorf("%s saw data %v, %s saw %v", r.Method, r.DataDigest, res[0].Method, res[0].DataDigest)
		}
		a, b := r.History[0].Eval, res[0].History[0].Eval
		if r.Method == "pissa" && math.Abs(a-b) <= 1e-12*b {
			continue
		}
		if a != b {
			t.Errorf("%s starts at eval loss %v, %s at %v: not the same base model", r.Method, r.History[0].Eval, res[0].Method, res[0].History[0].Eval)
		}
	}
	jobs := raceJobs(60)[:1]
	jobs[0].Config.Seed = 2
	other, err := lab.ExecuteAll(context.Background(), jobs, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if other[0].DataDigest == res[0].DataDigest {
		t.Error("a different seed gave the same data digest: the digest does not see the data")
	}
}

// TestRaceIndependentOfWorkers runs the same race with one worker and with
// three: every number but the timings must be identical.
func TestRaceIndependentOfWorkers(t *testing.T) {
	one, err := lab.ExecuteAll(context.Background(), raceJobs(80), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	three, err := lab.ExecuteAll(context.Background(), raceJobs(80), 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range one {
		a, b := *one[i], *three[i]
		a.Speed, b.Speed = lab.Speed{}, lab.Speed{}
		if a.Final != b.Final || a.Memory != b.Memory || a.Params != b.Params || a.DataDigest != b.DataDigest || len(a.History) != len(b.History) {
			t.Fatalf("%s differs between 1 and 3 workers: %+v vs %+v", a.Method, a.Final, b.Final)
		}
		for k := range a.History {
			if a.History[k] != b.History[k] {
				t.Fatalf("%s history point %d differs: %+v vs %+v", a.Method, k, a.History[k], b.History[k])
			}
		}
	}
}

// BenchmarkRace measures a race of the six methods at the default size with
// one and with two workers; total steps/s is the throughput.
func BenchmarkRace(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[workers], func(b *testing.B) {
			cfg := defaults()
			cfg.Steps = 500
			var jobs []lab.Job
			for _, m := range adapters.All() {
				jobs = append(jobs, job(m, cfg))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := lab.ExecuteAll(context.Background(), jobs, workers, nil); err != nil {
					b.Fatal(err)
				}
			}
			steps := float64(b.N * len(jobs) * cfg.Steps)
			b.ReportMetric(steps/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// TestPoolServesInStartOrder: with one seat, runs train in the order they
// were started, and a run cancelled while queued gives its place up.
func TestPoolServesInStartOrder(t *testing.T) {
	cfg := defaults()
	// A run releases its seat just before its Done closes (after its result
	// is computed): the next run's training must take longer than that gap,
	// or it could end first. 300 steps do, even with the fast kernel.
	cfg.Steps, cfg.EvalEvery = 300, 100
	cfg = with(cfg, "width", 16, "depth", 2)
	pool := lab.NewSeatedPool(1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runs []*lab.Run
	cancelled, stop := context.WithCancel(ctx)
	for i := 0; i < 5; i++ {
		c := ctx
		if i == 2 {
			c = cancelled
		}
		r, err := lab.StartIn(c, pool, job(adapters.LoRA{}, cfg))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	stop() // run 2 leaves the line
	// With one slot, a run can only train after the runs before it in line
	// have released it: when run k ends, no run after it may have ended.
	order := []int{0, 1, 3, 4}
	for k, want := range order {
		<-runs[want].Done()
		for _, later := range order[k+1:] {
			select {
			case <-runs[later].Done():
				t.Fatalf("run %d ended before run %d, which was started first", later, want)
			default:
			}
		}
	}
	if st := runs[2].Result().Status; st != lab.Cancelled {
		t.Errorf("run cancelled while queued ended %s", st)
	}
}

// TestPoolInterleavesRuns: with one core and room for every run, the runs
// take turns: the last one started has trained before the first one ends,
// so every curve of a race moves from the start.
func TestPoolInterleavesRuns(t *testing.T) {
	cfg := tinyConfig()
	cfg.Steps, cfg.EvalEvery = 20_000, 5_000
	pool := lab.NewPool(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runs []*lab.Run
	for i := 0; i < 3; i++ {
		r, err := lab.StartIn(ctx, pool, job(adapters.LoRA{}, cfg))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	last := runs[len(runs)-1]
	stepped := make(chan int, 1)
	go func() {
		max := 0
		for p := range last.Events() {
			max = p.Step
			if max > 0 {
				break
			}
		}
		stepped <- max
		for range last.Events() {
		}
	}()
	for _, r := range runs[:len(runs)-1] {
		go func() {
			for range r.Events() {
			}
		}()
	}
	select {
	case <-runs[0].Done():
		t.Fatal("the first run ended before the last one had trained a step")
	case s := <-stepped:
		if s == 0 {
			t.Fatal("the last run never trained")
		}
		select {
		case <-runs[0].Done():
			t.Fatal("the first run ended before the last one's first progress")
		default:
		}
	}
	cancel()
	for _, r := range runs {
		<-r.Done()
	}
}
