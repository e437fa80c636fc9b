package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/results"
)

// HistoryCap bounds the points the UI keeps per run: a million-step run costs
// the UI no more memory than a thousand-step one.
const HistoryCap = 1024

// RunView is the UI's copy of one run: what the engine reported through the
// hub, plus the handle to control it. Only Update touches it.
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

// speeds is the slow-motion ladder in steps per second; 0 is "as fast as possible".
var speeds = []float64{0, 1000, 200, 50, 10, 2, 0.5}

// Lab is the state every pane shows: the methods, the current settings and
// the runs. It lives in the root model and is changed only
// from Update.
type Lab struct {
	Methods []lab.Method
	Infos   []lab.MethodInfo
	Config  lab.Config // the settings the next run uses
	// Overrides are a preset's per-method settings (method → setting →
	// value), applied on top of Config for that method only.
	Overrides map[string]map[string]string
	Marked    []bool     // methods marked for a race
	Cursor    int        // the method under the cursor: the "selected run"
	Runs      []*RunView // one slot per method; nil if it has no run
	Speed     int        // index into speeds

	// Status line message of the last action.
	Message    string
	MessageErr bool

	Proc *ProcMem // the process's memory over time

	Sweep *SweepState // the current sweep, if any

	// Preset is the preset the lab was opened on or last loaded (p).
	Preset PresetState
	// Last is the last run, race or sweep started: the reproducing command.
	Last *Experiment

	// Versions, bumped on change so panes redraw only when dirty.
	RunsVer, SelVer, CfgVer, MsgVer, SweepVer, PresetVer, ExpVer int

	touched map[string]bool // settings set in the settings pane since the preset was loaded

	ctx    context.Context
	cancel context.CancelFunc
	pool   *lab.Pool
	hub    *hub
	gen    int
}

// NewLab returns a lab with every method, the given settings, and a pool of
// `workers` training slots (≤ 0: one per core). Shutdown must be called to
// end its goroutines.
func NewLab(cfg lab.Config, workers int) *Lab {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Lab{
		Methods: adapters.All(), Config: cfg,
		ctx: ctx, cancel: cancel, pool: lab.NewPool(workers), hub: newHub(ctx), Proc: NewProcMem(600),
	}
	l.Proc.Sample()
	for _, m := range l.Methods {
		l.Infos = append(l.Infos, m.Info())
	}
	l.Marked = make([]bool, len(l.Methods))
	l.Runs = make([]*RunView, len(l.Methods))
	return l
}

// methodInfos lists the registry's metadata in display order.
func methodInfos() []lab.MethodInfo {
	var out []lab.MethodInfo
	for _, m := range adapters.All() {
		out = append(out, m.Info())
	}
	return out
}

// Index returns the position of the method called name, or -1.
func (l *Lab) Index(name string) int {
	for i, info := range l.Infos {
		if info.Name == name {
			return i
		}
	}
	return -1
}

// Say sets the status line message.
func (l *Lab) Say(err bool, format string, args ...any) {
	l.Message, l.MessageErr = fmt.Sprintf(format, args...), err
	l.MsgVer++
}

// anyRun reports whether some method has a run.
func (l *Lab) anyRun() bool {
	for _, r := range l.Runs {
		if r != nil {
			return true
		}
	}
	return false
}

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

// Targets lists the methods a settings change must be valid for: the marked
// ones and the one under the cursor.
func (l *Lab) Targets() []int {
	var out []int
	for i := range l.Methods {
		if l.Marked[i] || i == l.Cursor {
			out = append(out, i)
		}
	}
	return out
}

