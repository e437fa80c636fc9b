package lab

import (
	"context"
	"runtime"
	"sync"
)

// Pool limits how many runs train at once, so runs share the machine's cores
// instead of fighting over them. A run started in a pool waits (status
// Queued) until a slot is free; slots go to runs in the order they were
// started. Results never depend on the pool's size: each run is independent
// and deterministic.
type Pool struct {
	mu      sync.Mutex
	size    int
	busy    int
	waiting []chan struct{} // first come, first served
}

// NewPool returns a pool of n slots; n ≤ 0 means one per core.
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Pool{size: n}
}

// Size is the number of runs that may train at once.
func (p *Pool) Size() int { return p.size }

// enqueue takes a place in line; the returned channel is closed when the
// slot is ours. Called from the goroutine that starts the run, so the order
// of StartIn calls is the order of service.
func (p *Pool) enqueue() chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	ticket := make(chan struct{})
	if p.busy < p.size {
		p.busy++
		close(ticket)
		return ticket
	}
	p.waiting = append(p.waiting, ticket)
	return ticket
}

// abandon gives a place in line back (or the slot, if it was served just
// as the run gave up).
func (p *Pool) abandon(ticket chan struct{}) {
	p.mu.Lock()
	for i, w := range p.waiting {
		if w == ticket {
			p.waiting = append(p.waiting[:i], p.waiting[i+1:]...)
			p.mu.Unlock()
			return
		}
	}
	p.mu.Unlock()
	p.release()
}

// release frees a slot, handing it to the first run in line.
func (p *Pool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.waiting) > 0 {
		close(p.waiting[0])
		p.waiting = p.waiting[1:]
		return
	}
	p.busy--
}

// StartIn is Start for a run that trains only when the pool has a free slot.
func StartIn(ctx context.Context, pool *Pool, m Method, cfg Config) (*Run, error) {
	cfg, err := Prepare(m, cfg)
	if err != nil {
		return nil, err
	}
	r := newRun(m, cfg)
	r.pool, r.ticket = pool, pool.enqueue()
	go r.loop(ctx)
	return r, nil
}

// Job is one run of a batch of runs: a method and its settings.
type Job struct {
	Method Method
	Config Config
}

// ExecuteAll runs every job in a pool of `workers` slots (≤ 0: one per core)
// and returns their results in job order. onProgress, if not nil, is called
// with the job's index for every progress event, from the caller's goroutine
// (events of all runs are merged). Every job is validated before any starts,
// and jobs[i].Config is replaced by its resolved form (lab.Prepare's).
func ExecuteAll(ctx context.Context, jobs []Job, workers int, onProgress func(job int, p Progress)) ([]*Result, error) {
	for i := range jobs {
		cfg, err := Prepare(jobs[i].Method, jobs[i].Config)
		if err != nil {
			return nil, err
		}
		jobs[i].Config = cfg
	}
	pool := NewPool(workers)
	runs := make([]*Run, len(jobs))
	for i, j := range jobs {
		r, err := StartIn(ctx, pool, j.Method, j.Config)
		if err != nil {
			return nil, err // unreachable: validated above
		}
		runs[i] = r
	}
	type event struct {
		job int
		p   Progress
	}
	merged := make(chan event)
	finished := make(chan struct{})
	for i, r := range runs {
		go func() {
			for p := range r.Events() {
				merged <- event{i, p}
			}
			finished <- struct{}{}
		}()
	}
	for left := len(runs); left > 0; {
		select {
		case e := <-merged:
			if onProgress != nil {
				onProgress(e.job, e.p)
			}
		case <-finished:
			left--
		}
	}
	results := make([]*Result, len(runs))
	for i, r := range runs {
		results[i] = r.Result()
	}
	return results, nil
}
