package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
)

// DataSizer is implemented by a task that states the bytes a run holds
// outside its ledger: its data (the training and held-out sets, a teacher's
// weights, the base weights kept to measure ΔW against) and the largest
// scratch it allocates at once while building the network or measuring the
// result. Without it a task's data is counted as nothing, so every task
// should implement it.
type DataSizer interface {
	DataBytes(cfg Config, whole bool) int64
}

// JobMemory is what a run is expected to hold while it is seated in a
// pool, in bytes, from formulas (nothing is allocated to find out).
type JobMemory struct {
	// Ledger is what the run's ledger will hold: the method's Footprint on
	// the task's layers plus the task's Footprint — the formulas the ledger
	// is tested against — which count the method's own cost (VeRA's shared
	// matrices, full fine-tuning's optimizer state, the activations kept).
	Ledger int64
	// Data is the task's data outside the ledger (DataSizer) and the
	// scratch of the result's measurement (ΔW and its spectrum, per layer).
	Data int64
}

// Total is Ledger + Data.
func (m JobMemory) Total() int64 { return m.Ledger + m.Data }

// MemoryOf estimates what a run of job holds (job's Config is resolved
// first if Prepare has not done it).
func MemoryOf(job Job) JobMemory {
	m, t := job.Method, job.Task
	cfg := job.Config
	if !job.prepared {
		cfg = cfg.Resolve(m, t)
	}
	whole := m.Info().TrainsBase
	layers := t.Layers(cfg, whole)
	f := m.Footprint(cfg, layers, t.Rows(cfg)).Plus(t.Footprint(cfg, whole))
	out := JobMemory{Ledger: f.Bytes(BytesPerNumber).Total}
	if d, ok := t.(DataSizer); ok {
		out.Data = d.DataBytes(cfg, whole)
	}
	largest := 0
	for _, s := range layers {
		largest = max(largest, s.DIn*s.DOut)
	}
	out.Data += int64(4*largest) * BytesPerNumber // W_eff and the SVD of ΔW, one layer at a time
	return out
}

// checkMemory refuses a job that would hold more than MaxRunBytes, with
// the estimate and its parts.
func checkMemory(job Job) error {
	m := MemoryOf(job)
	if m.Total() <= MaxRunBytes {
		return nil
	}
	knobs := "batch or the task's sizes"
	if job.Method.Info().UsesRank() {
		knobs = "batch, rank or the task's sizes"
	}
	return fmt.Errorf("the run would hold about %s (model and buffers %s, data %s), more than the %s one run may hold; make it smaller (%s)",
		gib(m.Total()), gib(m.Ledger), gib(m.Data), gib(MaxRunBytes), knobs)
}

// gib writes a byte count for memory messages: 900 MiB, 2 GiB, 4.5 GiB.
func gib(n int64) string {
	if n < 1<<30 {
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return strconv.FormatFloat(math.Round(float64(n)/(1<<30)*10)/10, 'f', -1, 64) + " GiB"
}

// DefaultMemoryBudget is the bytes the runs of one pool may hold together
// unless told otherwise: half of the memory available to the process (the
// other half is the Go heap's room to collect garbage, and the rest of the
// machine's), read from /proc/meminfo's MemAvailable and capped by half of
// GOMEMLIMIT when that is set; 4 GiB where neither is known. It is never
// below MaxRunBytes, so one run of the largest size allowed is always seated.
func DefaultMemoryBudget() int64 {
	budgetOnce.Do(func() {
		budget := int64(4 << 30)
		if avail, ok := memAvailable(); ok {
			budget = avail / 2
		}
		if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
			budget = min(budget, limit/2)
		}
		defaultBudget = max(budget, MaxRunBytes)
	})
	return defaultBudget
}

var (
	budgetOnce    sync.Once
	defaultBudget int64
)

// memAvailable reads MemAvailable from /proc/meminfo (Linux), in bytes.
func memAvailable() (int64, bool) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "MemAvailable:" {
			kib, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil || kib <= 0 {
				return 0, false
			}
			return kib << 10, true
		}
	}
	return 0, false
}
