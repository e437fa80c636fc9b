package kernel

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Team lets one goroutine split its products with a helper goroutine, on a
// second core. A product is cut into tile-aligned chunks (groups of column
// panels, or of 16 rows when n is narrow); the caller and the helper claim
// chunks until none is left, so a helper that is slow to wake costs nothing
// but its share. Results are bit-identical to one thread's.
//
// Between products the helper spins for at most SpinTime, then sleeps until
// the next product: an idle Team uses no CPU. Close stops the helper. A
// Team measures whether splitting pays (see pace): when the other core is
// busy with other work, it computes on the caller alone, and the helper,
// idle, sleeps.
//
// The gonum variant never splits (gonum has its own goroutines).
// A nil *Team is valid and computes on the calling goroutine. A Team is for
// one caller goroutine at a time (its products are not concurrent).
type Team struct {
	ticket atomic.Uint64 // seq<<32 | chunks<<16 | next chunk to claim
	done   atomic.Uint32 // chunks of the current job completed
	seq    uint32        // the current job's number
	j      job           // the current job: rewritten only when all its chunks are done

	helperAsleep, callerAsleep atomic.Bool
	wake, finished             chan struct{} // capacity 1: wake the helper, wake the caller
	stop                       atomic.Bool
	quit, exited               chan struct{}
	closed                     bool
	procs                      int           // GOMAXPROCS when the Team was made
	s                          *scratch      // the helper's scratch
	helped                     atomic.Uint64 // chunks the helper computed (for tests)

	pace pace // whether splitting pays on this machine, now
}

// pace decides, product by product, whether splitting pays: on a machine
// whose other core is busy with other work, a helper that shares a core
// with its caller, or stalls holding a chunk, makes a split product slower
// than one thread. It keeps the average time per multiply-add of split and
// of unsplit products (exponentially weighted) and goes the faster way; now
// and then it tries the other way once (a probe, which sets that way's
// average), so a change (the other core freed, or taken) is noticed. Probes
// come every 32 products, twice as far apart each time one changes nothing
// (at most 1024 apart).
type pace struct {
	split, solo float64 // ns per multiply-add; 0 until measured
	n, next     int     // products decided; the product that probes next
	gap         int     // products between probes
	probe       bool    // the product under way is a probe
}

// faster reports whether splitting is the faster way so far.
func (p *pace) faster() bool { return p.solo == 0 || p.split <= p.solo }

// choose reports whether the next product should be split.
func (p *pace) choose() bool {
	p.n++
	if p.gap == 0 {
		p.gap, p.next = 32, 32
	}
	if p.probe = p.n >= p.next; p.probe {
		p.next = p.n + p.gap
		return !p.faster()
	}
	return p.faster()
}

// record folds a product's time per multiply-add into its way's average.
func (p *pace) record(split bool, ns float64) {
	avg := &p.solo
	if split {
		avg = &p.split
	}
	before := p.faster()
	switch {
	case p.probe || *avg == 0:
		*avg = ns
	default:
		*avg += (ns - *avg) / 8
	}
	if p.probe {
		if p.faster() == before {
			p.gap = min(2*p.gap, 1024)
		} else {
			p.gap = 32
		}
	}
}

// SpinTime is how long an idle helper, or a caller waiting for the helper's
// last chunk, spins before it sleeps.
const SpinTime = 2 * time.Millisecond

// minSplit is the smallest product (m·n·k multiply-adds) worth splitting:
// below it, handing work over costs more than it saves.
const minSplit = 1 << 17

// maxChunks is the most pieces a product is cut into.
const maxChunks = 8

// NewTeam starts a helper goroutine. The owner must call Close. With
// GOMAXPROCS < 2 the Team computes everything on the caller.
func NewTeam() *Team {
	t := &Team{
		wake: make(chan struct{}, 1), finished: make(chan struct{}, 1),
		quit: make(chan struct{}), exited: make(chan struct{}),
		procs: runtime.GOMAXPROCS(0), s: new(scratch),
	}
	go t.helper()
	return t
}

// Close stops the helper goroutine and waits for it to exit. Closing a nil
// or closed Team does nothing. After Close the Team computes on the caller.
func (t *Team) Close() {
	if t == nil || t.closed {
		return
	}
	t.closed = true
	t.stop.Store(true)
	close(t.quit)
	<-t.exited
}

