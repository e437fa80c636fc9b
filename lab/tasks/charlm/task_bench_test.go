package charlm_test

import (
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
	"github.com/loralab/loralab/lab/tasks/charlm"
)

// defaultConfig is `loralab run --task charlm` as a person starts it: the
// task's core defaults (batch 8, context 64, targets q,v).
func defaultConfig() lab.Config {
	return lab.Catalog{Methods: adapters.All(), Tasks: tasks.All()}.DefaultsFor(charlm.Task{}.Info().Name)
}

// BenchmarkFineTuneStep measures one training step of the default charlm
// run for every method (batch, forward, backward, the method's hooks,
// AdamW), as the trainer takes it: steps/s, tokens/s (B·T characters a
// step) and allocations per step. Compare methods within one run (the
// machine is shared): the ratios are the numbers to read.
func BenchmarkFineTuneStep(b *testing.B) {
	for _, m := range adapters.All() {
		b.Run(m.Info().Name, func(b *testing.B) {
			t := &testing.T{}
			r := newRig(t, m, defaultConfig())
			tokens := charlm.Task{}.Rows(r.cfg)
			b.ReportAllocs()
			for b.Loop() {
				r.step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			b.ReportMetric(float64(b.N*tokens)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkRunSample measures one text sample of the default run (100
// characters from the prompt at temperature 0.5, the effective weights of
// LoRA's adapted layers merged first), as a run takes it every
// sample-every steps: characters/s.
func BenchmarkRunSample(b *testing.B) {
	lora, _ := adapters.Lookup("lora")
	r := newRig(&testing.T{}, lora, defaultConfig())
	s := r.net.(lab.Sampler)
	n := charlm.SampleLength.Int(r.cfg)
	b.ReportAllocs()
	for b.Loop() {
		s.Sample()
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "chars/s")
}
