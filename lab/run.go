package lab

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Status is the state of a run.
type Status string

// The states of a run. Done, Diverged and Cancelled are final.
const (
	Queued    Status = "queued"
	Running   Status = "running"
	Paused    Status = "paused"
	Done      Status = "done"
	Diverged  Status = "diverged"
	Cancelled Status = "cancelled"
)

// Final reports whether s is a final state.
func (s Status) Final() bool { return s == Done || s == Diverged || s == Cancelled }

// ProgressInterval is the shortest time between two progress events of a run:
// at most 25 a second, whatever the step rate.
const ProgressInterval = 40 * time.Millisecond

// Progress is what a run reports while it trains. Points holds the history
// points recorded since the previous event that was delivered: a consumer
// that Adds them to its own History (which merges old points) has the run's
// history, bounded however long the run is.
type Progress struct {
	Step        int
	Steps       int
	TrainLoss   float64       // last training-batch loss
	EvalLoss    float64       // last eval loss
	StepsPerSec float64       // over the time spent training (pauses excluded)
	Elapsed     time.Duration // wall time since training started, pauses included
	LR          float64       // the learning rate in use (it can change while running)
	Status      Status
	Points      []Point
	Memory      Memory // bytes the run's ledger holds, by category (zero while queued)
	Params      Params // parameter counts (zero while queued)
}

// Params counts the model's parameters.
type Params struct {
	Total     int `json:"total"`
	Trainable int `json:"trainable"`
	Frozen    int `json:"frozen"`
}

// Speed is how fast a run trained.
type Speed struct {
	StepsPerSecond float64 `json:"steps_per_second"`
	Seconds        float64 `json:"seconds"`
}

// Result is everything a finished run reports. Its JSON form is the output of
// `loralab run --json`.
type Result struct {
	Method     string  `json:"method"`
	Status     Status  `json:"status"`
	Reason     string  `json:"reason,omitempty"` // why it diverged
	DivergedAt int     `json:"diverged_at,omitempty"`
	Config     Config  `json:"config"`
	Layers     []Shape `json:"layers"`
	Params     Params  `json:"params"`
	Memory     Memory  `json:"memory"`
	History    []Point `json:"history"`
	DataDigest Digest  `json:"data_digest"` // hash of base weights, eval set and every batch, in order
	DeltaRank  []int   `json:"delta_rank"`  // per layer: numerical rank of W_eff − W0, the directions training moved
	Final      Point   `json:"final"`
	Speed      Speed   `json:"speed"`
}

