package tui

import (
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
)

// catalog is every method and task the lab offers.
var catalog = presets.Catalog

// taskOf returns the task cfg names (the catalog's first if it names none
// the catalog knows: Prepare then says what is wrong).
func taskOf(cfg lab.Config) lab.Task {
	if t, err := catalog.Task(cfg.Task); err == nil {
		return t
	}
	return catalog.Tasks[0]
}

// prepare validates cfg for method m on the task cfg names and returns it resolved.
func prepare(m lab.Method, cfg lab.Config) (lab.Config, error) {
	if _, err := catalog.Task(cfg.Task); err != nil {
		return cfg, err
	}
	job, err := lab.Prepare(lab.Job{Method: m, Task: taskOf(cfg), Config: cfg})
	return job.Config, err
}

// jobOf is method m on the task cfg names.
func jobOf(m lab.Method, cfg lab.Config) lab.Job {
	return lab.Job{Method: m, Task: taskOf(cfg), Config: cfg}
}

// Target is the eval loss the leaderboard counts steps to: the target of
// the task the board's runs train (lab.TaskInfo.TargetLoss), or of the next
// run's task when there are none.
func (l *Lab) Target() float64 {
	for _, r := range l.Runs {
		if r != nil {
			return targetOf(r)
		}
	}
	return taskOf(l.Config).Info().TargetLoss()
}

// targetOf is the target loss of the task run r trains.
func targetOf(r *RunView) float64 { return taskOf(r.Config).Info().TargetLoss() }
