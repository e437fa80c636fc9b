package lab

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Pool shares the machine's cores and memory between runs. It has two
// lines, both first come, first served:
//
//   - seats: a run started in a pool waits (status Queued) until it is
//     seated — up to MaxSeated runs at once hold their model and data in
//     memory, and only while the bytes they hold together (MemoryOf each)
//     stay within the pool's memory budget;
//   - cores: a seated run trains only while it holds one of the pool's
//     cores, and gives it back after a Quantum of training whenever another
//     run waits for one, so that all the runs of a race progress together
//     (every curve moves from the first second).
//
// Results never depend on the pool's size, its budget or on how the turns
// fall: each run is independent and deterministic.
type Pool struct {
	mu          sync.Mutex
	cores       int // runs that train at once
	busy        int // cores taken
	coreLine    []chan struct{}
	seated      int
	seatedBytes int64 // what the seated runs hold together
	seatLine    []*seat
	maxSeated   int
	budget      int64 // the most the seated runs may hold together
	budgetSet   bool  // budget was given (SetBudget), not DefaultMemoryBudget
}

// MaxSeated is how many runs of one pool may hold their model and data at once.
const MaxSeated = 64

// seat is a run's place in its pool: admitted is closed once it is seated.
type seat struct {
	admitted chan struct{}
	bytes    int64 // what the run holds once seated (MemoryOf)
	seated   bool
	left     bool
}

// NewPool returns a pool of n cores; n ≤ 0 means one per core of the
// machine. Its memory budget is DefaultMemoryBudget.
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Pool{cores: n, maxSeated: MaxSeated, budget: DefaultMemoryBudget()}
}

// NewSeatedPool returns a pool of n cores (≤ 0: one per core of the
// machine) that seats at most seats runs at once (≤ 0: MaxSeated), within
// DefaultMemoryBudget.
func NewSeatedPool(n, seats int) *Pool {
	p := NewPool(n)
	if seats > 0 {
		p.maxSeated = seats
	}
	return p
}

// SetBudget sets the bytes the pool's seated runs may hold together (≤ 0:
// DefaultMemoryBudget). Call it before starting runs in the pool.
func (p *Pool) SetBudget(bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.budget, p.budgetSet = bytes, bytes > 0
	if bytes <= 0 {
		p.budget = DefaultMemoryBudget()
	}
}

// Budget is the bytes the pool's seated runs may hold together.
func (p *Pool) Budget() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.budget
}

// Size is the number of runs that may train at once.
func (p *Pool) Size() int { return p.cores }

// Admission is how a pool will seat a list of jobs started in it together.
type Admission struct {
	Runs   int   // the jobs
	AtOnce int   // how many hold their memory at once: the first ones in line
	Bytes  int64 // what all the jobs would hold together
	Budget int64 // the pool's memory budget
	// ByMemory says the budget, not the pool's seats, keeps AtOnce below Runs.
	ByMemory bool
	// Given says the budget was set (Pool.SetBudget), not the default.
	Given bool
}

// budgetText names the budget for messages.
func (a Admission) budgetText() string {
	if a.Given {
		return "the memory budget of " + gib(a.Budget)
	}
	return "the memory budget of " + gib(a.Budget) + " (half the memory available)"
}

// Note says, on one line, that memory lowers the number of runs seated at
// once, or "" if it does not.
func (a Admission) Note() string {
	if !a.ByMemory {
		return ""
	}
	return fmt.Sprintf("the %d runs would hold about %s together, more than %s; %d at a time hold their memory, the others wait",
		a.Runs, gib(a.Bytes), a.budgetText(), a.AtOnce)
}

// Short is Note in a few words for a status line ("memory: 2 of 6 at a
// time, 9.1 GiB together, budget 4 GiB"), or "" if memory does not lower
// the runs seated.
func (a Admission) Short() string {
	if !a.ByMemory {
		return ""
	}
	return fmt.Sprintf("memory: %d of %d at a time, %s together, budget %s", a.AtOnce, a.Runs, gib(a.Bytes), gib(a.Budget))
}

// Admit says how the pool will seat jobs started in it together, when it
// is empty, and refuses, with the estimate, a job that alone would hold
// more than the pool's budget (it could never be seated beside another
// and would overrun the memory alone).
func (p *Pool) Admit(jobs []Job) (Admission, error) {
	p.mu.Lock()
	budget, seats, given := p.budget, p.maxSeated, p.budgetSet
	p.mu.Unlock()
	a := Admission{Runs: len(jobs), Budget: budget, Given: given}
	held, seated, full := int64(0), 0, false
	for _, j := range jobs {
		b := MemoryOf(j).Total()
		if b > budget {
			return a, fmt.Errorf("%s: the run would hold about %s, more than %s; make it smaller",
				j.Method.Info().Name, gib(b), a.budgetText())
		}
		a.Bytes += b
		if full {
			continue
		}
		if seated >= seats || (seated > 0 && held+b > budget) {
			full = true
			a.ByMemory = seated < seats
			continue
		}
		seated++
		held += b
	}
	a.AtOnce = seated
	return a, nil
}

// enqueue takes a place in the line for seats for a run that holds bytes
// once seated. Called from the goroutine that starts the run, so the order
// of StartIn calls is the order of service.
func (p *Pool) enqueue(bytes int64) *seat {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &seat{admitted: make(chan struct{}), bytes: bytes}
	p.seatLine = append(p.seatLine, s)
	p.admitWaiting()
	return s
}

// fits reports whether a run of b bytes may be seated now: a seat is free
// and the budget allows it (a run alone is always seated, so that the
// line moves whatever its size).
func (p *Pool) fits(b int64) bool {
	return p.seated < p.maxSeated && (p.seated == 0 || p.seatedBytes+b <= p.budget)
}

// admitWaiting seats the runs at the head of the line while they fit.
func (p *Pool) admitWaiting() {
	for len(p.seatLine) > 0 && p.fits(p.seatLine[0].bytes) {
		s := p.seatLine[0]
		p.seatLine = p.seatLine[1:]
		p.seated++
		p.seatedBytes += s.bytes
		s.seated = true
		close(s.admitted)
	}
}

// leave gives a seat back (or the place in line, if it was not seated yet),
// seating the runs in line that fit now. A second call does nothing.
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
	} else if s.seated {
		p.seated--
		p.seatedBytes -= s.bytes
	}
	p.admitWaiting()
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
// within DefaultMemoryBudget and returns their results in job order; see
// ExecuteIn.
func ExecuteAll(ctx context.Context, jobs []Job, workers int, onProgress func(job int, p Progress)) ([]*Result, error) {
	return ExecuteIn(ctx, NewPool(workers), jobs, onProgress)
}

// ExecuteIn runs every job in pool and returns their results in job order.
// onProgress, if not nil, is called with the job's index for every progress
// event, from the caller's goroutine (events of all runs are merged). Every
// job is validated before any starts, and jobs[i].Config is replaced by its
// resolved form (Prepare's); a job too large for the pool's memory budget
// is refused (Pool.Admit) before any starts.
func ExecuteIn(ctx context.Context, pool *Pool, jobs []Job, onProgress func(job int, p Progress)) ([]*Result, error) {
	for i := range jobs {
		job, err := Prepare(jobs[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", jobs[i].Method.Info().Name, err)
		}
		jobs[i] = job
	}
	if _, err := pool.Admit(jobs); err != nil {
		return nil, err
	}
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
