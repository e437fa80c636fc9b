package lab

import (
	"context"
	"math"
	"sync"
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
	LR          float64       // the base learning rate in use (it can change while running)
	StepLR      float64       // the rate of the last step: LR scaled by the schedule
	ForgetLoss  float64       // last forgetting loss (Metrics.Forget; 0: the task has none)
	Sample      Sample        // the latest text sample (zero: none yet, or the task takes none)
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
	InitSeconds    float64 `json:"init_seconds"` // building the method's adapters (PiSSA: an SVD per layer)
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
	// Spectrum is, per adapted layer, the singular values of ΔW = W_eff − W0
	// with its numerical and energy ranks (and, for LoRA-FA on the shift
	// task, the share of the target shift inside A's row space).
	Spectrum []Spectrum `json:"spectrum"`
	Final    Point      `json:"final"`
	Speed    Speed      `json:"speed"`
	// LRChanges lists every live change of the learning rate, in order:
	// Config.LR is the rate the run started with.
	LRChanges []LRChange `json:"lr_changes,omitempty"`
	// Samples are the texts the network generated, in step order, for a
	// task whose networks generate text (lab.Sampler).
	Samples []Sample `json:"samples,omitempty"`
	// Notes are what the task says about the run's data (lab.Noter).
	Notes []string `json:"notes,omitempty"`
}

// Job is one run to make: a method on a task with its settings.
type Job struct {
	Method Method
	Task   Task
	Config Config
	// Cores is how many cores the run's products may use: 0 or 1 (the
	// default), or 2 for a run alone at width ≥ 256 (see Cores). The
	// results are the same bits either way.
	Cores int

	prepared bool // returned by Prepare: resolved and valid
}

// Prepare validates the job, fills in its defaults, and returns it with the
// resolved config. Errors are one line, meant for users. A job Prepare
// returned is not validated again (Start, StartIn and ExecuteAll take it as
// it is), so a run is validated once however it is started.
func Prepare(job Job) (Job, error) {
	if job.prepared {
		return job, nil
	}
	m, t := job.Method, job.Task
	cfg := job.Config.Resolve(m, t)
	job.Config = cfg
	if err := cfg.checkOptions(m, t); err != nil {
		return job, err
	}
	if err := t.Validate(cfg); err != nil {
		return job, err
	}
	// The method's own limits (rank) next: they name the method.
	if err := m.Validate(cfg, t.Layers(cfg, m.Info().TrainsBase)); err != nil {
		return job, err
	}
	if err := cfg.Validate(); err != nil {
		return job, err
	}
	job.prepared = true
	if err := checkMemory(job); err != nil {
		job.prepared = false
		return job, err
	}
	return job, nil
}

// PrepareTask checks the settings every method shares on task t: the core
// settings (whose method-dependent defaults — rank, α, lr — may still be 0)
// and the task's own. It returns cfg with the task's options resolved.
func PrepareTask(t Task, cfg Config) (Config, error) {
	cfg.Task = t.Info().Name
	for _, s := range t.Info().Settings {
		v := s.value(cfg)
		if s.Resolve != nil {
			v = s.Resolve(cfg, v)
		}
		cfg = cfg.With(s.Name, v)
		if s.Check != nil {
			if err := s.Check(v); err != nil {
				return cfg, err
			}
		}
	}
	if err := t.Validate(cfg); err != nil {
		return cfg, err
	}
	core := cfg
	for _, p := range []*float64{&core.LR, &core.Alpha} {
		if *p == 0 {
			*p = 1 // the method's default: valid whatever it is
		}
	}
	core.Rank, core.EvalEvery = max(core.Rank, 1), max(core.EvalEvery, 1)
	if cfg.Rank < 0 {
		core.Rank = cfg.Rank
	}
	if cfg.EvalEvery < 0 {
		core.EvalEvery = cfg.EvalEvery
	}
	return cfg, core.Validate()
}

