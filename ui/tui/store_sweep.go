package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/loralab/loralab/lab"
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

	cancel context.CancelFunc
}

// SweepState is the lab's current sweep: one setting over values for the
// marked methods, every run on identical data, in the shared pool.
type SweepState struct {
	Setting string
	Values  []string
	Methods []int
	Runs    []*SweepRun // methods outer, values inner (lab.Sweep.Jobs order)
}

// Done counts the runs that have ended.
func (s *SweepState) Done() int {
	n := 0
	for _, r := range s.Runs {
		if r.Result != nil {
			n++
		}
	}
	return n
}

// Final returns the final eval loss of (method, value), NaN if not ended.
func (s *SweepState) Final(mi, vi int) float64 {
	r := s.Runs[mi*len(s.Values)+vi]
	if r.Result == nil || r.Result.Status != lab.Done {
		return nan() // running, diverged or cancelled: no final loss
	}
	return r.Result.Final.Eval
}

// StartSweep parses values for setting (a list like 1,2,4 or a range like
// 1e-4..1e-1:log:7), builds the jobs for the race methods, each with its
// settings (a preset's per-method overrides included, as loralab sweep
// does), validates every one, and starts them, replacing any sweep.
func (l *Lab) StartSweep(setting, text string) error {
	set, err := catalog.Setting(setting)
	if err != nil {
		return err
	}
	values, err := lab.ParseValues(set, text)
	if err != nil {
		return err
	}
	idx := l.RaceMethods()
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
	adm, err := l.pool.Admit(jobs)
	if err != nil {
		return err
	}
	l.StopSweep()
	st := &SweepState{Setting: setting, Values: values, Methods: idx}
	for k, job := range jobs {
		ctx, cancel := context.WithCancel(l.ctx)
		r, err := lab.StartIn(ctx, l.pool, job)
		if err != nil { // unreachable: Jobs validated every config
			cancel()
			return err
		}
		l.gen++
		mem, trainable := formulaMemory(job.Method, job.Config)
		st.Runs = append(st.Runs, &SweepRun{Method: idx[k/len(values)], Value: values[k%len(values)], Gen: l.gen,
			Status: lab.Queued, Steps: job.Config.Steps, Eval: nan(), Trainable: trainable, Memory: mem.Total, cancel: cancel})
		l.hub.watch(sweepID(k), l.gen, r)
	}
	l.setSweep(st)
	l.record("sweep", idx, setting, values)
	var names []string
	for _, i := range idx {
		names = append(names, l.Infos[i].Title)
	}
	msg := fmt.Sprintf("sweep of %s over %s for %s: %d runs", setting, strings.Join(values, ", "), strings.Join(names, ", "), len(jobs))
	if note := adm.Short(); note != "" {
		msg += " (" + note + ")"
	}
	l.Say(false, "%s", msg)
	return nil
}

// StopSweep cancels every run of the current sweep.
func (l *Lab) StopSweep() {
	if l.Sweep == nil {
		return
	}
	for _, r := range l.Sweep.Runs {
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
	return len(l.Sweep.Runs) - l.Sweep.Done()
}

// applySweep takes an update for a sweep run; stale ones are dropped.
func (l *Lab) applySweep(u runUpdate) bool {
	k := u.ID.Index
	if l.Sweep == nil || k < 0 || k >= len(l.Sweep.Runs) {
		return false
	}
	r := l.Sweep.Runs[k]
	if r.Gen != u.Gen {
		return false
	}
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
		if l.Sweep.Done() == len(l.Sweep.Runs) {
			l.Say(false, "sweep of %s done: %d runs", l.Sweep.Setting, len(l.Sweep.Runs))
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
		text := trimFloat(v)
		if s.Kind == lab.IntSetting {
			text = fmt.Sprint(int(v))
		}
		ok := true
		for _, i := range l.RaceMethods() {
			cfg, err := l.ConfigFor(i)
			if err == nil {
				err = s.Set(&cfg, text)
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
			out = append(out, text)
		}
	}
	return strings.Join(out, ",")
}
