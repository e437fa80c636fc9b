package charlm

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/loralab/loralab/lab"
)

// PretrainSettings are the settings of a pretraining run: every tensor of
// the model trains from GPT-2's initialisation with AdamW under a cosine
// schedule with linear warmup (lab.Schedule), on windows drawn from the
// text's train split.
type PretrainSettings struct {
	Model       Config  // the shape; Batch is the sequences per step
	Steps       int     // optimiser steps
	LR          float64 // the peak learning rate
	Warmup      int     // steps of linear warmup from 0
	WeightDecay float64 // AdamW's decoupled weight decay (on the 2-D tensors)
	Seed        uint64  // initialisation (lab.StreamBase) and batches (lab.StreamBatches)
	EvalEvery   int     // steps between held-out measurements and samples
	EvalWindows int     // held-out windows measured (rounded up to a multiple of the batch)
}

// ShippedPretrain is how the shipped base model (base/opticks.safetensors)
// was trained: the defaults of `go run ./lab/tasks/charlm/pretrain`.
var ShippedPretrain = PretrainSettings{
	Model: Config{Context: 64, Width: 64, Depth: 2, Heads: 4, Batch: 32},
	Steps: 6000, LR: 3e-3, Warmup: 200, WeightDecay: 0.01, Seed: 1, EvalEvery: 250, EvalWindows: 256,
}

// Flags writes the settings as the pretraining command's flags.
func (s PretrainSettings) Flags() string {
	c := s.Model
	return fmt.Sprintf("-context %d -width %d -depth %d -heads %d -batch %d -steps %d -lr %g -warmup %d -weight-decay %g -seed %d -eval-every %d -eval-windows %d",
		c.Context, c.Width, c.Depth, c.Heads, c.Batch, s.Steps, s.LR, s.Warmup, s.WeightDecay, s.Seed, s.EvalEvery, s.EvalWindows)
}

// Validate returns a one-line error naming the first setting out of range.
func (s PretrainSettings) Validate() error {
	switch {
	case s.Steps < 1:
		return fmt.Errorf("steps %d: at least 1", s.Steps)
	case !(s.LR > 0) || math.IsInf(s.LR, 0):
		return fmt.Errorf("lr %v: a finite number above 0", s.LR)
	case s.Warmup < 0 || s.Warmup > s.Steps:
		return fmt.Errorf("warmup %d: between 0 and steps (%d)", s.Warmup, s.Steps)
	case !(s.WeightDecay >= 0) || math.IsInf(s.WeightDecay, 0):
		return fmt.Errorf("weight-decay %v: a finite number of at least 0", s.WeightDecay)
	case s.EvalEvery < 1:
		return fmt.Errorf("eval-every %d: at least 1", s.EvalEvery)
	case s.EvalWindows < 1:
		return fmt.Errorf("eval-windows %d: at least 1", s.EvalWindows)
	}
	return s.Model.Validate()
}

// PretrainProgress is what a pretraining run reports every EvalEvery steps.
type PretrainProgress struct {
	Step    int
	Train   float64 // the mean training loss since the last report, nats per character
	Held    float64 // the held-out loss, nats per character
	Sample  string  // 100 characters from the sample prompt, greedy
	Elapsed time.Duration
}

// PretrainPrompt is the prompt of the samples a pretraining run reports.
const PretrainPrompt = "The Light "

