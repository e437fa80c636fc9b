package tui

import (
	"testing"

	"github.com/loralab/loralab/lab"
)

// sixLongRuns is the benchmark's screen: six runs of 10,000 recorded steps
// each (a point every step, kept in the UI's bounded history) at 120x40.
func sixLongRuns(b *testing.B) *Model {
	m := newTestModel(b, 120, 40)
	for i := range m.lab.Methods {
		fakeRunEvery(m, i, 10000, 10000, 1, lab.Running)
	}
	for i := 0; i < 600; i++ {
		m.lab.Proc.Add(float64(10<<20+i%50<<16), 30<<20)
	}
	return m
}

// BenchmarkView measures a frame after new progress arrived: every pane
// that shows runs is redrawn.
func BenchmarkView(b *testing.B) {
	m := sixLongRuns(b)
	r := m.lab.Runs[0]
	u := runUpdate{ID: methodID(0), Gen: r.Gen, HasProgress: true,
		Progress: lab.Progress{Step: r.Step, Steps: r.Steps, Status: r.Status, TrainLoss: r.Train, EvalLoss: r.Eval, LR: r.LR}}
	b.ReportAllocs()
	for b.Loop() {
		m.lab.Apply(u) // a batch of progress (no new point): every pane that shows runs redraws
		_ = m.View()
	}
}

// BenchmarkViewIdle measures a frame when nothing changed (cached panes).
func BenchmarkViewIdle(b *testing.B) {
	m := sixLongRuns(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// TestHistoryBounded: a million-step run costs the UI a bounded history.
func TestHistoryBounded(t *testing.T) {
	m := newTestModel(t, 80, 24)
	r := fakeRunEvery(m, 0, 1_000_000, 1_000_000, 1, lab.Running)
	if r.Hist.Len() > HistoryCap {
		t.Fatalf("history holds %d points, cap %d", r.Hist.Len(), HistoryCap)
	}
	checkFits(t, m.View(), 80, 24)
}

// BenchmarkScaleDialog measures a frame of the memory-at-scale dialog right
// after the model changed (every estimate and the chart redone) at 200x60.
func BenchmarkScaleDialog(b *testing.B) {
	m := newTestModel(b, 200, 60)
	press(m, "M")
	sp := paneOf[*ScalePane](m)
	b.ReportAllocs()
	for b.Loop() {
		sp.memo.drop()
		_ = m.View()
	}
}
