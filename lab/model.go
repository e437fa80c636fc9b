package lab

import (
	"math"

	"github.com/loralab/loralab/lab/kernel"
)

// Model is the student: an MLP of linear layers, each adapted by a method,
// with a nonlinearity between them. All of its buffers come from its ledger.
type Model struct {
	Base    []*Linear // the base layers (their W may change under full fine-tuning or Delta-LoRA)
	Layers  []Adapted // the same layers with the method applied
	act     activation
	n       int
	outs    []*Mat // outs[i] = output of layer i, N × d_out (after the activation for hidden layers)
	dins    []*Mat // dins[i] = ∂L/∂(input of layer i), N × d_in, for i ≥ 1
	lossG   *Mat   // ∂L/∂(prediction), N × d_out of the last layer
	Ledger  *Ledger
	Params  []*Param
	nOutput int
	BatchX  *Mat // the training batch's inputs, N × d_in of the first layer
	BatchY  *Mat // its targets, N × d_out of the last layer

	evalX, evalY Mat          // views of one eval chunk (kept: no allocation per chunk)
	team         *kernel.Team // the helper of SetCores(2), or nil
}

// NewModel copies the task's base weights into ledger-counted buffers, adapts
// every layer with method m and allocates the forward/backward buffers for
// batches of cfg.Batch rows.
func NewModel(cfg Config, m Method, task Task, ledger *Ledger) *Model {
	act, _ := activationByName(cfg.Activation)
	model := &Model{act: act, n: cfg.Batch, Ledger: ledger}
	ws, bs := task.Base()
	for i, s := range cfg.Layers() {
		lin := &Linear{Shape: s, W: ledger.Mat(Frozen, s.Name+".W", s.DOut, s.DIn), Bias: ledger.Vec(Frozen, s.Name+".bias", s.DOut)}
		lin.W.CopyFrom(ws[i])
		copy(lin.Bias, bs[i])
		model.Base = append(model.Base, lin)
	}
	env := &Env{Ledger: ledger, Rand: NewRand(cfg.Seed, streamAdapter), Config: cfg, N: cfg.Batch}
	model.Layers = m.Build(env, model.Base)
	for i, s := range cfg.Layers() {
		last := i == len(model.Base)-1
		cat := Activations // kept: the activation's backward needs its output
		if last || !act.keeps {
			cat = Workspace
		}
		model.outs = append(model.outs, ledger.Mat(cat, s.Name+".out", cfg.Batch, s.DOut))
		if i > 0 {
			model.dins = append(model.dins, ledger.Mat(Workspace, s.Name+".dX", cfg.Batch, s.DIn))
		} else {
			model.dins = append(model.dins, nil) // ∂L/∂(input) of the first layer is never needed
		}
		if last {
			model.lossG = ledger.Mat(Workspace, "loss.dY", cfg.Batch, s.DOut)
			model.nOutput = s.DOut
		}
	}
	for _, l := range model.Layers {
		model.Params = append(model.Params, l.Params()...)
	}
	layers := cfg.Layers()
	model.BatchX = ledger.Mat(Workspace, "batch.X", cfg.Batch, layers[0].DIn)
	model.BatchY = ledger.Mat(Workspace, "batch.Y", cfg.Batch, layers[len(layers)-1].DOut)
	return model
}

// ModelFootprint is the formula for the model's own buffers (outside the
// adapters) at batch size n: the batch's inputs and targets, layer outputs
// and the ∂L/∂X passed between layers.
func ModelFootprint(cfg Config, layers []Shape, n int) Footprint {
	act, _ := activationByName(cfg.Activation)
	var f Footprint
	if len(layers) > 0 {
		f.Workspace += n*layers[0].DIn + n*layers[len(layers)-1].DOut // batch X and Y
	}
	for i, s := range layers {
		last := i == len(layers)-1
		if last || !act.keeps {
			f.Workspace += n * s.DOut
		} else {
			f.Activations += n * s.DOut
		}
		if i > 0 {
			f.Workspace += n * s.DIn
		}
		if last {
			f.Workspace += n * s.DOut
		}
	}
	return f
}

