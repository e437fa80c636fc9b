package tui

import (
	"context"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/lab"
)

// batchInterval is the shortest time between two progress messages reaching
// the UI, whatever the number of runs and their step rates.
const batchInterval = 40 * time.Millisecond

// runKind says which key space a run lives in: a method's run (one slot per
// method) or a run of the current sweep.
type runKind uint8

const (
	methodRun runKind = iota // the run of method Index (Lab.Runs)
	sweepRun                 // run Index of the current sweep (SweepState.Runs)
)

// runID names a run in the UI: its kind, its index in that kind's slots,
// and its seed's place there (0: the slot's own run; k: its k-th Reps, the
// run at the k-th seed after its own).
type runID struct {
	Kind  runKind
	Index int
	Seed  int
}

// methodID and sweepID are the ids of method i's run and of sweep run k;
// seedID and sweepSeedID those of their runs at the k-th seed after theirs.
func methodID(i int) runID         { return runID{methodRun, i, 0} }
func sweepID(k int) runID          { return runID{sweepRun, k, 0} }
func seedID(i, k int) runID        { return runID{methodRun, i, k} }
func sweepSeedID(run, k int) runID { return runID{sweepRun, run, k} }

// runUpdate is what one run reported since the previous batch: its latest
// progress, every history point in order, and its result once it has ended.
// ID and Gen say which run it is; an update whose generation no longer
// matches the UI's run is a late one from a stopped run and is dropped.
type runUpdate struct {
	ID          runID
	Gen         int
	HasProgress bool
	Progress    lab.Progress // the latest event (its Points are in Points)
	Points      []lab.Point  // every point since the previous batch, in order
	Result      *lab.Result  // not nil once the run has ended
}

// searchUpdate is what the learning-rate search of a tuned race reported
// since the previous batch: its search runs ended and in all, and once it
// is over (Done) the searches or the error that ended it (the context's,
// when it was stopped). Gen says which search it is.
type searchUpdate struct {
	Gen      int
	Progress lab.TuneProgress
	Done     bool
	Tunings  []lab.Tuning
	Err      error
}

// batchMsg carries the updates of every run since the previous batch, and
// the search's, if it reported.
type batchMsg struct {
	Updates []runUpdate
	Search  *searchUpdate
}

// runKey is one generation of a run: the hub's key for its pending update.
type runKey struct {
	id  runID
	gen int
}

// hub merges the progress events of every run into one batchMsg per
// batchInterval at most. One forwarding goroutine per run reads its events;
// one batching goroutine hands batches to the UI's listen command. All of
// them end when the hub's context is cancelled (or their run ends).
type hub struct {
	ctx      context.Context
	mu       sync.Mutex
	pending  map[runKey]*runUpdate
	order    []runKey
	searched *searchUpdate // the search's latest report, if not yet taken
	notify   chan struct{}
	out      chan batchMsg
	wg       sync.WaitGroup
}

// newHub starts the batching goroutine; it stops when ctx is cancelled.
func newHub(ctx context.Context) *hub {
	h := &hub{ctx: ctx, pending: map[runKey]*runUpdate{}, notify: make(chan struct{}, 1), out: make(chan batchMsg)}
	h.wg.Add(1)
	go h.batch()
	return h
}

// watch forwards r's events (and finally its result) under id and gen.
func (h *hub) watch(id runID, gen int, r *lab.Run) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for p := range r.Events() {
			h.put(id, gen, &p, nil)
		}
		h.put(id, gen, nil, r.Result())
	}()
}

func (h *hub) put(id runID, gen int, p *lab.Progress, res *lab.Result) {
	k := runKey{id, gen}
	h.mu.Lock()
	u := h.pending[k]
	if u == nil {
		u = &runUpdate{ID: id, Gen: gen}
		h.pending[k] = u
		h.order = append(h.order, k)
	}
	if p != nil {
		u.HasProgress = true
		u.Points = append(u.Points, p.Points...)
		u.Progress = *p
		u.Progress.Points = nil
	}
	if res != nil {
		u.Result = res
	}
	h.mu.Unlock()
	select {
	case h.notify <- struct{}{}:
	default:
	}
}

// search runs lab.TuneLR over jobs in pool (the lab's: the search shares its
// cores and memory budget) in its own goroutine (one of the hub's:
// wait waits for it) and forwards its progress and its outcome under gen.
// Cancelling ctx stops it after the search runs' current steps.
func (h *hub) search(ctx context.Context, gen int, pool *lab.Pool, jobs []lab.Job, grid []float64, horizon int, tune tuneFunc) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t, err := tune(ctx, pool, jobs, grid, horizon, func(p lab.TuneProgress) {
			h.putSearch(searchUpdate{Gen: gen, Progress: p})
		})
		h.putSearch(searchUpdate{Gen: gen, Done: true, Tunings: t, Err: err})
	}()
}

// tuneFunc is lab.TuneLR's signature (tests put a stand-in in Lab.tune).
type tuneFunc func(ctx context.Context, pool *lab.Pool, jobs []lab.Job, grid []float64, horizon int, onProgress func(lab.TuneProgress)) ([]lab.Tuning, error)

// putSearch keeps the search's latest report (its outcome is its last;
// an older search's report, if not yet taken, is stale and dropped).
func (h *hub) putSearch(u searchUpdate) {
	h.mu.Lock()
	h.searched = &u
	h.mu.Unlock()
	select {
	case h.notify <- struct{}{}:
	default:
	}
}

func (h *hub) take() batchMsg {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]runUpdate, 0, len(h.order))
	for _, k := range h.order {
		out = append(out, *h.pending[k])
	}
	clear(h.pending)
	h.order = h.order[:0]
	b := batchMsg{Updates: out, Search: h.searched}
	h.searched = nil
	return b
}

func (h *hub) batch() {
	defer h.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-h.notify:
		}
		b := h.take()
		if len(b.Updates) == 0 && b.Search == nil {
			continue
		}
		select {
		case h.out <- b:
		case <-h.ctx.Done():
			return
		}
		timer.Reset(batchInterval)
		select {
		case <-timer.C:
		case <-h.ctx.Done():
			return
		}
	}
}

// listen is the command that waits for the next batch; the root re-arms it
// after every batchMsg. It returns nil once the hub's context has ended.
func (h *hub) listen() tea.Cmd {
	return func() tea.Msg {
		select {
		case b := <-h.out:
			return b
		case <-h.ctx.Done():
			return nil
		}
	}
}

// wait blocks until every goroutine of the hub has ended. Cancel its
// context first.
func (h *hub) wait() { h.wg.Wait() }