// Prepare validates cfg for method m, fills in its defaults, and returns the
// resolved config. Errors are one line, meant for users.
func Prepare(m Method, cfg Config) (Config, error) {
	cfg = cfg.Resolve(m.Info())
	// The method's own limits (rank) first, as they name the method, once
	// the layer shapes they depend on are sane.
	if cfg.Width >= 2 && cfg.Width <= MaxWidth && cfg.Depth >= 1 && cfg.Depth <= MaxDepth {
		if err := m.Validate(cfg, cfg.Layers()); err != nil {
			return cfg, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, m.Validate(cfg, cfg.Layers())
}

// Run is one training run in its own goroutine. Control it with Pause,
// Resume, Step, SetLR and SetSpeed; stop it by cancelling its context.
// Events delivers its progress and is closed when it ends; reading them is
// optional (a run never waits for its reader), and Result waits for the end.
type Run struct {
	cfg    Config
	method Method
	events chan Progress
	ctrl   chan control
	done   chan struct{}
	result *Result
	pool   *Pool         // if not nil, training waits for a slot
	ticket chan struct{} // the run's place in the pool's line

	resultReason string // why the run diverged (written by its goroutine)
}

type control struct {
	kind  controlKind
	value float64
}

type controlKind int

const (
	ctrlPause controlKind = iota
	ctrlResume
	ctrlStep
	ctrlLR
	ctrlSpeed
)

// Start validates cfg and starts training in a new goroutine. The goroutine
// ends when the run finishes, diverges, or ctx is cancelled.
func Start(ctx context.Context, m Method, cfg Config) (*Run, error) {
	cfg, err := Prepare(m, cfg)
	if err != nil {
		return nil, err
	}
	r := newRun(m, cfg)
	go r.loop(ctx)
	return r, nil
}

func newRun(m Method, cfg Config) *Run {
	return &Run{cfg: cfg, method: m, events: make(chan Progress, 1), ctrl: make(chan control, 16), done: make(chan struct{})}
}

// Execute starts a run (the same code path as Start), waits for it to end,
// and calls onProgress, if not nil, for every event, in the caller's goroutine.
func Execute(ctx context.Context, m Method, cfg Config, onProgress func(Progress)) (*Result, error) {
	r, err := Start(ctx, m, cfg)
	if err != nil {
		return nil, err
	}
	for p := range r.Events() {
		if onProgress != nil {
			onProgress(p)
		}
	}
	return r.Result(), nil
}

// Config returns the resolved settings of the run.
func (r *Run) Config() Config { return r.cfg }

// Events delivers progress at most every ProgressInterval; it is closed when the run ends.
func (r *Run) Events() <-chan Progress { return r.events }

// Done is closed when the run has ended and its Result is ready.
func (r *Run) Done() <-chan struct{} { return r.done }

// Result waits for the run to end and returns what it reports.
func (r *Run) Result() *Result {
	<-r.done
	return r.result
}

// Pause stops training after the current step.
func (r *Run) Pause() { r.send(control{kind: ctrlPause}) }

// Resume continues a paused run.
func (r *Run) Resume() { r.send(control{kind: ctrlResume}) }

// Step makes a paused run take exactly one step.
func (r *Run) Step() { r.send(control{kind: ctrlStep}) }

// SetLR changes the base learning rate from the next step on.
func (r *Run) SetLR(lr float64) { r.send(control{kind: ctrlLR, value: lr}) }

// SetSpeed caps the step rate at stepsPerSecond (0 = as fast as possible),
// for narrating a run in slow motion.
func (r *Run) SetSpeed(stepsPerSecond float64) {
	r.send(control{kind: ctrlSpeed, value: stepsPerSecond})
}

func (r *Run) send(c control) {
	select {
	case r.ctrl <- c:
	case <-r.done:
	}
}

// trainer is the state of the run's goroutine.
type trainer struct {
	ctx                context.Context
	r                  *Run
	model              *Model
	task               Task
	opt                *AdamW
	x, y               *Mat
	hist               *History
	pending            []Point
	step               int
	trainLoss, evalVal float64
	loss0              float64
	sumLoss            float64
	minLoss, maxLoss   float64
	nLoss              int
	status             Status
	paused             bool
	pendingSteps       int       // single steps asked for while paused
	next               time.Time // when the next step may start under a speed cap
	speed              float64
	active             time.Duration
	activeSince        time.Time
	lastEmit           time.Time
	started            time.Time
	digest             Digest
	memory             Memory
	params             Params
}

func (r *Run) loop(ctx context.Context) {
	defer close(r.done)
	defer close(r.events)
	var queued []control
	if r.pool != nil {
		select {
		case r.events <- Progress{Steps: r.cfg.Steps, Status: Queued}:
		default:
		}
		early, ok := r.waitForSlot(ctx)
		if !ok {
			r.result = &Result{Method: r.cfg.Method, Status: Cancelled, Config: r.cfg, Layers: r.cfg.Layers(),
				Final: Point{Train: math.NaN(), Eval: math.NaN()}}
			return
		}
		queued = early
	}
	t := newTrainer(r)
	t.ctx = ctx
	for _, c := range queued {
		t.apply(c) // controls that arrived while the run waited for a slot, in order
	}
	t.train(ctx)
	if r.pool != nil {
		r.pool.release() // before the final event, which may wait for its reader
	}
	r.result = t.result()
	t.emit(true)
}

// waitForSlot waits for the run's turn in its pool, keeping the controls
// that arrive meanwhile (so callers never block on a queued run). It returns
// false if ctx ended first.
func (r *Run) waitForSlot(ctx context.Context) ([]control, bool) {
	var early []control
	for {
		select {
		case <-r.ticket:
			return early, true
		case c := <-r.ctrl:
			early = append(early, c)
		case <-ctx.Done():
			r.pool.abandon(r.ticket)
			return nil, false
		}
	}
}

func newTrainer(r *Run) *trainer {
	cfg := r.cfg
	ledger := NewLedger()
	task := NewShiftTask(cfg)
	model := NewModel(cfg, r.method, task, ledger)
	t := &trainer{
		r: r, model: model, task: task,
		opt:    NewAdamW(ledger, model.Params, cfg.LR, cfg.WeightDecay),
		x:      model.BatchX,
		y:      model.BatchY,
		hist:   NewHistory(DefaultHistoryCap),
		status: Running,
	}
	t.resetInterval()
	counts := ledger.Numbers()
	t.memory = counts.Bytes(BytesPerNumber)
	t.params = Params{Total: counts.Frozen + counts.Trainable, Trainable: counts.Trainable, Frozen: counts.Frozen}
	t.digest = NewDigest()
	ws, bs := task.Base()
	for i := range ws {
		t.digest.AddMat(ws[i])
		t.digest.AddVec(bs[i])
	}
	ex, ey := task.Eval()
	t.digest.AddMat(ex)
	t.digest.AddMat(ey)
	return t
}

func (t *trainer) resetInterval() {
	t.sumLoss, t.nLoss, t.minLoss, t.maxLoss = 0, 0, math.Inf(1), math.Inf(-1)
}

func (t *trainer) train(ctx context.Context) {
	cfg := t.r.cfg
	t.started = time.Now()
	t.activeSince = t.started
	t.evalVal = t.model.EvalLoss(t.task.Eval())
	for t.step < cfg.Steps {
		if !t.waitTurn(ctx) {
			t.status = Cancelled
			break
		}
		loss := t.trainStep()
		if t.step == 1 {
			t.loss0 = loss
			t.record(Point{Step: 0, Train: loss, Eval: t.evalVal, span: 1})
		}
		t.sumLoss += loss
		t.nLoss++
		t.minLoss, t.maxLoss = math.Min(t.minLoss, loss), math.Max(t.maxLoss, loss)
		if reason := t.divergence(loss); reason != "" {
			t.status = Diverged
			t.r.resultReason = reason
			t.evalVal = t.model.EvalLoss(t.task.Eval())
			t.flushPoint()
			break
		}
		if t.step%cfg.EvalEvery == 0 || t.step == cfg.Steps {
			t.evalVal = t.model.EvalLoss(t.task.Eval())
			t.flushPoint()
			if reason := t.divergence(t.evalVal); reason != "" {
				t.status = Diverged
				t.r.resultReason = reason
				break
			}
		}
		if time.Since(t.lastEmit) >= ProgressInterval {
			t.emit(false)
		}
	}
	if t.status == Running {
		t.status = Done
	}
	if t.nLoss > 0 { // a cancelled run's last partial interval: measure its eval loss too
		t.evalVal = t.model.EvalLoss(t.task.Eval())
		t.flushPoint()
	}
	t.pauseClock()
}

// trainStep is one optimiser step: batch, forward, loss, backward, update.
func (t *trainer) trainStep() float64 {
	t.task.NextBatch(t.x, t.y)
	t.digest.AddMat(t.x)
	t.digest.AddMat(t.y)
	pred := t.model.Forward(t.x)
	loss := t.model.Loss(pred, t.y)
	t.model.ZeroGrads()
	t.model.Backward()
	for _, l := range t.model.Layers {
		l.BeforeUpdate()
	}
	t.opt.Step()
	t.step++
	for _, l := range t.model.Layers {
		l.AfterUpdate(t.step)
	}
	t.trainLoss = loss
	return loss
}

// divergence returns why the run diverged at this loss, or "".
func (t *trainer) divergence(loss float64) string {
	if !finite(loss) {
		return fmt.Sprintf("loss became %v at step %d", loss, t.step)
	}
	if bound := t.r.cfg.DivergenceFactor * t.loss0; t.loss0 > 0 && loss > bound {
		return fmt.Sprintf("loss %.3g at step %d is above %g × the starting loss %.3g", loss, t.step, t.r.cfg.DivergenceFactor, t.loss0)
	}
	return ""
}

// flushPoint records the training steps since the last point as one point.
func (t *trainer) flushPoint() {
	if t.nLoss == 0 {
		return
	}
	last, _ := t.hist.Last()
	t.record(Point{Step: t.step, Train: t.sumLoss / float64(t.nLoss), Eval: t.evalVal,
		TrainMin: t.minLoss, TrainMax: t.maxLoss, span: t.step - last.Step})
	t.resetInterval()
}

func (t *trainer) record(p Point) {
	t.hist.Add(p)
	p, _ = t.hist.Last() // as the history holds it (Add fills in the step-0 point's min and max)
	t.pending = append(t.pending, p)
}

// waitTurn handles control messages, pauses and the speed cap before a step.
// It returns false if the run was cancelled.
func (t *trainer) waitTurn(ctx context.Context) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case c := <-t.r.ctrl:
			t.apply(c)
			continue
		default:
		}
		if t.paused && t.pendingSteps == 0 {
			// Report the pause even if an older event is still queued: a dropped
			// "paused" event would leave the consumer showing a running run.
			select {
			case t.r.events <- t.progress():
				t.sent()
			case <-ctx.Done():
				return false
			case c := <-t.r.ctrl:
				t.apply(c)
				continue
			}
			select {
			case <-ctx.Done():
				return false
			case c := <-t.r.ctrl:
				t.apply(c)
			}
			continue
		}
		if t.speed > 0 {
			now := time.Now()
			if t.next.IsZero() || t.next.Before(now.Add(-time.Second)) {
				t.next = now
			}
			if wait := t.next.Sub(now); wait > 0 {
				if time.Since(t.lastEmit) >= ProgressInterval {
					t.emit(false)
				}
				timer := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					timer.Stop()
					return false
				case c := <-t.r.ctrl:
					timer.Stop()
					t.apply(c)
					continue
				case <-timer.C:
				}
			}
			t.next = t.next.Add(time.Duration(float64(time.Second) / t.speed))
		}
		if t.paused {
			t.pendingSteps-- // this step is one of the single steps asked for
		}
		return true
	}
}