// Forward runs x (N × d_in) through every layer and returns the prediction,
// a buffer owned by the model.
func (m *Model) Forward(x *Mat) *Mat {
	in := x
	for i, l := range m.Layers {
		l.Forward(in, m.outs[i])
		if i < len(m.Layers)-1 {
			m.act.forward(m.outs[i])
		}
		in = m.outs[i]
	}
	return in
}

// Loss returns the mean squared error between the last prediction and y, and
// writes ∂L/∂prediction for Backward: L = (1/(N·d)) Σ (ŷ − y)².
func (m *Model) Loss(pred, y *Mat) float64 { return mse(pred, y, m.lossG) }

// Backward propagates ∂L/∂prediction (from Loss) through every layer,
// accumulating every trainable tensor's gradient.
func (m *Model) Backward() {
	g := m.lossG
	for i := len(m.Layers) - 1; i >= 0; i-- {
		if i < len(m.Layers)-1 {
			// g holds ∂L/∂(activation output); multiply by f'(·) to reach the layer's output.
			m.act.backward(g, m.outs[i])
		}
		m.Layers[i].Backward(g, m.dins[i])
		g = m.dins[i]
	}
}

// SetCores sets how many cores the model's large products may use: 1, the
// default (everything on the calling goroutine), or 2 (a helper goroutine
// splits the products of every base layer's Forward, InputGrad and Gemm,
// see kernel.Team). The results are bit-identical either way; only the
// speed changes. It is for a run that has the machine to itself at width
// ≥ 256 (below, handing work over costs about what it saves); races and
// sweeps, which already run one run per core, should keep 1. A model set
// to 2 holds a goroutine until Close (or SetCores(1)). Call it between steps.
func (m *Model) SetCores(n int) {
	switch {
	case n >= 2 && m.team == nil:
		m.team = kernel.NewTeam()
	case n < 2 && m.team != nil:
		m.team.Close()
		m.team = nil
	}
	for _, l := range m.Base {
		l.packs.team = m.team
	}
}

// Cores returns the number of cores the model's products may use (SetCores).
func (m *Model) Cores() int {
	if m.team != nil {
		return 2
	}
	return 1
}

// Close releases what SetCores(2) started; the model keeps working on one
// core. Closing twice does nothing.
func (m *Model) Close() { m.SetCores(1) }

// ZeroGrads clears every gradient before a new backward pass.
func (m *Model) ZeroGrads() {
	for _, p := range m.Params {
		p.Grad.Zero()
	}
}

// EvalLoss returns the mean squared error over a data set whose size is a
// multiple of the batch size, in batch-sized chunks (forward only).
func (m *Model) EvalLoss(x, y *Mat) float64 {
	total := 0.0
	chunks := x.Rows / m.n
	xs, ys := &m.evalX, &m.evalY
	for c := 0; c < chunks; c++ {
		*xs = Mat{Rows: m.n, Cols: x.Cols, Stride: x.Stride, Data: x.Data[c*m.n*x.Stride:]}
		*ys = Mat{Rows: m.n, Cols: y.Cols, Stride: y.Stride, Data: y.Data[c*m.n*y.Stride:]}
		pred := m.Forward(xs)
		total += mse(pred, ys, nil)
	}
	return total / float64(chunks)
}

// mse returns (1/(N·d)) Σ (ŷ − y)² and, if grad is not nil, writes
// ∂L/∂ŷ = 2(ŷ − y)/(N·d) into it.
func mse(pred, y, grad *Mat) float64 {
	scale := 1 / float64(pred.Rows*pred.Cols)
	sum := 0.0
	for i := 0; i < pred.Rows; i++ {
		p, t := pred.Row(i), y.Row(i)
		t = t[:len(p)]
		if grad == nil {
			for j, pv := range p {
				d := pv - t[j]
				sum += d * d
			}
			continue
		}
		g := grad.Row(i)[:len(p)]
		for j, pv := range p {
			d := pv - t[j]
			sum += d * d
			g[j] = 2 * d * scale
		}
	}
	return sum * scale
}

// finite reports whether x is neither NaN nor ±Inf.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
