package lab

import (
	"context"
	"fmt"
	"math"
	"time"
)

// step is one optimiser step, as the papers write it:
//
//	batch → forward → loss → backward → BeforeUpdate → AdamW → AfterUpdate
//
// BeforeUpdate is where LoRA-FA projects B's gradient and Delta-LoRA saves
// A and B; AfterUpdate is where Delta-LoRA moves W.
func (t *trainer) step() float64 {
	t.opt.LR = t.baseLR * t.schedule.Factor(t.steps) // this step's rate
	t.net.NextBatch(&t.digest)
	loss := t.net.Forward()
	for _, p := range t.params {
		p.Grad.Zero()
	}
	t.net.Backward()
	for _, l := range t.layers {
		l.BeforeUpdate()
	}
	t.opt.Step()
	t.steps++
	for _, l := range t.layers {
		l.AfterUpdate(t.steps)
	}
	t.trainLoss = loss
	if t.trace != nil {
		t.trace.stepped(loss)
	}
	return loss
}

// trainer is what a run learns with: the task's network adapted by the
// method, the optimiser, and the record of the losses.
type trainer struct {
	job    Job
	net    Network
	layers []Adapted // the method's adapted layers, one per base linear layer
	params []*Param  // every trainable tensor: the layers' and the network's own
	opt    *AdamW
	ledger *Ledger
	digest Digest // of every number the run saw as data

	baseLR    float64  // the learning rate the schedule scales (changes live)
	schedule  Schedule // its multiplier per step
	lrChanges []LRChange

	steps      int     // optimiser steps taken
	trainLoss  float64 // of the last batch
	evalLoss   float64 // at the last evaluation
	forgetLoss float64 // at the last evaluation (Metrics.Forget)
	sampler    Sampler // the network, if it generates text
	samples    []Sample
	loss0      float64 // of the first batch: the divergence bound's reference
	interval   lossInterval
	hist       *History
	fresh      []Point // points recorded since the last delivered progress event
	status     Status
	reason     string // why it diverged

	cores       *Cores // the helper the layers' products split over (Job.Cores), or nil
	memory      Memory // bytes the ledger holds, by category
	paramCounts Params
	initSeconds float64 // building the method's adapters (PiSSA: an SVD per layer)

	trace *trace // set by Trace (export.go): records every step's loss and batch
	// grace is the context of what the run measures once it has ended or
	// been stopped: the run's own, outliving it by StopGrace (afterCancel).
	grace context.Context
}

// LRChange is a change of the base learning rate while a run trained: from
// step Step on (the first step it applies to is Step+1), the schedule scales LR.
type LRChange struct {
	Step int     `json:"step"`
	LR   float64 `json:"lr"`
}

// setLR changes the base learning rate from the next step on and records it.
func (t *trainer) setLR(lr float64) {
	if lr == t.baseLR {
		return
	}
	t.baseLR = lr
	if n := len(t.lrChanges); n > 0 && t.lrChanges[n-1].Step == t.steps {
		t.lrChanges[n-1].LR = lr // several changes between two steps: the last one counts
		return
	}
	t.lrChanges = append(t.lrChanges, LRChange{Step: t.steps, LR: lr})
}

// lossInterval summarises the training losses since the last history point.
type lossInterval struct {
	sum, min, max float64
	n             int
}

func (iv *lossInterval) reset() { *iv = lossInterval{min: math.Inf(1), max: math.Inf(-1)} }

func (iv *lossInterval) add(loss float64) {
	iv.sum += loss
	iv.n++
	iv.min, iv.max = math.Min(iv.min, loss), math.Max(iv.max, loss)
}

