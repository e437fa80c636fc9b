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
// A race at several seeds (Lab.Compare.Seeds) gives a method's slot the run
// at the first seed, with the runs at the next seeds in its Reps: the
// group's methods (Active, State, Group) speak for them all, and the
// controls (pause, step, stop, the live learning rate) reach them all.
type RunView struct {
	ID     int // index of its method in Lab.Methods
	Seed   int // its place among its method's seeds: 0 for the slot's run, k for Reps[k-1]
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
	Forget      float64     // the last forgetting loss (0: the task measures none)
	Sample      lab.Sample  // the latest text sample (zero: none)
	Result      *lab.Result // set when it has ended
	Reason      string      // why it diverged

	// LRChanges are the live changes of its learning rate, as the engine
	// recorded them (Result.LRChanges) once it has ended; while it trains,
	// at the step of the progress event that first showed the new rate.
	LRChanges []lab.LRChange

	Memory    lab.Memory // bytes by category
	Measured  bool       // Memory comes from the engine's ledger (else: the formula, while queued)
	Trainable int        // trainable parameters

	// Reps are the runs of the same method and settings at the seeds after
	// Config.Seed (+1, +2, …) of a race at several seeds; nil for one seed.
	// Their own Reps are nil.
	Reps []*RunView

	run     *lab.Run
	cancel  context.CancelFunc
	started bool // the engine reported it past the queue
	liveLR  bool // its learning rate was changed while it trained
}

// Active reports whether the run, or one of its Reps, has not ended.
func (r *RunView) Active() bool {
	if r == nil {
		return false
	}
	for _, x := range r.Group() {
		if !x.Status.Final() {
			return true
		}
	}
	return false
}

// Group is the run and its Reps: its method's runs at every seed, in seed
// order.
func (r *RunView) Group() []*RunView {
	if r == nil {
		return nil
	}
	return append([]*RunView{r}, r.Reps...)
}

// over reports whether every run of the group has its result.
func (r *RunView) over() bool {
	for _, x := range r.Group() {
		if x.Result == nil {
			return false
		}
	}
	return true
}

// Seeds counts the seeds the run's method trains at: 1 without Reps (0
// for no run).
func (r *RunView) Seeds() int {
	if r == nil {
		return 0
	}
	return 1 + len(r.Reps)
}

// member is the group's run at seed place k (0: r itself), or nil.
func (r *RunView) member(k int) *RunView {
	switch {
	case r == nil:
		return nil
	case k == 0:
		return r
	case k > 0 && k <= len(r.Reps):
		return r.Reps[k-1]
	}
	return nil
}

// State is the group's state, as one run's: running while one of its runs
// trains, else paused while one is paused, else queued while one waits;
// once all have ended, done if one finished, else stopped if one was,
// else diverged. Without Reps, the run's Status.
func (r *RunView) State() lab.Status {
	if r == nil || len(r.Reps) == 0 {
		return r.Status
	}
	n := map[lab.Status]int{}
	for _, x := range r.Group() {
		n[x.Status]++
	}
	for _, s := range []lab.Status{lab.Running, lab.Paused, lab.Queued, lab.Done, lab.Cancelled} {
		if n[s] > 0 {
			return s
		}
	}
	return lab.Diverged
}

// Progress is the group's steps taken and to take, summed over its runs.
func (r *RunView) Progress() (step, steps int) {
	for _, x := range r.Group() {
		step, steps = step+x.Step, steps+x.Steps
	}
	return step, steps
}

// LiveChanged reports whether a setting of the run or one of its Reps (the
// learning rate) was changed while it trained.
func (r *RunView) LiveChanged() bool {
	for _, x := range r.Group() {
		if x.liveLR || len(x.LRChanges) > 0 {
			return true
		}
	}
	return false
}

// Started reports whether the run, or one of its Reps, got past the pool's
// queue.
func (r *RunView) Started() bool {
	for _, x := range r.Group() {
		if x.started {
			return true
		}
	}
	return false
}

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

