package cli

import (
	"fmt"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
)

// catalog is every method and task the commands offer.
var catalog = presets.Catalog

// defaultRates lists every method's default learning rate, for help texts:
// "lora 2e-3, lora-fa 5e-3, …".
func defaultRates() string {
	var out []string
	for _, m := range catalog.Methods {
		out = append(out, fmt.Sprintf("%s %s", m.Info().Name, rate(m.Info().DefaultLR)))
	}
	return strings.Join(out, ", ")
}

// taskList lists every task with what its model learns, for help texts, one
// per line: "  shift   an MLP learns …".
func taskList() string {
	var out []string
	for _, t := range catalog.Tasks {
		info := t.Info()
		out = append(out, fmt.Sprintf("  %-7s %s", info.Name, info.Summary))
	}
	return strings.Join(out, "\n")
}

// taskTargets lists every task's default target loss, for help texts:
// "shift 0.001, charlm 3.2".
func taskTargets() string {
	var out []string
	for _, t := range catalog.Tasks {
		out = append(out, fmt.Sprintf("%s %g", t.Info().Name, t.Info().TargetLoss()))
	}
	return strings.Join(out, ", ")
}

// defaultRanks lists the methods' default ranks where they differ from the
// LoRA family's 8, for help texts: "vera 256".
func defaultRanks() string {
	var out []string
	for _, m := range catalog.Methods {
		if info := m.Info(); info.UsesRank() && info.DefaultRank != 8 {
			out = append(out, fmt.Sprintf("%s %d", info.Name, info.DefaultRank))
		}
	}
	return strings.Join(out, ", ")
}

// rate writes a learning rate as help texts do: 2e-3.
func rate(x float64) string {
	s := fmt.Sprintf("%.0e", x)
	return strings.Replace(strings.Replace(s, "e-0", "e-", 1), "e+0", "e", 1)
}

// jobFor is the job of method m with cfg on the task cfg names.
func jobFor(m lab.Method, cfg lab.Config) (lab.Job, error) {
	t, err := catalog.Task(cfg.Task)
	if err != nil {
		return lab.Job{}, err
	}
	return lab.Job{Method: m, Task: t, Config: cfg}, nil
}
