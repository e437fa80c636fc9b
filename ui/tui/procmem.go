package tui

import (
	"runtime/metrics"
	"time"
)

// ProcMem samples the process's memory over time with runtime/metrics, in a
// ring of bounded size, so the memory pane can plot it while runs train.
type ProcMem struct {
	Heap  []float64     // bytes of live and unswept heap objects, oldest first
	Total float64       // the last sample of all memory the Go runtime has mapped
	Every time.Duration // the time between samples, for the chart's x axis
	cap   int
	buf   []metrics.Sample
}

// NewProcMem returns an empty sampler keeping at most n samples.
func NewProcMem(n int) *ProcMem {
	return &ProcMem{cap: max(n, 2), Every: 250 * time.Millisecond, buf: []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
	}}
}

// Sample reads the runtime's metrics once and records them.
func (p *ProcMem) Sample() {
	metrics.Read(p.buf)
	p.Add(metricValue(p.buf[0]), metricValue(p.buf[1]))
}

// Add records one sample (heap objects and total bytes).
func (p *ProcMem) Add(heap, total float64) {
	if len(p.Heap) == p.cap {
		copy(p.Heap, p.Heap[1:])
		p.Heap = p.Heap[:p.cap-1]
	}
	p.Heap = append(p.Heap, heap)
	p.Total = total
}

func metricValue(s metrics.Sample) float64 {
	if s.Value.Kind() == metrics.KindUint64 {
		return float64(s.Value.Uint64())
	}
	return 0
}