// Start starts (or restarts) the run of method i with the current
// settings: one run, at one seed (races and sweeps run at Compare.Seeds).
func (l *Lab) Start(i int) error {
	if i < 0 || i >= len(l.Methods) {
		return fmt.Errorf("no method %d", i)
	}
	cfg, err := l.ConfigFor(i)
	if err == nil {
		cfg, err = prepare(l.Methods[i], cfg)
	}
	if err != nil {
		return err
	}
	return l.startSeeds(i, cfg, 1)
}

// startSeeds replaces method i's runs with runs of cfg (prepared) at n
// seeds from cfg.Seed: the first in its slot, the others its Reps.
func (l *Lab) startSeeds(i int, cfg lab.Config, n int) error {
	l.drop(i)
	var group *RunView
	for k, seed := range lab.Seeds(cfg.Seed, max(n, 1)) {
		c := cfg
		c.Seed = seed
		rv, err := l.newRun(i, k, c)
		if err != nil { // unreachable: cfg is valid and the seed does not change that
			for _, x := range group.Group() {
				x.cancel()
			}
			return err
		}
		if group == nil {
			group = rv
		} else {
			group.Reps = append(group.Reps, rv)
		}
	}
	l.setRun(i, group)
	return nil
}

// start starts job in the lab's pool at the lab's pace (slow motion
// reaches a race's runs and a sweep's alike), with its own cancel.
func (l *Lab) start(job lab.Job) (*lab.Run, context.CancelFunc, error) {
	ctx, cancel := context.WithCancel(l.ctx)
	r, err := lab.StartIn(ctx, l.pool, job)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	if s := speeds[l.Speed]; s > 0 {
		r.SetSpeed(s) // the control channel has room: the run has just been created
	}
	return r, cancel, nil
}

