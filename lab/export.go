package lab

import (
	"context"
	"fmt"
)

// What an export needs from a run: the numbers it starts from and the
// losses it records, so that another framework (PyTorch, PEFT) can train
// the same model from the same numbers and compare, step by step.
//
// A task's network and a method's adapted layer may implement Tensorer to
// list the tensors they compute with that the run cannot see otherwise: a
// network its pretrained weights and its data, a layer its own frozen
// tensors (LoRA-FA's A, VeRA's shared pair). A network whose batches are
// rows of a fixed training set implements BatchRower. Trace collects it all.

// Tensor is one named matrix of a run, for export. A vector is one row.
type Tensor struct {
	Name string // e.g. "layer1.A", "train.X", "vera.A_shared": unique within a run
	Role string // what it is in the method's or the task's equations: "W", "bias", "A", "X", "teacher", …
	Mat  *Mat   // its numbers (not copied: read it before the run moves on)
}

// Tensorer is implemented by a Network or an Adapted layer that can list
// the tensors it computes with besides its Linears and its Params. A tensor
// shared by several layers is listed by each under the same name.
type Tensorer interface {
	Tensors() []Tensor
}

// BatchRower is implemented by a Network whose training batches are rows of
// a training set it lists among its Tensors: BatchRows returns the rows
// (0-based) that NextBatch loaded last, in batch order.
type BatchRower interface {
	BatchRows() []int
}

// ParamTensor is a trainable tensor as a run starts: its name, role and
// initial value, and how the optimiser treats it.
type ParamTensor struct {
	Tensor
	LRScale     float64 // multiplier on the scheduled learning rate (LoRA+'s λ on B)
	WeightDecay bool    // whether AdamW's decoupled weight decay applies
}

// EvalPoint is one held-out measurement of a trace: the loss after Step
// steps, and the forgetting loss where the task measures one (Metrics.Forget).
type EvalPoint struct {
	Step   int     `json:"step"`
	Loss   float64 `json:"loss"`
	Forget float64 `json:"forget,omitempty"`
}

// Snapshot is a run as it starts, and the losses of the run that followed.
type Snapshot struct {
	Job    Job     // prepared: the resolved settings
	Layers []Shape // the adapted linear layers, in order
	// Base are the linear layers' weights and biases as the method leaves
	// them before the first step ("layer1.W", "layer1.bias"): W0, except
	// where the method replaces it (PiSSA's residual W − s·B·A).
	Base []Tensor
	// Params are the trainable tensors with their initial values (copies),
	// in the optimiser's order.
	Params []ParamTensor
	// Frozen are the adapted layers' own frozen tensors, each once.
	Frozen []Tensor
	// Data are the network's own tensors (copies): pretrained weights, data.
	Data []Tensor
	// Batches are, per step, the training-set rows of its batch (nil when
	// the network is not a BatchRower).
	Batches [][]int
	// Train is the training loss of every step taken, in order; Eval the
	// held-out losses (and forgetting losses), at step 0 and at every
	// evaluation the run made.
	Train []float64
	Eval  []EvalPoint
	// Status is how the run ended, Reason why it diverged.
	Status Status
	Reason string
}

// Trace prepares job, builds its network and adapters exactly as a run
// does, copies every tensor the run starts from, then trains it as
// Execute would (same steps, evaluations and divergence rule), recording
// each step's loss and batch. It fails on an invalid job, or if ctx ends
// first.
func Trace(ctx context.Context, job Job) (*Snapshot, error) {
	job, err := Prepare(job)
	if err != nil {
		return nil, err
	}
	t, err := newTrainer(ctx, job)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Job: job, Layers: job.Task.Layers(job.Config, job.Method.Info().TrainsBase)}
	for _, lin := range t.net.Linears() {
		snap.Base = append(snap.Base,
			Tensor{Name: lin.Name + ".W", Role: "W", Mat: lin.W.Clone()},
			Tensor{Name: lin.Name + ".bias", Role: "bias", Mat: vecMat(lin.Bias).Clone()})
	}
	for _, p := range t.params {
		snap.Params = append(snap.Params, ParamTensor{Tensor: Tensor{Name: p.Name, Role: p.Role, Mat: p.Value.Clone()}, LRScale: p.LRScale, WeightDecay: p.WeightDecay})
	}
	seen := map[string]bool{}
	for _, l := range t.layers {
		if tl, ok := l.(Tensorer); ok {
			for _, x := range tl.Tensors() {
				if !seen[x.Name] {
					seen[x.Name] = true
					snap.Frozen = append(snap.Frozen, Tensor{Name: x.Name, Role: x.Role, Mat: x.Mat.Clone()})
				}
			}
		}
	}
	if tn, ok := t.net.(Tensorer); ok {
		for _, x := range tn.Tensors() {
			snap.Data = append(snap.Data, Tensor{Name: x.Name, Role: x.Role, Mat: x.Mat.Clone()})
		}
	}
	if err := snap.checkNames(); err != nil {
		return nil, err
	}
	rower, _ := t.net.(BatchRower)
	t.trace = &trace{snap: snap, rower: rower}
	t.train(ctx, func() bool { return ctx.Err() == nil }, func() {})
	if t.status == Cancelled {
		return nil, fmt.Errorf("trace of %s cancelled at step %d: %w", job.Config.Method, t.steps, context.Cause(ctx))
	}
	snap.Status, snap.Reason = t.status, t.reason
	return snap, nil
}

// checkNames fails if two different tensors of the snapshot share a name
// (a Full run's parameters are its base weights: the same numbers).
func (s *Snapshot) checkNames() error {
	byName := map[string]*Mat{}
	check := func(x Tensor) error {
		if m, ok := byName[x.Name]; ok && !m.Equal(x.Mat) {
			return fmt.Errorf("export: two tensors are called %q", x.Name)
		}
		byName[x.Name] = x.Mat
		return nil
	}
	for _, x := range s.Base {
		if err := check(x); err != nil {
			return err
		}
	}
	for _, p := range s.Params {
		if err := check(p.Tensor); err != nil {
			return err
		}
	}
	for _, group := range [][]Tensor{s.Frozen, s.Data} {
		for _, x := range group {
			if err := check(x); err != nil {
				return err
			}
		}
	}
	return nil
}

// vecMat views v as a 1 × len(v) matrix.
func vecMat(v []float64) *Mat { return &Mat{Rows: 1, Cols: len(v), Stride: len(v), Data: v} }

// trace is what a trainer records for Trace: every step's loss and batch,
// every evaluation.
type trace struct {
	snap  *Snapshot
	rower BatchRower
}

// stepped records the step just taken.
func (tr *trace) stepped(loss float64) {
	tr.snap.Train = append(tr.snap.Train, loss)
	if tr.rower != nil {
		tr.snap.Batches = append(tr.snap.Batches, append([]int(nil), tr.rower.BatchRows()...))
	}
}

// evaluated records the held-out metrics after step steps.
func (tr *trace) evaluated(step int, m Metrics) {
	tr.snap.Eval = append(tr.snap.Eval, EvalPoint{Step: step, Loss: m.Eval, Forget: m.Forget})
}
