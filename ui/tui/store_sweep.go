package tui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// SweepRun is one (method, value) run of a sweep, as the UI knows it.
type SweepRun struct {
	Method int    // index in Lab.Methods
	Value  string // the swept setting's value
	Gen    int
	Status lab.Status
	Step   int
	Steps  int
	Eval   float64     // the latest eval loss
	Result *lab.Result // set when it has ended
	// Trainable and Memory are its trainable parameters and total bytes:
	// from the method's formula until it ends, then from the ledger.
	Trainable int
	Memory    int64
	// Hist is its loss history (bounded: SweepHistoryCap points), for the
	// dialog's curves and its loss at a chosen step.
	Hist *lab.History
	// Reps are the runs of the same method and value at the seeds after
	// the first (+1, +2, …) of a sweep at several seeds; nil for one seed.
	Reps []*SweepRun

	cancel context.CancelFunc
	run    *lab.Run // its engine run, for the speed control
}

// Group is the run and its Reps: the (method, value)'s runs at every seed.
func (r *SweepRun) Group() []*SweepRun { return append([]*SweepRun{r}, r.Reps...) }

// Ended reports whether every run of the group has ended.
func (r *SweepRun) Ended() bool {
	for _, x := range r.Group() {
		if x.Result == nil {
			return false
		}
	}
	return true
}

// Spread is the group's final eval loss over the seeds whose run finished
// (lab.SpreadOf; N is 0 until every run of the group has ended, or if none
// finished).
func (r *SweepRun) Spread() lab.Spread {
	if !r.Ended() {
		return lab.SpreadOf(nil)
	}
	var finals []float64
	for _, x := range r.Group() {
		if x.Result.Status == lab.Done {
			finals = append(finals, x.Result.Final.Eval)
		}
	}
	return lab.SpreadOf(finals)
}

// SweepHistoryCap bounds the points the UI keeps per sweep run (a sweep has
// up to lab.MaxSweepValues values per method).
const SweepHistoryCap = 256

// SweepState is the lab's current sweep: one setting over values for the
// marked methods, every run on identical data, in the shared pool.
type SweepState struct {
	Setting string
	Values  []string
	Methods []int
	// Runs are methods outer, values inner (lab.Sweep.Jobs order), each at
	// the first seed, the others in its Reps (Lab.Compare.Seeds).
	Runs []*SweepRun
	// Skipped are the marked methods the sweep left out: they do not read
	// the swept setting, so every value would give the same run.
	Skipped []int
	// Stopped: the sweep was stopped (S, or ctrl+x or S in its dialog); the runs
	// that had ended keep their results.
	Stopped bool
	// Elapsed is the wall time since it started, as of its last update.
	Elapsed time.Duration
	started time.Time
}

// all lists every run of the sweep, Reps included.
func (s *SweepState) all() []*SweepRun {
	var out []*SweepRun
	for _, r := range s.Runs {
		out = append(out, r.Group()...)
	}
	return out
}

// Seeds is the number of seeds each (method, value) runs at.
func (s *SweepState) Seeds() int {
	if len(s.Runs) == 0 {
		return 1
	}
	return 1 + len(s.Runs[0].Reps)
}

// Total counts the sweep's runs, at every seed.
func (s *SweepState) Total() int { return len(s.Runs) * s.Seeds() }

// Progress is the sweep's steps taken and to take, over every run (an
// ended run counts all its steps).
func (s *SweepState) Progress() (done, total int) {
	for _, r := range s.all() {
		total += r.Steps
		if r.Result != nil {
			done += r.Steps
		} else {
			done += r.Step
		}
	}
	return done, total
}

// Remaining estimates the wall time the sweep still needs, from its pace so
// far (false until it has taken a step, and once it is over).
func (s *SweepState) Remaining() (time.Duration, bool) {
	done, total := s.Progress()
	if done <= 0 || done >= total || s.Stopped || s.Elapsed <= 0 {
		return 0, false
	}
	return time.Duration(float64(s.Elapsed) * float64(total-done) / float64(done)), true
}

// Training counts the runs that train now (seated, not ended), and Waiting
// those queued for a seat.
func (s *SweepState) Training() (training, waiting int) {
	for _, r := range s.all() {
		switch {
		case r.Result != nil:
		case r.Status == lab.Queued:
			waiting++
		default:
			training++
		}
	}
	return training, waiting
}

// Done counts the runs that have ended, at every seed.
func (s *SweepState) Done() int {
	n := 0
	for _, r := range s.all() {
		if r.Result != nil {
			n++
		}
	}
	return n
}

// SweepTally counts a sweep's runs, at every seed, by how they stand.
type SweepTally struct {
	Total    int
	Finished int // ended done, with a final eval loss
	Diverged int // ended diverged
	Stopped  int // stopped early: cancelled, or to be, the sweep being stopped
	Open     int // still to end (training or waiting), the sweep going on
}

