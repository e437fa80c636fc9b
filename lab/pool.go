package lab

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Pool shares the machine's cores between runs. It has two lines, both
// first come, first served:
//
//   - seats: a run started in a pool waits (status Queued) until it is
//     seated — up to MaxSeated runs at once hold their model and data in
//     memory;
//   - cores: a seated run trains only while it holds one of the pool's
//     cores, and gives it back after a Quantum of training whenever another
//     run waits for one, so that all the runs of a race progress together
//     (every curve moves from the first second).
//
// Results never depend on the pool's size or on how the turns fall: each
// run is independent and deterministic.
type Pool struct {
	mu        sync.Mutex
	cores     int // runs that train at once
	busy      int // cores taken
	coreLine  []chan struct{}
	seated    int
	seatLine  []*seat
	maxSeated int
}

// MaxSeated is how many runs of one pool may hold their model and data at once.
const MaxSeated = 64

// seat is a run's place in its pool: admitted is closed once it is seated.
type seat struct {
	admitted chan struct{}
	left     bool
}

// NewPool returns a pool of n cores; n ≤ 0 means one per core of the machine.
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Pool{cores: n, maxSeated: MaxSeated}
}

// NewSeatedPool returns a pool of n cores (≤ 0: one per core of the
// machine) that seats at most seats runs at once (≤ 0: MaxSeated).
func NewSeatedPool(n, seats int) *Pool {
	p := NewPool(n)
	if seats > 0 {
		p.maxSeated = seats
	}
	return p
}

// Size is the number of runs that may train at once.
func (p *Pool) Size() int { return p.cores }

// enqueue takes a place in the line for seats. Called from the goroutine
// that starts the run, so the order of StartIn calls is the order of service.
func (p *Pool) enqueue() *seat {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &seat{admitted: make(chan struct{})}
	if p.seated < p.maxSeated {
		p.seated++
		close(s.admitted)
		return s
	}
	p.seatLine = append(p.seatLine, s)
	return s
}

// leave gives a seat back (or the place in line, if it was not seated yet),
// seating the next run in line. A second call does nothing.
func (p *Pool) leave(s *seat) {
	if p == nil || s == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.left {
		return
	}
	s.left = true
	if i := slices.Index(p.seatLine, s); i >= 0 {
		p.seatLine = slices.Delete(p.seatLine, i, i+1)
		return
	}
	if len(p.seatLine) > 0 {
		next := p.seatLine[0]
		p.seatLine = p.seatLine[1:]
		close(next.admitted)
		return
	}
	p.seated--
}

// acquire asks for a core: the returned channel is closed once it is the
// caller's. Give it back with release, or cancel the request.
func (p *Pool) acquire() chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	ticket := make(chan struct{})
	if p.busy < p.cores && len(p.coreLine) == 0 {
		p.busy++
		close(ticket)
		return ticket
	}
	p.coreLine = append(p.coreLine, ticket)
	return ticket
}

// cancel withdraws a request for a core (or gives the core back, if it was
// granted just as the caller gave up).
func (p *Pool) cancel(ticket chan struct{}) {
	p.mu.Lock()
	if i := slices.Index(p.coreLine, ticket); i >= 0 {
		p.coreLine = slices.Delete(p.coreLine, i, i+1)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.release()
}

// release gives a core back, handing it to the first run in line.
func (p *Pool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.coreLine) > 0 {
		close(p.coreLine[0])
		p.coreLine = p.coreLine[1:]
		return
	}
	p.busy--
}

// contended reports whether some run waits for a core.
func (p *Pool) contended() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.coreLine) > 0
}

// ExecuteAll runs every job in a pool of `workers` cores (≤ 0: one per core)
// and returns their results in job order. onProgress, if not nil, is called
// with the job's index for every progress event, from the caller's goroutine
// (events of all runs are merged). Every job is validated before any starts,
// and jobs[i].Config is replaced by its resolved form (Prepare's).
func ExecuteAll(ctx context.Context, jobs []Job, workers int, onProgress func(job int, p Progress)) ([]*Result, error) {
	for i := range jobs {
		job, err := Prepare(jobs[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", jobs[i].Method.Info().Name, err)
		}
		jobs[i] = job
	}
	pool := NewPool(workers)
	runs := make([]*Run, len(jobs))
	for i, j := range jobs {
		runs[i] = startPrepared(ctx, pool, j)
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