// newRun starts the run of method i with cfg (prepared), seed place k.
func (l *Lab) newRun(i, k int, cfg lab.Config) (*RunView, error) {
	m := l.Methods[i]
	r, cancel, err := l.start(jobOf(m, cfg))
	if err != nil {
		return nil, err
	}
	l.gen++
	mem, trainable := formulaMemory(m, cfg)
	rv := &RunView{
		ID: i, Seed: k, Gen: l.gen, Info: l.Infos[i], Config: cfg, Status: lab.Queued, Steps: cfg.Steps,
		LR: cfg.LR, Hist: lab.NewHistory(HistoryCap), Memory: mem, Trainable: trainable,
		run: r, cancel: cancel,
	}
	l.hub.watch(seedID(i, k), rv.Gen, r)
	return rv, nil
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

// drop cancels method i's runs, if any, and forgets them.
func (l *Lab) drop(i int) {
	if r := l.Runs[i]; r != nil {
		for _, x := range r.Group() {
			x.cancel()
		}
		l.setRun(i, nil)
	}
}

// allRuns lists every method run, Reps included.
func (l *Lab) allRuns() []*RunView {
	var out []*RunView
	for _, r := range l.Runs {
		out = append(out, r.Group()...)
	}
	return out
}

// Toggle starts method i's run if it has none (or it has ended), pauses it
// if it trains, and resumes it if it is paused (at several seeds: every
// run of the method).
func (l *Lab) Toggle(i int) {
	r := l.Runs[i]
	switch {
	case !r.Active():
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
	case r.State() == lab.Queued:
		l.Say(false, "%s", l.QueueNote(r.Info.Title, r.Gen))
	case r.State() == lab.Paused:
		for _, x := range r.Group() {
			if x.Status.Final() {
				continue
			}
			x.run.Resume() // a queued one too: it holds the pause it got (lab.Run)
			if x.Status == lab.Paused {
				x.Status = lab.Running
			}
		}
		l.ver.Runs++
		l.Say(false, "%s resumed", r.Info.Title)
	default:
		for _, x := range r.Group() {
			if x.Status.Final() {
				continue
			}
			x.run.Pause() // a queued run keeps it until it starts (lab.Run)
			if x.Status == lab.Running {
				x.Status = lab.Paused
			}
		}
		l.ver.Runs++
		l.Say(false, "%s paused: %s steps once, enter resumes", r.Info.Title, ".")
	}
}

// Stop cancels method i's runs; their results arrive as cancelled. While
// the learning-rate search of a tuned race runs, it stops the search.
func (l *Lab) Stop(i int) {
	if l.Search != nil {
		l.CancelSearch()
		return
	}
	r := l.Runs[i]
	if !r.Active() {
		l.Say(true, "%s has no run to stop", l.Infos[i].Title)
		return
	}
	for _, x := range r.Group() {
		x.cancel()
	}
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
	l.CancelSearch()
	n := 0
	for i, r := range l.Runs {
		if r != nil {
			n += r.Seeds()
			l.drop(i)
		}
	}
	if l.Sweep != nil {
		n += l.Sweep.Total()
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
	searching := l.Search != nil
	if n := l.ClearRuns(); n > 0 {
		l.Say(false, "cleared %s: the board, the chart and e start from nothing", plural(n, "run"))
		return
	}
	if searching {
		return // CancelSearch said what it stopped
	}
	l.Say(true, "no run to clear")
}

// StepOnce makes method i's paused run (each of its paused runs, at
// several seeds) take one step.
func (l *Lab) StepOnce(i int) {
	r := l.Runs[i]
	if r == nil || r.State() != lab.Paused || !r.Started() {
		l.Say(true, "single steps need a paused run: press enter to pause %s first", l.Infos[i].Title)
		return
	}
	for _, x := range r.Group() {
		if x.Status == lab.Paused && x.started {
			x.run.Step()
		}
	}
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

// Race starts the race methods with identical settings, each at
// Compare.Seeds seeds, after checking that the settings are valid for
// every one of them; with Compare.Tune, a learning-rate search comes first
// (startSearch) and the race starts when it is over.
func (l *Lab) Race() {
	if l.Search != nil {
		l.Say(true, "the learning-rate search for a race is under way (%s): s stops it", l.Search.Percent())
		return
	}
	idx := l.RaceMethods()
	var cfgs []lab.Config
	for _, i := range idx {
		cfg, err := l.ConfigFor(i)
		if err == nil {
			cfg, err = prepare(l.Methods[i], cfg)
		}
		if err != nil {
			l.Say(true, "race refused: %v", err)
			return
		}
		cfgs = append(cfgs, cfg)
	}
	c := l.Compare // as it is now: changes made during a search apply to the next race
	adm, err := l.pool.Admit(l.raceJobs(idx, cfgs, c.SeedCount()))
	if err != nil {
		l.Say(true, "race refused: %v", err)
		return
	}
	if c.Tune {
		l.startSearch(idx, cfgs, c, adm)
		return
	}
	if l.startRace(idx, cfgs, c, nil, adm) && len(idx) == 1 {
		if hint := l.SweepHint(); hint != "" {
			l.Say(false, "a race of one method: %s", hint)
		}
	}
}

// raceJobs are the race's runs: each method's cfg at n seeds, the seeds
// innermost.
func (l *Lab) raceJobs(idx []int, cfgs []lab.Config, n int) []lab.Job {
	var jobs []lab.Job
	for k, i := range idx {
		for _, seed := range lab.Seeds(cfgs[k].Seed, n) {
			c := cfgs[k]
			c.Seed = seed
			jobs = append(jobs, jobOf(l.Methods[i], c))
		}
	}
	return jobs
}

// startRace starts method idx[k] with cfgs[k] (prepared, admitted) at
// c.Seeds seeds, records the race (with the learning-rate searches it ran
// at, if tuned) and says how it trains.
func (l *Lab) startRace(idx []int, cfgs []lab.Config, c CompareSettings, tunings []lab.Tuning, adm lab.Admission) bool {
	for k, i := range idx {
		if err := l.startSeeds(i, cfgs[k], c.SeedCount()); err != nil {
			l.Say(true, "race: %v", err)
			return false
		}
	}
	l.record("race", idx, "", nil) // says how the race trains
	l.Last.Extra = c.flags(false)
	if tunings != nil {
		l.Last.tuned(tunings, c)
		l.ver.Experiment++
	}
	jobs := l.raceJobs(idx, cfgs, c.SeedCount())
	var total time.Duration
	for _, j := range jobs {
		total += lab.EstimateDuration(j)
	}
	if total /= time.Duration(min(max(l.pool.Size(), 1), len(jobs))); total > lab.LongRun {
		l.Say(false, "%s; it may take about %s", l.Message, text.Duration(total))
	} else if note := adm.Short(); note != "" {
		l.Say(false, "%s (%s)", l.Message, note)
	}
	return true
}

// QueueNote says why the run of generation gen (called title) is queued
// and behind what: every seat of the pool is taken — by how many method
// runs and sweep runs — and how many queued runs were started before it.
func (l *Lab) QueueNote(title string, gen int) string {
	seated, bySweep, ahead := 0, 0, 0
	for _, r := range l.allRuns() {
		switch {
		case r.Status.Final():
		case r.started:
			seated++
		case r.Gen < gen:
			ahead++
		}
	}
	if sw := l.Sweep; sw != nil {
		for _, r := range sw.all() {
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
// applies the cap to every run that trains, a sweep's included.
func (l *Lab) SetSpeed(dir int) {
	n := l.Speed - dir
	if n < 0 || n >= len(speeds) {
		l.Say(true, "speed is already %s", SpeedLabel(l.Speed))
		return
	}
	l.Speed = n
	for _, r := range l.allRuns() {
		if !r.Status.Final() {
			r.run.SetSpeed(speeds[n]) // a queued run keeps it until it starts (lab.Run)
		}
	}
	if l.Sweep != nil {
		for _, g := range l.Sweep.Runs {
			for _, r := range g.Group() {
				if !r.Status.Final() && r.run != nil {
					r.run.SetSpeed(speeds[n])
				}
			}
		}
	}
	l.Say(false, "speed: %s", SpeedLabel(n))
	l.ver.Runs++
}

// Pace is the steps a second to show for method's run, whose engine trains
// at speed between its waits: while slow motion paces a run that has not
// ended, the pace it moves at (at most the lab's limit), so the board and
// the status line agree with the header's "speed 10 steps/s".
func (l *Lab) Pace(method string, speed float64) float64 {
	limit := speeds[l.Speed]
	if i := l.Index(method); limit > 0 && i >= 0 && l.Runs[i].Active() {
		return min(speed, limit)
	}
	return speed
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
		n += l.sendLR(r, lr)
	}
	return n
}

// sendLR sends every run of r's group that has not ended a new learning
// rate, marks it changed live, and returns how many got it.
func (l *Lab) sendLR(r *RunView, lr float64) int {
	n := 0
	for _, x := range r.Group() {
		if x.Status.Final() {
			continue
		}
		x.run.SetLR(lr)
		x.liveLR = true
		n++
	}
	l.ver.Runs++
	return n
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
	g := l.Runs[u.ID.Index]
	if g == nil {
		return false
	}
	r := g.member(u.ID.Seed)
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
			r.Train, r.Eval, r.Forget = p.TrainLoss, p.EvalLoss, p.ForgetLoss
		}
		if p.Sample != (lab.Sample{}) {
			r.Sample = p.Sample
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
		if n := len(res.Samples); n > 0 {
			r.Sample = res.Samples[n-1]
		}
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
		switch {
		case len(g.Reps) > 0:
			if g.over() {
				l.Say(false, "%s", groupDone(g))
			}
		case res.Status == lab.Done:
			l.Say(false, "%s done: eval loss %s after %d steps", r.Info.Title, text.ShortLoss(res.Final.Eval), r.Step)
		case res.Status == lab.Diverged:
			l.Say(true, "%s diverged: %s", r.Info.Title, res.Reason)
		}
		l.raceOver()
	}
	l.ver.Runs++
	return true
}

// groupDone says how a method's runs at several seeds ended: the mean
// final eval loss of those that finished, its range, and how many did not.
func groupDone(g *RunView) string {
	var finals []float64
	diverged, stopped := 0, 0
	for _, x := range g.Group() {
		switch x.Status {
		case lab.Done:
			if x.Result != nil {
				finals = append(finals, x.Result.Final.Eval)
			} else {
				finals = append(finals, x.Eval)
			}
		case lab.Diverged:
			diverged++
		default:
			stopped++
		}
	}
	sp := lab.SpreadOf(finals)
	s := fmt.Sprintf("%s at %d seeds: ", g.Info.Title, g.Seeds())
	if sp.N > 0 {
		s += fmt.Sprintf("%d done, mean eval loss %s (%s … %s)", sp.N, text.ShortLoss(sp.Mean), text.ShortLoss(sp.Min), text.ShortLoss(sp.Max))
	} else {
		s += "none finished"
	}
	if diverged > 0 {
		s += fmt.Sprintf(", %d diverged", diverged)
	}
	if stopped > 0 {
		s += fmt.Sprintf(", %d stopped", stopped)
	}
	return s
}

// Results returns a Result for every method's run (at several seeds: its
// first seed's), provisional for those still training, in method order:
// the leaderboard's input.
func (l *Lab) Results() []*lab.Result {
	var out []*lab.Result
	for _, r := range l.Runs {
		if r != nil {
			out = append(out, resultOf(r))
		}
	}
	return out
}

// Seeded reports whether some method trains at several seeds: the
// leaderboard then ranks by the mean over them (GroupResults).
func (l *Lab) Seeded() bool {
	for _, r := range l.Runs {
		if r != nil && len(r.Reps) > 0 {
			return true
		}
	}
	return false
}

// GroupResults returns, for every method that has runs, a Result per seed
// (provisional for the runs still training), in method and seed order:
// lab.SeedLeaderboard's input.
func (l *Lab) GroupResults() [][]*lab.Result {
	var out [][]*lab.Result
	for _, r := range l.Runs {
		if r == nil {
			continue
		}
		var g []*lab.Result
		for _, x := range r.Group() {
			g = append(g, resultOf(x))
		}
		out = append(out, g)
	}
	return out
}

// resultOf is r's Result once it has ended, else a provisional one from
// what it has reported.
func resultOf(r *RunView) *lab.Result {
	if r.Result != nil && r.Result.Params.Total > 0 {
		return r.Result
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
	return res
}

// Bundles returns what has ended, to save: the runs of the methods (a
// single run or a race, with its leaderboard) and the current sweep's runs
// as a sweep bundle with its table. None if nothing has ended.
func (l *Lab) Bundles() []results.Bundle {
	ended := func(r *lab.Result) bool { return r != nil && r.Params.Total > 0 }
	var runs []*lab.Result
	var groups [][]*lab.Result // at several seeds: each method's ended runs
	for _, r := range l.Runs {
		var g []*lab.Result
		for _, x := range r.Group() {
			if ended(x.Result) {
				g = append(g, x.Result)
			}
		}
		if len(g) > 0 {
			runs, groups = append(runs, g...), append(groups, g)
		}
	}
	var bundles []results.Bundle
	if len(runs) > 0 {
		b := results.Bundle{Kind: results.Single, Runs: runs}
		if len(runs) > 1 {
			b.Kind = results.Race
			b.Leaderboard = lab.Leaderboard(runs, l.Target())
		}
		if l.Seeded() {
			b.SeedBoard = lab.SeedLeaderboard(groups, l.Target())
		}
		if e := l.Last; e != nil && e.Kind == "race" {
			b.Tuning = e.Tunings
		}
		bundles = append(bundles, b)
	}
	if s := l.Sweep; s != nil {
		var swept []*lab.Result
		for _, r := range s.Runs { // only whole groups: SweepTable reads them seeds at a time
			whole := true
			for _, x := range r.Group() {
				whole = whole && ended(x.Result)
			}
			if whole {
				for _, x := range r.Group() {
					swept = append(swept, x.Result)
				}
			}
		}
		if set, err := catalog.Setting(s.Setting); err == nil && len(swept) > 0 {
			bundles = append(bundles, results.Bundle{Kind: results.Sweep, Runs: swept, Setting: s.Setting, Values: s.Values,
				Table: results.SweepTable(set, s.Values, swept, s.Seeds())})
		}
	}
	return bundles
}