// Tally counts the sweep's runs by how they stand: once the sweep is
// stopped, a run that had not ended counts as stopped early at once, so
// the counts read the same before and after its cancellation arrives.
func (s *SweepState) Tally() SweepTally {
	t := SweepTally{Total: s.Total()}
	for _, r := range s.all() {
		switch {
		case r.Result != nil && r.Result.Status == lab.Done:
			t.Finished++
		case r.Result != nil && r.Result.Status == lab.Diverged:
			t.Diverged++
		case r.Result != nil || s.Stopped:
			t.Stopped++
		default:
			t.Open++
		}
	}
	return t
}

// String is the tally in words: "3 of 35 ended" while the sweep goes on
// or once it is over, "0 of 35 finished, 35 stopped early" once it was
// stopped; the diverged runs named when there are some.
func (t SweepTally) String() string {
	var s string
	if t.Stopped > 0 {
		s = fmt.Sprintf("%d of %d finished, %d stopped early", t.Finished, t.Total, t.Stopped)
	} else {
		s = fmt.Sprintf("%d of %d ended", t.Total-t.Open, t.Total)
	}
	if t.Diverged > 0 {
		s += fmt.Sprintf(", %d diverged", t.Diverged)
	}
	return s
}

// Final returns the final eval loss of (method, value) — at several seeds,
// its mean over the seeds that finished — NaN until every one has ended.
func (s *SweepState) Final(mi, vi int) float64 {
	r := s.Runs[mi*len(s.Values)+vi]
	if len(r.Reps) > 0 {
		return r.Spread().Mean
	}
	if r.Result == nil || r.Result.Status != lab.Done {
		return math.NaN() // running, diverged or cancelled: no final loss
	}
	return r.Result.Final.Eval
}

// StartSweep parses values for setting (a list like 1,2,4 or a range like
// 1e-4..1e-1:log:7), builds the jobs for the race methods that read the
// setting (the others are skipped and named: every value would give them
// the same run), each with its settings (a preset's per-method overrides
// included, as loralab sweep does), validates every one, and starts them,
// replacing any sweep.
func (l *Lab) StartSweep(setting, list string) error {
	set, err := catalog.Setting(setting)
	if err != nil {
		return err
	}
	values, err := lab.ParseValues(set, list)
	if err != nil {
		return err
	}
	var idx, skipped []int
	for _, i := range l.RaceMethods() {
		if lab.Applies(setting, l.Methods[i], taskOf(l.Config)) {
			idx = append(idx, i)
		} else {
			skipped = append(skipped, i)
		}
	}
	if len(idx) == 0 {
		return fmt.Errorf("no marked method reads %s (%s): every value would give the same run; mark one that does", setting, strings.Join(titlesOf(l, skipped), ", "))
	}
	var jobs []lab.Job
	for _, i := range idx {
		base, err := l.ConfigFor(i)
		if err != nil {
			return err
		}
		js, err := lab.Sweep{Setting: set, Values: values, Methods: []lab.Method{l.Methods[i]}, Task: taskOf(base), Base: base}.Jobs()
		if err != nil {
			return err
		}
		jobs = append(jobs, js...)
	}
	n := l.Compare.SeedCount()
	var all []lab.Job // every job at every seed, the seeds innermost
	for _, j := range jobs {
		for _, seed := range lab.Seeds(j.Config.Seed, n) {
			c := j.Config
			c.Seed = seed
			all = append(all, lab.Job{Method: j.Method, Task: j.Task, Config: c})
		}
	}
	adm, err := l.pool.Admit(all)
	if err != nil {
		return err
	}
	l.StopSweep()
	st := &SweepState{Setting: setting, Values: values, Methods: idx, Skipped: skipped, started: time.Now()}
	for k, job := range all {
		r, cancel, err := l.start(job)
		if err != nil { // unreachable: Jobs validated every config
			return err
		}
		l.gen++
		mem, trainable := formulaMemory(job.Method, job.Config)
		run, seed := k/n, k%n
		sr := &SweepRun{Method: idx[run/len(values)], Value: values[run%len(values)], Gen: l.gen,
			Status: lab.Queued, Steps: job.Config.Steps, Eval: math.NaN(), Trainable: trainable, Memory: mem.Total, cancel: cancel,
			Hist: lab.NewHistory(SweepHistoryCap), run: r}
		if seed == 0 {
			st.Runs = append(st.Runs, sr)
		} else {
			first := st.Runs[run]
			first.Reps = append(first.Reps, sr)
		}
		l.hub.watch(sweepSeedID(run, seed), l.gen, r)
	}
	l.setSweep(st)
	l.record("sweep", idx, setting, values)
	var names []string
	for _, i := range idx {
		names = append(names, l.Infos[i].Title)
	}
	msg := fmt.Sprintf("sweep of %s over %s for %s: %d runs", setting, strings.Join(values, ", "), strings.Join(names, ", "), len(all))
	if n > 1 {
		msg += fmt.Sprintf(" (%d configurations at %d seeds)", len(jobs), n)
	}
	if len(skipped) > 0 {
		msg += fmt.Sprintf("; skipped %s: it does not read %s", strings.Join(titlesOf(l, skipped), ", "), setting)
	}
	if note := adm.Short(); note != "" {
		msg += " (" + note + ")"
	}
	l.Say(false, "%s", msg)
	return nil
}