// Pretrain trains a model of s.Model on text's train split and returns it,
// its weights rounded to float32 (what the weights file stores, so the
// losses in the returned Meta are those of the stored weights). report, if
// not nil, is called every EvalEvery steps and at the end. It gives up with
// ctx's error when ctx ends.
func Pretrain(ctx context.Context, s PretrainSettings, text *Text, report func(PretrainProgress)) (*Model, Meta, error) {
	s.Model.Vocab = BaseVocab().Size()
	if err := s.Validate(); err != nil {
		return nil, Meta{}, err
	}
	if err := text.CheckContext(s.Model.Context); err != nil {
		return nil, Meta{}, err
	}
	start := time.Now()
	l := lab.NewLedger()
	m := NewModel(s.Model, l, Trainable{Embedding: true, Norms: true})
	m.SetLayers(m.DenseLayers(l))
	m.Init(lab.NewRand(s.Seed, lab.StreamBase))
	opt := lab.NewAdamW(l, m.Params(), s.LR, s.WeightDecay)
	schedule := lab.Schedule{Kind: lab.ScheduleCosine, Warmup: s.Warmup, Steps: s.Steps}
	batches := lab.NewRand(s.Seed, lab.StreamBatches)
	held := newEvalSet(text.Held, s.Model.Context, s.EvalWindows, s.Model.Batch)
	sampler := NewSampler(m, l)
	prompt, _ := BaseVocab().Encode(PretrainPrompt)

	var sum float64
	var n int
	meta := Meta{Model: s.Model, Vocab: BaseVocab().Chars(), Text: text.Name, TextSHA256: text.Digest, Pretrain: s.Flags(), GoVersion: runtime.Version() + " " + runtime.GOARCH}
	progress := func(step int) error {
		h := held.loss(ctx, m)
		if err := ctx.Err(); err != nil {
			return err
		}
		p := PretrainProgress{Step: step, Train: sum / float64(max(n, 1)), Held: h, Elapsed: time.Since(start)}
		meta.TrainLoss, meta.HeldLoss, meta.Steps = p.Train, p.Held, step
		if report != nil {
			p.Sample = BaseVocab().Decode(sampler.Generate(prompt, 100, 0, nil))
			report(p)
		}
		sum, n = 0, 0
		return nil
	}
	for step := 0; step < s.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, meta, err
		}
		text.Train.Batch(batches, s.Model.Context, m.Tokens, m.Targets)
		m.ZeroGrads()
		sum += m.Forward()
		n++
		m.Backward()
		opt.LR = s.LR * schedule.Factor(step)
		opt.Step()
		if (step+1)%s.EvalEvery == 0 && step+1 < s.Steps {
			if err := progress(step + 1); err != nil {
				return nil, meta, err
			}
		}
	}
	roundToFloat32(m)
	if err := progress(s.Steps); err != nil {
		return nil, meta, err
	}
	meta.Seconds = time.Since(start).Seconds()
	return m, meta, nil
}

// roundToFloat32 rounds every tensor the weights file stores to the
// nearest float32, as the file will hold it.
func roundToFloat32(m *Model) {
	for _, t := range tensorsOf(m) {
		for i := 0; i < t.m.Rows; i++ {
			row := t.m.Row(i)
			for j, v := range row {
				row[j] = float64(float32(v))
			}
		}
	}
}

// evalSet is a fixed set of windows of a split, measured in batch-sized
// chunks through a model's training buffers: the same numbers every time,
// so a held-out loss changes only when the model does.
type evalSet struct {
	t               int   // context
	chunk           int   // ids per chunk: the model's B·T
	tokens, targets []int // every window's inputs and targets, windows side by side
}

// newEvalSet spreads windows (rounded up to a multiple of batch) evenly
// over split (Split.Eval).
func newEvalSet(split Split, t, windows, batch int) evalSet {
	windows = (windows + batch - 1) / batch * batch
	e := evalSet{t: t, chunk: batch * t, tokens: make([]int, windows*t), targets: make([]int, windows*t)}
	split.Eval(t, e.tokens, e.targets)
	return e
}

// windows is the number of windows in the set.
func (e evalSet) windows() int { return len(e.tokens) / e.t }

// loss is the model's mean cross-entropy over the set, in nats per
// character. It overwrites the model's batch and kept activations, and
// returns early (NaN) when ctx ends.
func (e evalSet) loss(ctx context.Context, m *Model) float64 {
	total, chunks := 0.0, len(e.tokens)/e.chunk
	for c := range chunks {
		if ctx.Err() != nil {
			return math.NaN()
		}
		copy(m.Tokens, e.tokens[c*e.chunk:(c+1)*e.chunk])
		copy(m.Targets, e.targets[c*e.chunk:(c+1)*e.chunk])
		total += m.Forward()
	}
	return total / float64(chunks)
}

// digest folds the set's ids into d (as float64 numbers: a Digest hashes
// numbers).
func (e evalSet) digest(d *lab.Digest) {
	v := make([]float64, len(e.tokens))
	for _, ids := range [][]int{e.tokens, e.targets} {
		for i, id := range ids {
			v[i] = float64(id)
		}
		d.AddVec(v)
	}
}
