package tui

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/results"
	"github.com/loralab/loralab/ui/text"
)

// HistoryCap bounds the points the UI keeps per run: a million-step run costs
// the UI no more memory than a thousand-step one.
const HistoryCap = 1024

// RunView is the UI's copy of one run: what the engine reported through the
// hub, plus the handle to control it. Only the store's methods change it.
type RunView struct {
	ID     int // index of its method in Lab.Methods
	Gen    int // generation: events of older generations are ignored
	Info   lab.MethodInfo
	Config lab.Config // resolved settings it trains with

	Status      lab.Status
	Step, Steps int
	StepsPerSec float64
	Elapsed     time.Duration
	LR          float64
	Train, Eval float64
	Hist        *lab.History
	Result      *lab.Result // set when it has ended
	Reason      string      // why it diverged

	// LRChanges are the live changes of its learning rate, as the engine
	// recorded them (Result.LRChanges) once it has ended; while it trains,
	// at the step of the progress event that first showed the new rate.
	LRChanges []lab.LRChange

	Memory    lab.Memory // bytes by category
	Measured  bool       // Memory comes from the engine's ledger (else: the formula, while queued)
	Trainable int        // trainable parameters

	run     *lab.Run
	cancel  context.CancelFunc
	started bool // the engine reported it past the queue
	liveLR  bool // its learning rate was changed while it trained
}

// Active reports whether the run has not ended.
func (r *RunView) Active() bool { return r != nil && !r.Status.Final() }

// LiveChanged reports whether a setting of the run (its learning rate) was
// changed while it trained.
func (r *RunView) LiveChanged() bool { return r != nil && (r.liveLR || len(r.LRChanges) > 0) }

// Started reports whether the run got past the pool's queue.
func (r *RunView) Started() bool { return r.started }

// speeds is the slow-motion ladder in steps per second; 0 is "as fast as possible".
var speeds = []float64{0, 1000, 200, 50, 10, 2, 0.5}

// Active counts the runs that have not ended.
func (l *Lab) Active() int {
	n := 0
	for _, r := range l.Runs {
		if r.Active() {
			n++
		}
	}
	return n
}

// Start starts (or restarts) the run of method i with the current settings.
func (l *Lab) Start(i int) error {
	if i < 0 || i >= len(l.Methods) {
		return fmt.Errorf("no method %d", i)
	}
	m := l.Methods[i]
	cfg, err := l.ConfigFor(i)
	if err == nil {
		cfg, err = prepare(m, cfg)
	}
	if err != nil {
		return err
	}
	l.drop(i)
	ctx, cancel := context.WithCancel(l.ctx)
	r, err := lab.StartIn(ctx, l.pool, jobOf(m, cfg))
	if err != nil {
		cancel()
		return err
	}
	l.gen++
	mem, trainable := formulaMemory(m, cfg)
	rv := &RunView{
		ID: i, Gen: l.gen, Info: l.Infos[i], Config: cfg, Status: lab.Queued, Steps: cfg.Steps,
		LR: cfg.LR, Hist: lab.NewHistory(HistoryCap), Memory: mem, Trainable: trainable,
		run: r, cancel: cancel,
	}
	if s := speeds[l.Speed]; s > 0 {
		r.SetSpeed(s) // the control channel has room: the run has just been created
	}
	l.setRun(i, rv)
	l.hub.watch(methodID(i), rv.Gen, r)
	return nil
}

// formulaMemory is the memory a run of m with cfg will hold, from the
// method's formula, which the engine's tests prove equal to the ledger's
// measurement. The UI shows it before a run has a model (queued, or no run
// yet); from the first progress event on, it shows the ledger's numbers.
func formulaMemory(m lab.Method, cfg lab.Config) (lab.Memory, int) {
	t, whole := taskOf(cfg), m.Info().TrainsBase
	f := m.Footprint(cfg, t.Layers(cfg, whole), t.Rows(cfg)).Plus(t.Footprint(cfg, whole))
	return f.Bytes(lab.BytesPerNumber), f.Trainable
}

// setRun puts r (nil: none) in method i's slot.
func (l *Lab) setRun(i int, r *RunView) {
	l.Runs[i] = r
	l.ver.Runs++
}