// Run is one training run in its own goroutine. Control it with Pause,
// Resume, Step, SetLR and SetSpeed — none of them ever blocks; stop it by
// cancelling its context. Events delivers its progress and is closed when
// it ends; reading them is optional (a run never waits for its reader), and
// Result waits for the end.
type Run struct {
	job    Job
	events chan Progress
	done   chan struct{}
	result *Result
	pool   *Pool // if not nil, training waits for a turn in it
	seat   *seat // the run's place in the pool

	mu    sync.Mutex
	inbox []control     // controls not yet applied, in order
	wake  chan struct{} // signalled (never blocking) when inbox grows
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

// Start validates the job and starts training in a new goroutine. The
// goroutine ends when the run finishes, diverges, or ctx is cancelled.
func Start(ctx context.Context, job Job) (*Run, error) { return StartIn(ctx, nil, job) }

// StartIn is Start for a run that trains only when the pool gives it a turn
// (a nil pool: whenever it likes).
//
// A job that alone would hold more than the pool's memory budget is refused
// (Pool.Admit); the others wait in line until the runs seated leave room.
func StartIn(ctx context.Context, pool *Pool, job Job) (*Run, error) {
	job, err := Prepare(job)
	if err != nil {
		return nil, err
	}
	if pool != nil {
		if _, err := pool.Admit([]Job{job}); err != nil {
			return nil, err
		}
	}
	return startPrepared(ctx, pool, job), nil
}

// startPrepared starts a job Prepare has resolved.
func startPrepared(ctx context.Context, pool *Pool, job Job) *Run {
	r := &Run{job: job, events: make(chan Progress, 1), done: make(chan struct{}), wake: make(chan struct{}, 1), pool: pool}
	if pool != nil {
		r.seat = pool.enqueue(MemoryOf(job).Total())
	}
	go r.loop(ctx)
	return r
}

// Execute starts a run (the same code path as Start), waits for it to end,
// and calls onProgress, if not nil, for every event, in the caller's goroutine.
func Execute(ctx context.Context, job Job, onProgress func(Progress)) (*Result, error) {
	r, err := Start(ctx, job)
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
func (r *Run) Config() Config { return r.job.Config }

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

// send queues a control for the run's goroutine. It never blocks: controls
// wait in the run's inbox, in order, however many arrive during a slow step.
func (r *Run) send(c control) {
	r.mu.Lock()
	r.inbox = append(r.inbox, c)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// received takes every control queued so far.
func (r *Run) received() []control {
	r.mu.Lock()
	defer r.mu.Unlock()
	in := r.inbox
	r.inbox = nil
	return in
}

// cancelledEarly is the result of a run cancelled before it took a step.
func (r *Run) cancelledEarly() *Result {
	cfg := r.job.Config
	return &Result{Method: cfg.Method, Status: Cancelled, Config: cfg, Layers: r.job.Task.Layers(cfg, r.job.Method.Info().TrainsBase),
		Final: Point{Train: math.NaN(), Eval: math.NaN()}}
}

func (r *Run) loop(ctx context.Context) {
	// The seat goes back last, once Done is closed: the next run in line can
	// never end before this one says it has (and its memory stays counted
	// until the result is out). A second leave does nothing.
	defer func() { r.pool.leave(r.seat) }()
	defer close(r.done)
	defer close(r.events)
	c := &controller{r: r, ctx: ctx, status: Running}
	if r.pool != nil {
		select {
		case r.events <- Progress{Steps: r.job.Config.Steps, Status: Queued}:
		default:
		}
		if !c.waitForSeat() {
			r.result = r.cancelledEarly()
			return
		}
	}
	var t *trainer
	if c.claim() { // building the network (drawing the data) is work: it takes a core too
		t, _ = newTrainer(ctx, r.job) // it fails only when ctx ends
	}
	if t == nil { // cancelled before or while the task drew its data
		c.yield()
		r.result = r.cancelledEarly()
		return
	}
	grace, endGrace := afterCancel(ctx, StopGrace)
	defer endGrace()
	t.grace = grace
	c.t = t
	defer t.cores.Close()
	c.started = time.Now()
	c.activeSince = c.started
	c.applyAll(c.early) // controls that arrived while the run waited for its seat, in order
	t.train(ctx, c.turn, c.afterStep)
	c.yield()
	c.pauseClock()
	// The result is measured while the run still holds its seat: ΔW and its
	// spectrum take memory (MemoryOf counts it).
	r.result = t.result(Speed{StepsPerSecond: stepsPerSec(t.steps, c.active), Seconds: c.active.Seconds()})
	c.status = t.status
	c.emit(true)
}