// newTrainer builds the job's network, adapts it with the method and
// allocates the optimiser, every buffer through one ledger. It fails only if
// ctx ends while the task draws its data.
func newTrainer(ctx context.Context, job Job) (*trainer, error) {
	cfg, info := job.Config, job.Method.Info()
	ledger := NewLedger()
	net, err := job.Task.New(ctx, cfg, ledger, info.TrainsBase)
	if err != nil {
		return nil, err
	}
	env := &Env{Ledger: ledger, Rand: NewRand(cfg.Seed, StreamAdapter), Config: cfg, N: job.Task.Rows(cfg)}
	t := &trainer{job: job, net: net, ledger: ledger, hist: NewHistory(DefaultHistoryCap), status: Running, grace: context.WithoutCancel(ctx),
		baseLR: cfg.LR, schedule: ScheduleOf(cfg)}
	if t.cores = NewCores(job.Cores); t.cores != nil {
		for _, l := range net.Linears() {
			l.UseCores(t.cores)
		}
	}
	built := time.Now()
	t.layers = job.Method.Build(env, net.Linears())
	t.initSeconds = time.Since(built).Seconds()
	for _, l := range t.layers {
		t.params = append(t.params, l.Params()...)
	}
	t.params = append(t.params, net.Adapt(t.layers)...)
	t.opt = NewAdamW(ledger, t.params, cfg.LR, cfg.WeightDecay)
	t.countLedger()
	t.interval.reset()
	t.digest = NewDigest()
	net.DigestData(&t.digest)
	if s, ok := net.(Sampler); ok && s.SampleEvery() > 0 {
		t.sampler = s
	}
	return t, nil
}

// StopGrace is how long a stopped run may go on measuring what it reached
// — the last interval's eval loss, ΔW's spectrum per layer — before it
// gives up on what is left of that (an evaluation of a large held-out set
// took minutes after ctrl+c). What it could not measure in time is left
// out: no history point for the last interval, rank −1 for the layers
// whose spectrum was not taken.
const StopGrace = time.Second

// afterCancel returns a context that ends grace after ctx does (and at
// once when its cancel func is called): for the work a run does after it
// was stopped.
func afterCancel(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	g, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-timer.C:
			cancel()
		case <-g.Done():
		}
	})
	return g, func() {
		stop()
		cancel()
	}
}

// sample takes a text sample at the current step, unless one was taken at it.
func (t *trainer) sample() {
	if t.sampler == nil || (len(t.samples) > 0 && t.samples[len(t.samples)-1].Step == t.steps) {
		return
	}
	s := t.sampler.Sample()
	s.Step = t.steps
	t.samples = append(t.samples, s)
}

// train takes the run's steps, evaluating every EvalEvery steps and
// stopping at divergence; turn is called before every step and reports
// false when the run must stop (cancelled). after is called after every step.
func (t *trainer) train(ctx context.Context, turn func() bool, after func()) {
	cfg := t.job.Config
	m := t.net.Evaluate(ctx) // on the core the build took (the run's first turn)
	t.evalLoss, t.forgetLoss = m.Eval, m.Forget
	if t.trace != nil {
		t.trace.evaluated(0, m)
	}
	t.sample() // the base model's text, before any step
	for t.steps < cfg.Steps {
		if !turn() {
			t.status = Cancelled
			break
		}
		loss := t.step()
		if t.steps == 1 {
			t.loss0 = loss
			t.record(Point{Step: 0, Train: loss, Eval: t.evalLoss, Forget: t.forgetLoss, span: 1})
		}
		t.interval.add(loss)
		reason := t.divergence(loss)
		if reason == "" {
			reason = t.overflow()
		}
		if reason != "" {
			t.status, t.reason = Diverged, reason
			t.evaluate(t.grace) // measured even if the run is stopped meanwhile, within StopGrace
			break
		}
		if t.steps%cfg.EvalEvery == 0 || t.steps == cfg.Steps {
			if !t.evaluate(ctx) {
				t.status = Cancelled
				break
			}
			if reason := t.divergence(t.evalLoss); reason != "" {
				t.status, t.reason = Diverged, reason
				break
			}
		}
		if t.sampler != nil && (t.steps%t.sampler.SampleEvery() == 0 || t.steps == cfg.Steps) {
			t.sample()
		}
		after()
	}
	if t.status == Running {
		t.status = Done
	}
	if t.interval.n > 0 { // a cancelled run's last partial interval: measure its eval loss too, within StopGrace
		t.evaluate(t.grace)
	}
}

// evaluate measures the held-out loss and records the steps since the last
// point as one history point. It reports false, recording nothing, if ctx
// ended during the measurement (its numbers mean nothing then).
func (t *trainer) evaluate(ctx context.Context) bool {
	m := t.net.Evaluate(ctx)
	if ctx.Err() != nil {
		return false
	}
	t.evalLoss, t.forgetLoss = m.Eval, m.Forget
	if t.trace != nil {
		t.trace.evaluated(t.steps, m)
	}
	if t.interval.n == 0 {
		return true
	}
	last, _ := t.hist.Last()
	iv := t.interval
	t.record(Point{Step: t.steps, Train: iv.sum / float64(iv.n), Eval: t.evalLoss, Forget: t.forgetLoss, TrainMin: iv.min, TrainMax: iv.max, span: t.steps - last.Step})
	t.interval.reset()
	return true
}