// Gemm is the package's Gemm, split over the Team.
func (t *Team) Gemm(ta, tb bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ar, ac := stored(ta, m, k)
	br, bc := stored(tb, k, n)
	checkMat("A", ar, ac, a, lda)
	checkMat("B", br, bc, b, ldb)
	checkMat("C", m, n, c, ldc)
	j := job{ta: ta, tb: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	if j.setup() {
		t.do(&j)
	}
}

// GemmPacked is the package's GemmPacked, split over the Team.
func (t *Team) GemmPacked(ta bool, m int, alpha float64, a []float64, lda int, p *Packed, beta float64, c []float64, ldc int) {
	if p.Empty() {
		panic("kernel: GemmPacked with an empty Packed")
	}
	k, n := p.Dims()
	ar, ac := stored(ta, m, k)
	checkMat("A", ar, ac, a, lda)
	checkMat("C", m, n, c, ldc)
	j := job{ta: ta, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, p: p, beta: beta, c: c, ldc: ldc}
	if j.setup() {
		p.ready(j.v)
		t.do(&j)
	}
}

// do computes j, split over the team when that is worth it.
func (t *Team) do(j *job) {
	// gonum splits large products over its own goroutines, with a summation
	// order that depends on the sizes: splitting for it would change bits.
	if t == nil || t.closed || t.procs < 2 || j.v.kind == kindGonum || j.m*j.n*j.k < minSplit {
		s := getScratch()
		j.run(0, s)
		putScratch(s)
		return
	}
	if np := j.panels(); np >= 4 {
		j.byCols, j.chunks = true, min(np, maxChunks)
	} else {
		j.chunks = min((j.m+rowAlign-1)/rowAlign, maxChunks)
	}
	if j.chunks < 2 {
		j.chunks, j.byCols = 1, false
		s := getScratch()
		j.run(0, s)
		putScratch(s)
		return
	}
	macs := float64(j.m * j.n * j.k)
	start := time.Now()
	if !t.pace.choose() {
		j.chunks, j.byCols = 1, false
		s := getScratch()
		j.run(0, s)
		putScratch(s)
		t.pace.record(false, float64(time.Since(start))/macs)
		return
	}
	t.seq++
	t.j = *j
	t.done.Store(0)
	t.ticket.Store(uint64(t.seq)<<32 | uint64(j.chunks)<<16)
	if t.helperAsleep.Load() {
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
	s := getScratch()
	for {
		i, ok := t.claim(t.seq)
		if !ok {
			break
		}
		t.j.run(i, s)
		t.done.Add(1)
	}
	putScratch(s)
	t.waitDone(uint32(j.chunks))
	t.pace.record(true, float64(time.Since(start))/macs)
}

// claim takes the next chunk of job seq, if one is left.
func (t *Team) claim(seq uint32) (int, bool) {
	for {
		v := t.ticket.Load()
		next, chunks := uint32(v)&0xffff, uint32(v>>16)&0xffff
		if uint32(v>>32) != seq || next >= chunks {
			return 0, false
		}
		if t.ticket.CompareAndSwap(v, v+1) {
			return int(next), true
		}
	}
}

// waitDone waits until all chunks of the current job are complete: the
// helper may still be computing the last one it claimed.
func (t *Team) waitDone(chunks uint32) {
	if spin(SpinTime, func() bool { return t.done.Load() >= chunks }) {
		return
	}
	t.callerAsleep.Store(true)
	for t.done.Load() < chunks {
		<-t.finished
	}
	t.callerAsleep.Store(false)
}

// helper is the helper goroutine: it claims chunks of each new job, then
// spins for a while and sleeps until the next.
func (t *Team) helper() {
	defer close(t.exited)
	var last uint32
	for {
		v := t.ticket.Load()
		if seq := uint32(v >> 32); seq != last {
			last = seq
			chunks := uint32(v>>16) & 0xffff
			for {
				i, ok := t.claim(seq)
				if !ok {
					break
				}
				t.j.run(i, t.s)
				t.helped.Add(1)
				if t.done.Add(1) == chunks && t.callerAsleep.Load() {
					select {
					case t.finished <- struct{}{}:
					default:
					}
				}
			}
			continue
		}
		if spin(SpinTime, func() bool { return uint32(t.ticket.Load()>>32) != last || t.stop.Load() }) && !t.stop.Load() {
			continue
		}
		t.helperAsleep.Store(true)
		if uint32(t.ticket.Load()>>32) != last {
			t.helperAsleep.Store(false)
			continue
		}
		select {
		case <-t.wake:
		case <-t.quit:
			return
		}
		t.helperAsleep.Store(false)
	}
}

// spin polls cond until it is true (and returns true) or d has passed
// (and returns false), pausing the core between polls.
func spin(d time.Duration, cond func() bool) bool {
	var start time.Time
	for i := 0; ; i++ {
		if cond() {
			return true
		}
		spinPause(8)
		if i%64 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > d {
				return false
			}
		}
	}
}