func (t *trainer) apply(c control) {
	switch c.kind {
	case ctrlPause:
		if !t.paused {
			t.paused = true
			t.pauseClock()
		}
	case ctrlResume:
		if t.paused {
			t.paused = false
			t.pendingSteps = 0
			t.activeSince = time.Now()
		}
	case ctrlStep:
		if t.paused {
			t.pendingSteps++
		}
	case ctrlLR:
		if finite(c.value) && c.value > 0 {
			t.opt.LR = c.value
		}
	case ctrlSpeed:
		if finite(c.value) && c.value >= 0 {
			t.speed = c.value
			t.next = time.Time{} // the new pace starts now, not after the old schedule
		}
	}
}

func (t *trainer) pauseClock() {
	if !t.activeSince.IsZero() {
		t.active += time.Since(t.activeSince)
		t.activeSince = time.Time{}
	}
}

func (t *trainer) activeTime() time.Duration {
	a := t.active
	if !t.activeSince.IsZero() {
		a += time.Since(t.activeSince)
	}
	return a
}

func (t *trainer) stepsPerSec() float64 {
	if s := t.activeTime().Seconds(); s > 0 {
		return float64(t.step) / s
	}
	return 0
}

// emit offers a progress event without blocking. The final event never
// blocks either: if an older event still waits in the channel, the final one
// takes its place and carries its points too, so a consumer that reads to the
// end misses nothing and a run never waits for a reader to finish.
func (t *trainer) emit(final bool) {
	p := t.progress()
	if final {
		for {
			select {
			case t.r.events <- p:
				t.sent()
				return
			default:
			}
			select {
			case old := <-t.r.events: // only this goroutine sends, so the next send has room
				p.Points = append(old.Points, p.Points...)
			default:
			}
		}
	}
	select {
	case t.r.events <- p:
		t.sent()
	default:
	}
}