// divergence returns why the run diverged at this loss, or "".
func (t *trainer) divergence(loss float64) string {
	if !finite(loss) {
		return fmt.Sprintf("loss became %v at step %d", loss, t.steps)
	}
	if bound := t.job.Config.DivergenceFactor * t.loss0; t.loss0 > 0 && loss > bound {
		return fmt.Sprintf("loss %.3g at step %d is above %g × the starting loss %.3g", loss, t.steps, t.job.Config.DivergenceFactor, t.loss0)
	}
	return ""
}

// MaxGradient is the largest gradient entry a step may have: above it
// AdamW's second moment, (1−β2)·g², overflows to +Inf and every update
// becomes 0 — the run would "complete" having learned nothing.
const MaxGradient = 1e150

// overflow returns why the optimiser can no longer learn — a gradient that
// is not finite, or so large that its square overflows AdamW's second
// moment — or "". It reads the gradients of the step just taken.
func (t *trainer) overflow() string {
	for _, p := range t.params {
		for _, g := range p.Grad.Data {
			if !(math.Abs(g) <= MaxGradient) {
				what := "became " + fmt.Sprint(g)
				if finite(g) {
					what = fmt.Sprintf("reached %.3g, too large for AdamW (its square overflows the second moment)", g)
				}
				return fmt.Sprintf("the gradient of %s %s at step %d", p.Name, what, t.steps)
			}
		}
	}
	return ""
}

func (t *trainer) record(p Point) {
	t.hist.Add(p)
	p, _ = t.hist.Last() // as the history holds it (Add fills in the step-0 point's min and max)
	t.fresh = append(t.fresh, p)
}

// countLedger sets the bytes the ledger holds and the parameter counts:
// every buffer is allocated by the time the optimiser exists.
func (t *trainer) countLedger() {
	n := t.ledger.Numbers()
	t.memory = n.Bytes(BytesPerNumber)
	t.paramCounts = Params{Total: n.Frozen + n.Trainable, Trainable: n.Trainable, Frozen: n.Frozen}
}

// result is what the run reports once it has ended.
func (t *trainer) result(speed Speed) *Result {
	cfg := t.job.Config
	hist := t.hist.Points()
	res := &Result{
		Method: cfg.Method, Status: t.status, Reason: t.reason, Config: cfg,
		Layers: t.job.Task.Layers(cfg, t.job.Method.Info().TrainsBase),
		Params: t.paramCounts, Memory: t.memory, History: hist, DataDigest: t.digest, Speed: speed,
		LRChanges: t.lrChanges, Samples: t.samples,
	}
	if n, ok := t.net.(Noter); ok {
		res.Notes = n.Notes()
	}
	res.Speed.InitSeconds = t.initSeconds
	if len(hist) > 0 {
		res.Final = hist[len(hist)-1]
	}
	var targets []*Mat
	if tg, ok := t.net.(Targeted); ok {
		targets = tg.TargetShift()
	}
	for i, l := range t.layers {
		if t.grace != nil && t.grace.Err() != nil { // stopped, and out of time to measure
			sp := Spectrum{Layer: res.Layers[i].Name, Rank: -1, Energy90: -1, Energy99: -1}
			res.Spectrum = append(res.Spectrum, sp)
			res.DeltaRank = append(res.DeltaRank, sp.Rank)
			continue
		}
		base := t.net.Base()[i]
		eff := NewMat(base.Rows, base.Cols)
		l.EffectiveWeight(eff)
		sp := DeltaSpectrum(res.Layers[i].Name, eff, base)
		if rs, ok := l.(RowSpaced); ok && targets != nil {
			share := RowSpaceShare(targets[i], rs.RowSpace())
			sp.TargetInRowSpace = &share
		}
		res.Spectrum = append(res.Spectrum, sp)
		res.DeltaRank = append(res.DeltaRank, sp.Rank)
	}
	if t.status == Diverged {
		res.DivergedAt = t.steps
	}
	return res
}

// stepsPerSec is the rate over the time spent training (pauses excluded).
func stepsPerSec(steps int, active time.Duration) float64 {
	if s := active.Seconds(); s > 0 {
		return float64(steps) / s
	}
	return 0
}
