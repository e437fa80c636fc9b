// Package tasks holds LoRA Lab's fine-tuning tasks, one file per task,
// behind the lab.Task interface: what network a method adapts, what data it
// is fine-tuned on, its loss and its held-out metrics, and the task's own
// settings. All lists the registry; the engine receives a task the way it
// receives a method and never names one.
package tasks

import (
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks/charlm"
)

// All returns every task in display order; the first is the default.
func All() []lab.Task {
	return []lab.Task{Shift{}, charlm.Task{}}
}