// progress is the run's current state as an event.
func (t *trainer) progress() Progress {
	st := t.status
	if t.paused && !st.Final() {
		st = Paused
	}
	return Progress{Step: t.step, Steps: t.r.cfg.Steps, TrainLoss: t.trainLoss, EvalLoss: t.evalVal,
		StepsPerSec: t.stepsPerSec(), Elapsed: time.Since(t.started), LR: t.opt.LR, Status: st, Points: t.pending,
		Memory: t.memory, Params: t.params}
}

// sent records that an event was delivered: its points are the consumer's now.
func (t *trainer) sent() {
	t.pending = nil
	t.lastEmit = time.Now()
}

func (t *trainer) result() *Result {
	cfg := t.r.cfg
	counts := t.model.Ledger.Numbers()
	hist := t.hist.Points()
	res := &Result{
		Method: cfg.Method, Status: t.status, Reason: t.r.resultReason, Config: cfg, Layers: cfg.Layers(),
		Params:  Params{Total: counts.Frozen + counts.Trainable, Trainable: counts.Trainable, Frozen: counts.Frozen},
		Memory:  counts.Bytes(BytesPerNumber),
		History: hist, DataDigest: t.digest,
		Speed: Speed{StepsPerSecond: t.stepsPerSec(), Seconds: t.activeTime().Seconds()},
	}
	if len(hist) > 0 {
		res.Final = hist[len(hist)-1]
	}
	base, _ := t.task.Base()
	for i, l := range t.model.Layers {
		eff := NewMat(base[i].Rows, base[i].Cols)
		l.EffectiveWeight(eff)
		res.DeltaRank = append(res.DeltaRank, DeltaRank(eff, base[i]))
	}
	if t.status == Diverged {
		res.DivergedAt = t.step
	}
	return res
}
