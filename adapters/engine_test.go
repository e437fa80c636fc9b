package adapters_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestPacksStayFresh: every method that changes a base weight W (full
// fine-tuning trains it, Delta-LoRA moves it from step K on) leaves the
// layer's packed copies equal to W after every step, so Forward never
// computes with a stale W. K is 0 here, so Delta-LoRA moves W every step.
func TestPacksStayFresh(t *testing.T) {
	for _, m := range adapters.All() {
		t.Run(m.Info().Name, func(t *testing.T) {
			tr := newTrainer(t, m, with(smallConfig(), "delta-start", 0))
			for step := 1; step <= 5; step++ {
				tr.trainStep()
				tr.net.Evaluate(context.Background())
				for _, b := range tr.model.Base {
					if !b.PacksMatch() {
						t.Fatalf("step %d: %s's packed copy of W is stale", step, b.Name)
					}
				}
			}
		})
	}
}

// TestStepAllocates0: a training step allocates nothing once the first
// step has packed the frozen weights, for every method at widths 8 (edge
// tiles everywhere) and 64, and at width 256 with its products split over
// two threads. (Not under the gonum kernel: gonum's Dgemm
// starts goroutines for large products.)
func TestStepAllocates0(t *testing.T) {
	if lab.Kernel() == "gonum" {
		t.Skip("gonum allocates in its parallel Dgemm")
	}
	for _, c := range []struct{ width, cores int }{{8, 1}, {64, 1}, {256, 2}} {
		for _, m := range adapters.All() {
			t.Run(fmt.Sprintf("%s/width=%d/cores=%d", m.Info().Name, c.width, c.cores), func(t *testing.T) {
				tr := newTrainer(t, m, with(catalog.Defaults(), "width", c.width, "delta-start", 0, "train-size", 256))
				cores := lab.NewCores(c.cores) // products split over two threads from width 256
				defer cores.Close()
				for _, l := range tr.model.Base {
					l.UseCores(cores)
				}
				tr.trainStep()
				if n := testing.AllocsPerRun(5, func() { tr.trainStep() }); n != 0 {
					t.Errorf("%v allocations per step", n)
				}
			})
		}
	}
}