// Check validates cfg for every target method (with its overrides, except
// those of setting `dropping`, which the change will drop) and returns the
// first error.
func (l *Lab) Check(cfg lab.Config, dropping string) error {
	for _, i := range l.Targets() {
		c, err := l.withOverrides(i, cfg, dropping)
		if err == nil {
			_, err = lab.Prepare(l.Methods[i], c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ConfigFor is the settings method i trains with: Config and its overrides.
func (l *Lab) ConfigFor(i int) (lab.Config, error) { return l.withOverrides(i, l.Config, "") }

func (l *Lab) withOverrides(i int, cfg lab.Config, skip string) (lab.Config, error) {
	for name, v := range l.Overrides[l.Infos[i].Name] {
		if name == skip {
			continue
		}
		s, err := lab.LookupSetting(name)
		if err != nil {
			return cfg, err
		}
		if err := s.Set(&cfg, v); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// Override returns the preset's value of setting name for method i, if any.
func (l *Lab) Override(i int, name string) (string, bool) {
	v, ok := l.Overrides[l.Infos[i].Name][name]
	return v, ok
}

// DropOverrides forgets every method's override of setting name (the user
// has set it for all) and returns the methods that had one.
func (l *Lab) DropOverrides(name string) []string {
	var out []string
	for _, info := range l.Infos {
		if _, ok := l.Overrides[info.Name][name]; ok {
			delete(l.Overrides[info.Name], name)
			out = append(out, info.Title)
		}
	}
	return out
}

// Start starts (or restarts) the run of method i with the current settings.
func (l *Lab) Start(i int) error {
	if i < 0 || i >= len(l.Methods) {
		return fmt.Errorf("no method %d", i)
	}
	m := l.Methods[i]
	cfg, err := l.ConfigFor(i)
	if err == nil {
		cfg, err = lab.Prepare(m, cfg)
	}
	if err != nil {
		return err
	}
	l.drop(i)
	ctx, cancel := context.WithCancel(l.ctx)
	r, err := lab.StartIn(ctx, l.pool, m, cfg)
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
	l.Runs[i] = rv
	l.hub.watch(methodID(i), rv.Gen, r)
	l.RunsVer++
	return nil
}

// formulaMemory is the memory a run of m with cfg will hold, from the
// method's formula, which the engine's tests prove equal to the ledger's
// measurement. The UI shows it before a run has a model (queued, or no run
// yet); from the first progress event on, it shows the ledger's numbers.
func formulaMemory(m lab.Method, cfg lab.Config) (lab.Memory, int) {
	layers := cfg.Layers()
	f := m.Footprint(cfg, layers, cfg.Batch).Plus(lab.ModelFootprint(cfg, layers, cfg.Batch))
	return f.Bytes(lab.BytesPerNumber), f.Trainable
}

// drop cancels method i's run, if any, and forgets it.
func (l *Lab) drop(i int) {
	if r := l.Runs[i]; r != nil {
		r.cancel()
		l.Runs[i] = nil
		l.RunsVer++
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
		l.Say(false, "%s started", l.Infos[i].Title)
	case r.Status == lab.Queued:
		l.Say(false, "%s is queued: it starts when a core is free (stop a run with s)", r.Info.Title)
	case r.Status == lab.Paused:
		r.run.Resume()
		r.Status = lab.Running
		l.RunsVer++
		l.Say(false, "%s resumed", r.Info.Title)
	default:
		r.run.Pause()
		r.Status = lab.Paused
		l.RunsVer++
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
	for _, i := range idx {
		cfg, err := l.ConfigFor(i)
		if err == nil {
			_, err = lab.Prepare(l.Methods[i], cfg)
		}
		if err != nil {
			l.Say(true, "race refused: %v", err)
			return
		}
	}
	var names []string
	for _, i := range idx {
		if err := l.Start(i); err != nil {
			l.Say(true, "race: %v", err)
			return
		}
		names = append(names, l.Infos[i].Title)
	}
	l.record("race", idx, "", nil)
	l.Say(false, "race: %s (%d at a time)", strings.Join(names, ", "), l.pool.Size())
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
	l.RunsVer++
}

// SpeedLabel describes a rung of the speed ladder.
func SpeedLabel(i int) string {
	if speeds[i] == 0 {
		return "max"
	}
	return fmt.Sprintf("%s steps/s", trimFloat(speeds[i]))
}

// SetLiveLR sends a new learning rate to every run that has not ended, and
// returns how many got it. A queued run keeps it until it starts (lab.Run
// holds the controls that arrive while it waits for its pool).
func (l *Lab) SetLiveLR(lr float64) int {
	n := 0
	for _, r := range l.Runs {
		if !r.Active() {
			continue
		}
		r.run.SetLR(lr)
		r.liveLR = true
		n++
	}
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
	r := l.Runs[u.ID.Index]
	if r == nil || r.Gen != u.Gen {
		return false
	}
	for _, p := range u.Points {
		r.Hist.Add(p)
	}
	if u.HasProgress {
		p := u.Progress
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
			l.Say(false, "%s done: eval loss %s after %d steps", r.Info.Title, fmtLoss(res.Final.Eval), r.Step)
		case lab.Diverged:
			l.Say(true, "%s diverged: %s", r.Info.Title, res.Reason)
		}
	}
	l.RunsVer++
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
			res.Final = lab.Point{Eval: nan()}
		}
		out = append(out, res)
	}
	return out
}

// Shutdown cancels every run and waits until every goroutine the lab
// started has ended.
func (l *Lab) Shutdown() {
	l.cancel()
	l.hub.wait()
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
		if len(swept) > 0 {
			bundles = append(bundles, results.Bundle{Kind: results.Sweep, Runs: swept, Setting: s.Setting, Values: s.Values,
				Table: results.SweepTable(s.Setting, s.Values, swept)})
		}
	}
	return bundles
}