// titlesOf maps method indices to their titles.
func titlesOf(l *Lab, idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, l.Infos[i].Title)
	}
	return out
}

// CancelSweep stops the current sweep (S, or ctrl+x or S in its dialog): every
// run that has not ended is cancelled; those that ended keep their
// results, for the dialog and e. It says what it did.
func (l *Lab) CancelSweep() {
	sw := l.Sweep
	if sw == nil || sw.Stopped || sw.Done() == sw.Total() {
		l.Say(true, "no sweep trains: nothing to stop")
		return
	}
	for _, r := range sw.all() {
		r.cancel()
	}
	sw.Stopped = true
	l.ver.Sweep++
	t := sw.Tally()
	note := "nothing to save"
	if t.Finished+t.Diverged > 0 {
		note = "the ended runs' results stay (e saves them)"
	}
	l.Say(false, "sweep of %s stopped: %s; %s", sw.Setting, t, note)
}

// StopSweep cancels every run of the current sweep.
func (l *Lab) StopSweep() {
	if l.Sweep == nil {
		return
	}
	for _, r := range l.Sweep.all() {
		r.cancel()
	}
	l.setSweep(nil)
}

// setSweep makes s (nil: none) the current sweep.
func (l *Lab) setSweep(s *SweepState) {
	l.Sweep = s
	l.ver.Sweep++
}

// SweepActive counts the sweep's runs that have not ended.
func (l *Lab) SweepActive() int {
	if l.Sweep == nil {
		return 0
	}
	return l.Sweep.Total() - l.Sweep.Done()
}

// applySweep takes an update for a sweep run; stale ones are dropped.
func (l *Lab) applySweep(u runUpdate) bool {
	k, seed := u.ID.Index, u.ID.Seed
	if l.Sweep == nil || k < 0 || k >= len(l.Sweep.Runs) || seed < 0 || seed > len(l.Sweep.Runs[k].Reps) {
		return false
	}
	r := l.Sweep.Runs[k].Group()[seed]
	if r.Gen != u.Gen {
		return false
	}
	for _, p := range u.Points {
		r.Hist.Add(p)
	}
	l.Sweep.Elapsed = time.Since(l.Sweep.started)
	if u.HasProgress {
		r.Status, r.Step, r.Steps = u.Progress.Status, u.Progress.Step, u.Progress.Steps
		if u.Progress.Step > 0 {
			r.Eval = u.Progress.EvalLoss
		}
	}
	if u.Result != nil {
		r.Result, r.Status = u.Result, u.Result.Status
		r.Eval = u.Result.Final.Eval
		if u.Result.Params.Total > 0 {
			r.Trainable, r.Memory = u.Result.Params.Trainable, u.Result.Memory.Total
		}
		r.cancel()
		if l.Sweep.Done() == l.Sweep.Total() && !l.Sweep.Stopped {
			l.Say(false, "sweep of %s done: %d runs in %s", l.Sweep.Setting, l.Sweep.Total(), text.Clock(l.Sweep.Elapsed))
		}
	}
	l.ver.Sweep++
	return true
}

// SweepDefault is a starting list of values for a setting: the rungs of
// its ladder that are valid for every race method, at most 8.
func (l *Lab) SweepDefault(name string) string {
	s, err := catalog.Setting(name)
	if err != nil || len(s.Ladder) == 0 {
		return ""
	}
	var out []string
	for _, v := range s.Ladder {
		value := text.Float(v)
		if s.Kind == lab.IntSetting {
			value = fmt.Sprint(int(v))
		}
		ok := true
		for _, i := range l.RaceMethods() {
			cfg, err := l.ConfigFor(i)
			if err == nil {
				err = s.Set(&cfg, value)
			}
			if err == nil {
				_, err = prepare(l.Methods[i], cfg)
			}
			if err != nil {
				ok = false
				break
			}
		}
		if ok && len(out) < 8 {
			out = append(out, value)
		}
	}
	return strings.Join(out, ",")
}