// drop cancels method i's run, if any, and forgets it.
func (l *Lab) drop(i int) {
	if r := l.Runs[i]; r != nil {
		r.cancel()
		l.setRun(i, nil)
	}
}

// Toggle starts method i's run if it has none (or it has ended), pauses it
// if it trains, and resumes it if it is paused.
func (l *Lab) Toggle(i int) {
	r := l.Runs[i]
	switch {
	case r == nil || r.Status.Final():
		if err := l.Start(i); err != nil {
			l.Say(true, "%s: %v", l.Infos[i].Title, err)
			return
		}
		l.record("run", []int{i}, "", nil)
		if d := lab.EstimateDuration(jobOf(l.Methods[i], l.Runs[i].Config)); d > lab.LongRun {
			l.Say(false, "%s started; it may take about %s (s stops it)", l.Infos[i].Title, text.Duration(d))
			return
		}
		l.Say(false, "%s started", l.Infos[i].Title)
	case r.Status == lab.Queued:
		l.Say(false, "%s", l.QueueNote(r.Info.Title, r.Gen))
	case r.Status == lab.Paused:
		r.run.Resume()
		r.Status = lab.Running
		l.ver.Runs++
		l.Say(false, "%s resumed", r.Info.Title)
	default:
		r.run.Pause()
		r.Status = lab.Paused
		l.ver.Runs++
		l.Say(false, "%s paused: %s steps once, enter resumes", r.Info.Title, ".")
	}
}

// Stop cancels method i's run; its result arrives as cancelled.
func (l *Lab) Stop(i int) {
	r := l.Runs[i]
	if !r.Active() {
		l.Say(true, "%s has no run to stop", l.Infos[i].Title)
		return
	}
	r.cancel()
	l.Say(false, "stopping %s", r.Info.Title)
}

// Reset removes method i's run and its curves.
func (l *Lab) Reset(i int) {
	if l.Runs[i] == nil {
		l.Say(true, "%s has no run to reset", l.Infos[i].Title)
		return
	}
	l.drop(i)
	l.Say(false, "%s reset", l.Infos[i].Title)
}

// ClearRuns removes every run and their curves, and the sweep: a new
// experiment starts from an empty board. It returns how many runs (method
// runs and sweep runs) it removed.
func (l *Lab) ClearRuns() int {
	n := 0
	for i, r := range l.Runs {
		if r != nil {
			l.drop(i)
			n++
		}
	}
	if l.Sweep != nil {
		n += len(l.Sweep.Runs)
		l.StopSweep()
	}
	if l.Last != nil || l.Banner != "" {
		l.Last, l.Banner = nil, ""
		l.ver.Experiment++
	}
	return n
}

// ClearAll is the X key: every run and the sweep removed, and said so.
func (l *Lab) ClearAll() {
	if n := l.ClearRuns(); n > 0 {
		l.Say(false, "cleared %s: the board, the chart and e start from nothing", plural(n, "run"))
		return
	}
	l.Say(true, "no run to clear")
}

// StepOnce makes method i's paused run take one step.
func (l *Lab) StepOnce(i int) {
	r := l.Runs[i]
	if r == nil || r.Status != lab.Paused || !r.started {
		l.Say(true, "single steps need a paused run: press enter to pause %s first", l.Infos[i].Title)
		return
	}
	r.run.Step()
	l.Say(false, "%s: one step", r.Info.Title)
}

