package lab

import (
	"context"
	"time"
)

// controller is the run goroutine's side of its controls, its turns in the
// pool and its progress events: everything around the learning.
type controller struct {
	r     *Run
	ctx   context.Context
	t     *trainer  // nil until the network is built
	early []control // controls that arrived while the run waited for its seat

	status       Status
	lr           float64 // a learning rate set before the trainer existed (0: none)
	paused       bool
	pendingSteps int       // single steps asked for while paused
	speed        float64   // steps per second cap (0: none)
	next         time.Time // when the next step may start under the cap

	holding     bool          // holds one of the pool's cores
	heldSince   time.Time     // when it took the core
	active      time.Duration // time spent training on a core (pauses and waits excluded)
	activeSince time.Time     // zero unless the clock runs
	started     time.Time
	lastEmit    time.Time
}

// Quantum is how long a run keeps a core of its pool while other runs wait
// for one: the runs of a race take turns, so every curve moves from the start.
const Quantum = 20 * time.Millisecond

// waitForSeat waits for the run's turn to be admitted into its pool,
// keeping the controls that arrive meanwhile (so callers never block on a
// queued run). It returns false if ctx ended first.
func (c *controller) waitForSeat() bool {
	for {
		select {
		case <-c.r.seat.admitted:
			return true
		case <-c.r.wake:
			c.early = append(c.early, c.r.received()...)
		case <-c.ctx.Done():
			c.r.pool.leave(c.r.seat)
			return false
		}
	}
}

// turn is called before every step: it applies the controls that arrived,
// waits while the run is paused or ahead of its speed cap, and takes a core
// of the pool. It returns false if the run was cancelled.
func (c *controller) turn() bool {
	for {
		if c.ctx.Err() != nil {
			return false
		}
		c.applyAll(c.r.received())
		if c.paused && c.pendingSteps == 0 {
			c.yield()
			// Report the pause even if an older event is still queued: a
			// dropped "paused" event would leave the consumer showing a
			// running run.
			select {
			case c.r.events <- c.progress():
				c.sent()
			case <-c.ctx.Done():
				return false
			case <-c.r.wake:
				continue
			}
			select {
			case <-c.ctx.Done():
				return false
			case <-c.r.wake:
			}
			continue
		}
		if c.speed > 0 {
			now := time.Now()
			if c.next.IsZero() || c.next.Before(now.Add(-time.Second)) {
				c.next = now
			}
			if wait := c.next.Sub(now); wait > 0 {
				c.yield()
				if time.Since(c.lastEmit) >= ProgressInterval {
					c.emit(false)
				}
				timer := time.NewTimer(wait)
				select {
				case <-c.ctx.Done():
					timer.Stop()
					return false
				case <-c.r.wake:
					timer.Stop()
				case <-timer.C:
				}
				continue
			}
			c.next = c.next.Add(time.Duration(float64(time.Second) / c.speed))
		}
		if !c.hold() {
			continue // cancelled, paused or re-paced while waiting for a core
		}
		if c.paused {
			c.pendingSteps-- // this step is one of the single steps asked for
		}
		return true
	}
}

// claim waits until the run holds a core (keeping the controls that arrive
// meanwhile for when the run starts) and reports false if ctx ended first.
func (c *controller) claim() bool {
	for {
		if c.ctx.Err() != nil {
			return false
		}
		if c.hold() {
			return true
		}
		c.early = append(c.early, c.r.received()...)
	}
}

// afterStep sends progress when it is due.
func (c *controller) afterStep() {
	if time.Since(c.lastEmit) >= ProgressInterval {
		c.emit(false)
	}
}

