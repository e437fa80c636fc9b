package lab_test

import (
	"context"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// raceJobs returns one job per method with identical settings.
func raceJobs(steps int) []lab.Job {
	cfg := lab.Defaults()
	cfg.Steps, cfg.EvalEvery, cfg.Width, cfg.Depth = steps, steps/4, 32, 3
	var jobs []lab.Job
	for _, m := range adapters.All() {
		jobs = append(jobs, lab.Job{Method: m, Config: cfg})
	}
	return jobs
}

// TestRaceSeesIdenticalData proves every method in a race starts from the same
// base weights and sees the same eval set and the same batches in the same
// order: their data digests are equal, and change with the seed.
func TestRaceSeesIdenticalData(t *testing.T) {
	res, err := lab.ExecuteAll(context.Background(), raceJobs(60), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res[1:] {
		if r.DataDigest != res[0].DataDigest {
			t.Errorf("%s saw data %v, %s saw %v", r.Method, r.DataDigest, res[0].Method, res[0].DataDigest)
		}
		if r.History[0].Eval != res[0].History[0].Eval {
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
			cfg := lab.Defaults()
			cfg.Steps = 500
			var jobs []lab.Job
			for _, m := range adapters.All() {
				jobs = append(jobs, lab.Job{Method: m, Config: cfg})
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

// TestPoolServesInStartOrder: with one slot, runs train in the order they
// were started, and a run cancelled while queued gives its place up.
func TestPoolServesInStartOrder(t *testing.T) {
	cfg := lab.Defaults()
	// A run releases its slot just before its Done closes (after its result
	// is computed): the next run's training must take longer than that gap,
	// or it could end first. 300 steps do, even with the fast kernel.
	cfg.Steps, cfg.Width, cfg.Depth, cfg.EvalEvery = 300, 16, 2, 100
	pool := lab.NewPool(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runs []*lab.Run
	cancelled, stop := context.WithCancel(ctx)
	for i := 0; i < 5; i++ {
		c := ctx
		if i == 2 {
			c = cancelled
		}
		r, err := lab.StartIn(c, pool, adapters.LoRA{}, cfg)
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