// RaceMethods lists the methods a race runs: the marked ones, or all.
func (l *Lab) RaceMethods() []int {
	var out []int
	for i, m := range l.Marked {
		if m {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		for i := range l.Methods {
			out = append(out, i)
		}
	}
	return out
}

// Race starts one run per race method with identical settings, after
// checking that the settings are valid for every one of them.
func (l *Lab) Race() {
	idx := l.RaceMethods()
	var jobs []lab.Job
	for _, i := range idx {
		cfg, err := l.ConfigFor(i)
		if err == nil {
			cfg, err = prepare(l.Methods[i], cfg)
		}
		if err != nil {
			l.Say(true, "race refused: %v", err)
			return
		}
		jobs = append(jobs, jobOf(l.Methods[i], cfg))
	}
	adm, err := l.pool.Admit(jobs)
	if err != nil {
		l.Say(true, "race refused: %v", err)
		return
	}
	for _, i := range idx {
		if err := l.Start(i); err != nil {
			l.Say(true, "race: %v", err)
			return
		}
	}
	l.record("race", idx, "", nil) // says how the race trains
	var total time.Duration
	for _, j := range jobs {
		total += lab.EstimateDuration(j)
	}
	if total /= time.Duration(min(max(l.pool.Size(), 1), len(jobs))); total > lab.LongRun {
		l.Say(false, "%s; it may take about %s", l.Message, text.Duration(total))
	} else if note := adm.Short(); note != "" {
		l.Say(false, "%s (%s)", l.Message, note)
	}
}

// QueueNote says why the run of generation gen (called title) is queued
// and behind what: every seat of the pool is taken — by how many method
// runs and sweep runs — and how many queued runs were started before it.
func (l *Lab) QueueNote(title string, gen int) string {
	seated, bySweep, ahead := 0, 0, 0
	for _, r := range l.Runs {
		switch {
		case r == nil || !r.Active():
		case r.started:
			seated++
		case r.Gen < gen:
			ahead++
		}
	}
	if sw := l.Sweep; sw != nil {
		for _, r := range sw.Runs {
			switch {
			case r.Result != nil:
			case r.Status != lab.Queued:
				seated++
				bySweep++
			case r.Gen < gen:
				ahead++
			}
		}
	}
	s := fmt.Sprintf("%s is queued: it waits for a seat — %d of %d are taken", title, seated, l.seats)
	if bySweep > 0 {
		s += fmt.Sprintf(" (%d by the sweep: S stops it)", bySweep)
	}
	if ahead > 0 {
		s += fmt.Sprintf("; %s ahead of it", plural(ahead, "run"))
	}
	return s + "; it starts when a run ends (s stops one)"
}

// SetSpeed moves along the slow-motion ladder (dir -1 slower, +1 faster) and
// applies the cap to every run that trains.
func (l *Lab) SetSpeed(dir int) {
	n := l.Speed - dir
	if n < 0 || n >= len(speeds) {
		l.Say(true, "speed is already %s", SpeedLabel(l.Speed))
		return
	}
	l.Speed = n
	for _, r := range l.Runs {
		if r.Active() {
			r.run.SetSpeed(speeds[n]) // a queued run keeps it until it starts (lab.Run)
		}
	}
	l.Say(false, "speed: %s", SpeedLabel(n))
	l.ver.Runs++
}

// SpeedLabel describes a rung of the speed ladder.
func SpeedLabel(i int) string {
	if speeds[i] == 0 {
		return "max"
	}
	return fmt.Sprintf("%s steps/s", text.Float(speeds[i]))
}

// SetLiveLR sends a new learning rate to every run that has not ended,
// whatever LiveAll says, and returns how many got it. A queued run keeps it until it starts (lab.Run
// holds the controls that arrive while it waits for its pool).
func (l *Lab) SetLiveLR(lr float64) int {
	n := 0
	for _, r := range l.Runs {
		if !r.Active() {
			continue
		}
		l.sendLR(r, lr)
		n++
	}
	return n
}

// sendLR sends r a new learning rate and marks it changed live.
func (l *Lab) sendLR(r *RunView, lr float64) {
	r.run.SetLR(lr)
	r.liveLR = true
	l.ver.Runs++
}

// Apply takes one run's update from the hub. Late updates (another
// generation, or a run that was reset) are dropped; it reports whether the
// update was taken.
func (l *Lab) Apply(u runUpdate) bool {
	if u.ID.Kind == sweepRun {
		return l.applySweep(u)
	}
	if u.ID.Kind != methodRun || u.ID.Index < 0 || u.ID.Index >= len(l.Runs) {
		return false
	}
	r := l.Runs[u.ID.Index]
	if r == nil || r.Gen != u.Gen {
		return false
	}
	for _, p := range u.Points {
		r.Hist.Add(p)
	}
	if u.HasProgress {
		p := u.Progress
		if r.started && p.LR > 0 && p.LR != r.LR {
			r.LRChanges = append(r.LRChanges, lab.LRChange{Step: p.Step, LR: p.LR})
		}
		r.Step, r.Steps, r.StepsPerSec, r.Elapsed, r.LR = p.Step, p.Steps, p.StepsPerSec, p.Elapsed, p.LR
		if p.Step > 0 || p.Status != lab.Queued {
			r.Train, r.Eval = p.TrainLoss, p.EvalLoss
		}
		if p.Status != lab.Queued {
			r.started = true
		}
		r.Status = p.Status
		if p.Memory.Total > 0 { // the ledger's numbers, once the model exists
			r.Memory, r.Trainable, r.Measured = p.Memory, p.Params.Trainable, true
		}
	}
	if res := u.Result; res != nil {
		r.Result = res
		r.Status = res.Status
		r.LRChanges = res.LRChanges
		r.Reason = res.Reason
		if res.Status != lab.Cancelled || res.Params.Total > 0 {
			r.Memory, r.Measured, r.Trainable = res.Memory, true, res.Params.Trainable
		}
		if res.Speed.StepsPerSecond > 0 {
			r.StepsPerSec = res.Speed.StepsPerSecond
		}
		if last, ok := r.Hist.Last(); ok && last.Step > r.Step {
			r.Step = last.Step
		}
		r.cancel() // release the context's resources
		switch res.Status {
		case lab.Done:
			l.Say(false, "%s done: eval loss %s after %d steps", r.Info.Title, text.ShortLoss(res.Final.Eval), r.Step)
		case lab.Diverged:
			l.Say(true, "%s diverged: %s", r.Info.Title, res.Reason)
		}
		l.raceOver()
	}
	l.ver.Runs++
	return true
}

// Results returns a Result for every run, provisional for those still
// training, in method order: the leaderboard's input.
func (l *Lab) Results() []*lab.Result {
	var out []*lab.Result
	for _, r := range l.Runs {
		if r == nil {
			continue
		}
		if r.Result != nil && r.Result.Params.Total > 0 {
			out = append(out, r.Result)
			continue
		}
		hist := r.Hist.Points()
		res := &lab.Result{
			Method: r.Info.Name, Status: r.Status, Config: r.Config, History: hist,
			Params: lab.Params{Trainable: r.Trainable}, Memory: r.Memory,
			Speed: lab.Speed{StepsPerSecond: r.StepsPerSec, Seconds: r.Elapsed.Seconds()},
		}
		if len(hist) > 0 {
			res.Final = hist[len(hist)-1]
		} else {
			res.Final = lab.Point{Eval: math.NaN()}
		}
		out = append(out, res)
	}
	return out
}

// Bundles returns what has ended, to save: the runs of the methods (a
// single run or a race, with its leaderboard) and the current sweep's runs
// as a sweep bundle with its table. None if nothing has ended.
func (l *Lab) Bundles() []results.Bundle {
	var runs []*lab.Result
	for _, r := range l.Runs {
		if r != nil && r.Result != nil && r.Result.Params.Total > 0 {
			runs = append(runs, r.Result)
		}
	}
	var bundles []results.Bundle
	if len(runs) > 0 {
		b := results.Bundle{Kind: results.Single, Runs: runs}
		if len(runs) > 1 {
			b.Kind = results.Race
			b.Leaderboard = lab.Leaderboard(runs, lab.DefaultTarget)
		}
		bundles = append(bundles, b)
	}
	if s := l.Sweep; s != nil {
		var swept []*lab.Result
		for _, r := range s.Runs {
			if r.Result != nil && r.Result.Params.Total > 0 {
				swept = append(swept, r.Result)
			}
		}
		if set, err := catalog.Setting(s.Setting); err == nil && len(swept) > 0 {
			bundles = append(bundles, results.Bundle{Kind: results.Sweep, Runs: swept, Setting: s.Setting, Values: s.Values,
				Table: results.SweepTable(set, s.Values, swept, 1)})
		}
	}
	return bundles
}