// hold makes sure the run holds a core: it keeps the one it has unless its
// quantum is spent and another run waits, else it waits in line for one.
// It returns false if a control or the end of ctx interrupted the wait.
func (c *controller) hold() bool {
	pool := c.r.pool
	if pool == nil {
		if !c.holding {
			c.holding, c.activeSince = true, time.Now()
		}
		return true
	}
	if c.holding {
		if time.Since(c.heldSince) < Quantum || !pool.contended() {
			return true
		}
		c.yield()
	}
	wait := pool.acquire()
	select {
	case <-wait:
	case <-c.ctx.Done():
		pool.cancel(wait)
		return false
	case <-c.r.wake:
		pool.cancel(wait)
		return false
	}
	now := time.Now()
	c.holding, c.heldSince, c.activeSince = true, now, now
	return true
}

// yield gives the core back (and stops the run's clock) if it holds one.
func (c *controller) yield() {
	if !c.holding {
		return
	}
	c.holding = false
	c.active += time.Since(c.activeSince)
	c.activeSince = time.Time{}
	if c.r.pool != nil {
		c.r.pool.release()
	}
}

// pauseClock stops the clock of a run that holds no pool core.
func (c *controller) pauseClock() {
	if !c.activeSince.IsZero() {
		c.active += time.Since(c.activeSince)
		c.activeSince = time.Time{}
	}
}

func (c *controller) activeTime() time.Duration {
	a := c.active
	if !c.activeSince.IsZero() {
		a += time.Since(c.activeSince)
	}
	return a
}

func (c *controller) applyAll(cs []control) {
	for _, x := range cs {
		c.apply(x)
	}
}

func (c *controller) apply(x control) {
	switch x.kind {
	case ctrlPause:
		c.paused = true
	case ctrlResume:
		c.paused = false
		c.pendingSteps = 0
	case ctrlStep:
		if c.paused {
			c.pendingSteps++
		}
	case ctrlLR:
		if finite(x.value) && x.value > 0 {
			c.lr = x.value
			if c.t != nil {
				c.t.setLR(x.value)
			}
		}
	case ctrlSpeed:
		if finite(x.value) && x.value >= 0 {
			c.speed = x.value
			c.next = time.Time{} // the new pace starts now, not after the old schedule
		}
	}
}

// emit offers a progress event without blocking. The final event never
// blocks either: if an older event still waits in the channel, the final one
// takes its place and carries its points too, so a consumer that reads to the
// end misses nothing and a run never waits for a reader to finish.
func (c *controller) emit(final bool) {
	p := c.progress()
	if final {
		for {
			select {
			case c.r.events <- p:
				c.sent()
				return
			default:
			}
			select {
			case old := <-c.r.events: // only this goroutine sends, so the next send has room
				p.Points = append(old.Points, p.Points...)
			default:
			}
		}
	}
	select {
	case c.r.events <- p:
		c.sent()
	default:
	}
}

// progress is the run's current state as an event, with the points
// recorded since the last event that was delivered.
func (c *controller) progress() Progress {
	st := c.status
	if c.t != nil && c.t.status.Final() {
		st = c.t.status
	}
	if c.paused && !st.Final() {
		st = Paused
	}
	p := Progress{Steps: c.r.job.Config.Steps, Status: st, LR: c.r.job.Config.LR, Elapsed: time.Since(c.started)}
	if c.lr > 0 {
		p.LR = c.lr
	}
	if t := c.t; t != nil {
		p.LR, p.StepLR = t.baseLR, t.opt.LR
		p.Step, p.TrainLoss, p.EvalLoss, p.ForgetLoss = t.steps, t.trainLoss, t.evalLoss, t.forgetLoss
		if n := len(t.samples); n > 0 {
			p.Sample = t.samples[n-1]
		}
		p.StepsPerSec = stepsPerSec(t.steps, c.activeTime())
		p.Points = t.fresh
		p.Memory, p.Params = t.memory, t.paramCounts
	}
	return p
}

// sent records that an event was delivered: its points are the consumer's now.
func (c *controller) sent() {
	if c.t != nil {
		c.t.fresh = nil
	}
	c.lastEmit = time.Now()
}
