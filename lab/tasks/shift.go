package tasks

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/loralab/loralab/lab"
	"gonum.org/v1/gonum/mat"
)

// Shift is the default task, a synthetic regression. The base model is an
// MLP of `depth` linear layers of width × width with a nonlinearity between
// them, its weights W0 drawn from the seed. The target is a teacher with the
// same architecture whose weights are W0 + ΔW*, where ΔW* has intrinsic rank
// k (task-rank) in every layer. The student starts at W0 and learns the
// teacher's outputs (plus noise) on a fixed training set under an MSE loss:
// LoRA with r ≥ k can match the teacher; with r < k it plateaus.
type Shift struct{}

// Limits of the shift task's settings.
const (
	MaxWidth     = 1024
	MaxDepth     = 16
	MaxEvalSize  = 100_000
	MaxTrainSize = 1_000_000
)

// ShiftScale is the size of the teacher's shift relative to the base weights:
// ‖ΔW*·x‖ ≈ ShiftScale·‖W0·x‖ for a typical input.
const ShiftScale = 0.5

// The shift task's own settings.
var (
	// Width is the width of every layer.
	Width = lab.Setting{Name: "width", Help: "width of every layer", Kind: lab.IntSetting, Default: 64,
		Ladder: []float64{16, 32, 64, 128, 256}, Check: lab.Between("width", 2, MaxWidth)}
	// Depth is the number of linear layers.
	Depth = lab.Setting{Name: "depth", Help: "number of linear layers", Kind: lab.IntSetting, Default: 4,
		Ladder: []float64{1, 2, 3, 4, 6, 8}, Check: lab.Between("depth", 1, MaxDepth)}
	// Activation is the nonlinearity between layers.
	Activation = lab.Setting{Name: "activation", Help: "nonlinearity between layers: tanh, relu, identity", Kind: lab.StringSetting, Default: "tanh",
		Check: lab.OneOf("activation", lab.ActivationNames()...)}
	// TaskRank is the intrinsic rank k of the teacher's shift, per layer.
	TaskRank = lab.Setting{Name: "task-rank", Help: "intrinsic rank k of the teacher's shift per layer", Kind: lab.IntSetting, Default: 4, Sweepable: true,
		Ladder: []float64{1, 2, 4, 8, 16, 32, 64}}
	// Noise is the standard deviation of the noise added to the targets.
	Noise = lab.Setting{Name: "noise", Help: "standard deviation of the noise on the targets", Kind: lab.FloatSetting, Default: 0.01,
		Ladder: []float64{0, 0.001, 0.01, 0.03, 0.1, 0.3}, Check: lab.Between("noise", 0, 10)}
	// EvalSize is the number of held-out examples (rounded up to a multiple of the batch).
	EvalSize = lab.Setting{Name: "eval-size", Help: "held-out examples", Kind: lab.IntSetting, Default: 256, Check: lab.Between("eval-size", 1, MaxEvalSize)}
	// InputRank confines the inputs to a random K-dimensional subspace (0:
	// the full width). On isotropic, full-rank inputs a frozen random A (LoRA-FA)
	// misses most directions the task needs; when the inputs span few
	// directions — the LoRA-FA paper's argument for real layers — it does not.
	InputRank = lab.Setting{Name: "input-rank", Help: "directions the inputs span: K < width confines them to a random K-dimensional subspace (default 0: the full width)", Kind: lab.IntSetting, Default: 0, Sweepable: true,
		Ladder: []float64{0, 1, 2, 4, 8, 16, 32, 64}, Check: lab.Between("input-rank", 0, MaxWidth)}
	// ShiftIn says what the teacher's shift is: a rank-k change in random
	// directions (the default); the same change projected onto W0's own top-k
	// singular directions ("principal", at the same size: where PiSSA's start
	// puts its factors); or every row of W0 rescaled by its own factor
	// ("rows": the change in magnitude DoRA trains apart, full rank).
	ShiftIn = lab.Setting{Name: "shift-in", Help: "the teacher's shift: random (rank task-rank), principal (in W0's top singular directions) or rows (each row of W0 rescaled)", Kind: lab.StringSetting, Default: shiftRandom, Sweepable: true,
		Check: lab.OneOf("shift-in", shiftRandom, shiftPrincipal, shiftRows)}
	// TrainSize is the number of examples in the training set batches are drawn from.
	TrainSize = lab.Setting{Name: "train-size", Help: "examples in the training set", Kind: lab.IntSetting, Default: 4096, Check: lab.Between("train-size", 1, MaxTrainSize)}
)

// Info describes the shift task.
func (Shift) Info() lab.TaskInfo {
	return lab.TaskInfo{
		Name: "shift", Title: "Shift",
		Summary:  "an MLP learns a teacher whose weights are its own plus a shift of rank k per layer (MSE)",
		Settings: []lab.Setting{TaskRank, Noise, InputRank, ShiftIn, Width, Depth, Activation, EvalSize, TrainSize},
		Explain: lab.TaskExplanation{
			Describe: func(cfg lab.Config) string { return fmt.Sprintf("width %d, depth %d", Width.Int(cfg), Depth.Int(cfg)) },
			Model: func(cfg lab.Config) string {
				layers := "layers"
				if Depth.Int(cfg) == 1 {
					layers = "layer"
				}
				return fmt.Sprintf("%d %s of %d×%d, %s", Depth.Int(cfg), layers, Width.Int(cfg), Width.Int(cfg), Activation.Text(cfg))
			},
			Kept: func(cfg lab.Config) string {
				return fmt.Sprintf("the hidden layers' outputs, for %s′", Activation.Text(cfg))
			},
			Caveats: shiftCaveats,
		},
	}
}

// shiftCaveats says whether a method's rank is enough for the task's shift.
func shiftCaveats(m lab.MethodInfo, cfg lab.Config) []string {
	if !m.UsesAlpha() { // the ΔW = s·B·A family
		return nil
	}
	r, k := cfg.Rank, TaskRank.Int(cfg)
	if k > r {
		return []string{fmt.Sprintf("Here r = %d and the task's shift has rank %d per layer: expect a plateau above the noise.", r, k)}
	}
	return []string{fmt.Sprintf("Here r = %d and the task's shift has rank %d per layer, so rank is not the limit.", r, k)}
}

// Validate checks the settings against each other and what fits in memory.
func (Shift) Validate(cfg lab.Config) error {
	width, k := Width.Int(cfg), TaskRank.Int(cfg)
	if k < 1 || k > width {
		return fmt.Errorf("task-rank %d: must be between 1 and %d", k, width)
	}
	if k := InputRank.Int(cfg); k > width {
		return fmt.Errorf("input-rank %d: must be between 1 and the width %d (or 0 for the full width)", k, width)
	}
	if train := TrainSize.Int(cfg); cfg.Batch > train {
		return fmt.Errorf("batch %d: must be at most train-size (%d)", cfg.Batch, train)
	}
	// What the run holds (this task's data, DataBytes, and the method's
	// cost) is checked against lab.MaxRunBytes by lab.Prepare.
	return nil
}

// EvalRows is the held-out set's rows: eval-size rounded up to whole batches.
func (Shift) EvalRows(cfg lab.Config) int {
	return (EvalSize.Int(cfg) + cfg.Batch - 1) / cfg.Batch * cfg.Batch
}

// DataBytes is what a run holds outside its ledger: the base and teacher
// weights and biases, the input subspace, the training and held-out sets,
// and the largest scratch at once — the teacher's hidden outputs for a
// chunk of rows while the data is drawn, or the target shifts when the
// result is measured.
func (t Shift) DataBytes(cfg lab.Config, whole bool) int64 {
	width, depth := int64(Width.Int(cfg)), int64(Depth.Int(cfg))
	evalRows := int64(t.EvalRows(cfg))
	n := 2*depth*width*width + depth*width // W0 and the teacher's weights, the biases
	if k := int64(InputRank.Int(cfg)); k > 0 && k < width {
		n += 4 * width * k // the basis, and its QR while it is drawn
	}
	n += 2 * width * (evalRows + int64(TrainSize.Int(cfg)))
	n += max(2*int64(fillChunk(int(width), int(depth)))*width, depth*width*width)
	return n * lab.BytesPerNumber
}

// Layers are depth layers of width × width, each with a bias.
func (Shift) Layers(cfg lab.Config, _ bool) []lab.Shape {
	width := Width.Int(cfg)
	s := make([]lab.Shape, Depth.Int(cfg))
	for i := range s {
		s[i] = lab.Shape{Name: fmt.Sprintf("layer%d", i+1), DIn: width, DOut: width}
	}
	return s
}

// Rows is the batch size: one example a row.
func (Shift) Rows(cfg lab.Config) int { return cfg.Batch }

// Footprint is the MLP's own buffers at batch n (the linear layers belong
// to the method's formula): the batch's inputs and targets, the layer
// outputs (kept when the activation's backward needs them) and the ∂L/∂X
// passed between layers.
func (t Shift) Footprint(cfg lab.Config, whole bool) lab.Footprint {
	act, _ := lab.LookupActivation(Activation.Text(cfg))
	layers, n := t.Layers(cfg, whole), cfg.Batch
	var f lab.Footprint
	if len(layers) > 0 {
		f.Workspace += n*layers[0].DIn + n*layers[len(layers)-1].DOut // batch X and Y
	}
	for i, s := range layers {
		last := i == len(layers)-1
		if last || !act.Keeps() {
			f.Workspace += n * s.DOut
		} else {
			f.Activations += n * s.DOut
		}
		if i > 0 {
			f.Workspace += n * s.DIn
		}
		if last {
			f.Workspace += n * s.DOut // ∂L/∂prediction
		}
	}
	return f
}

// New draws the base and teacher weights from the seed's streams, the
// training and held-out sets from theirs, and allocates the MLP.
func (t Shift) New(ctx context.Context, cfg lab.Config, ledger *lab.Ledger, whole bool) (lab.Network, error) {
	act, err := lab.LookupActivation(Activation.Text(cfg))
	if err != nil {
		return nil, err
	}
	shapes := t.Layers(cfg, whole)
	width, k, batch := Width.Int(cfg), TaskRank.Int(cfg), cfg.Batch
	net := &mlp{act: act, noise: Noise.Float(cfg), batches: lab.NewRand(cfg.Seed, lab.StreamBatches), n: batch}
	if k := InputRank.Int(cfg); k > 0 && k < width {
		net.inputs = subspace(width, k, lab.NewRand(cfg.Seed, lab.StreamInputs))
	}
	baseRand, teacherRand := lab.NewRand(cfg.Seed, lab.StreamBase), lab.NewRand(cfg.Seed, lab.StreamTeacher)
	for _, s := range shapes {
		w0 := lab.NewMat(s.DOut, s.DIn)
		lab.FillNormal(w0, baseRand, 1/math.Sqrt(float64(s.DIn)))
		bias := make([]float64, s.DOut)
		for j := range bias {
			bias[j] = 0.1 * baseRand.NormFloat64()
		}
		// ΔW* = c·U·Vᵀ with U (d_out × k), V (d_in × k) standard normal: rank k.
		u, v := lab.NewMat(s.DOut, k), lab.NewMat(s.DIn, k)
		lab.FillNormal(u, teacherRand, 1)
		lab.FillNormal(v, teacherRand, 1)
		shift := lab.NewMat(s.DOut, s.DIn)
		lab.Gemm(ShiftScale/math.Sqrt(float64(s.DIn*k)), u, lab.NoT, v, lab.T, 0, shift)
		switch ShiftIn.Text(cfg) {
		case shiftPrincipal:
			shift = principalPart(shift, w0, k)
		case shiftRows:
			// ΔW* = diag(ShiftScale·z)·W0, z ~ N(0, 1) per output row: every
			// row keeps its direction and changes its length — full rank.
			for i := 0; i < shift.Rows; i++ {
				z := ShiftScale * teacherRand.NormFloat64()
				for j, x := range w0.Row(i) {
					shift.Set(i, j, z*x)
				}
			}
		}
		w := w0.Clone()
		for j := range w.Data {
			w.Data[j] += shift.Data[j]
		}
		net.base, net.teacher, net.biases = append(net.base, w0), append(net.teacher, w), append(net.biases, bias)
	}
	evalRows := ((EvalSize.Int(cfg) + batch - 1) / batch) * batch
	net.evalX, net.evalY = lab.NewMat(evalRows, width), lab.NewMat(evalRows, width)
	if err := net.fill(ctx, net.evalX, net.evalY, lab.NewRand(cfg.Seed, lab.StreamEval)); err != nil {
		return nil, err
	}
	train := TrainSize.Int(cfg)
	net.trainX, net.trainY = lab.NewMat(train, width), lab.NewMat(train, width)
	if err := net.fill(ctx, net.trainX, net.trainY, lab.NewRand(cfg.Seed, lab.StreamTrain)); err != nil {
		return nil, err
	}
	net.allocate(shapes, ledger)
	return net, nil
}

// mlp is the shift task's network: linear layers with an activation between
// them, under an MSE loss. All of its buffers come from the run's ledger;
// the teacher and the data are task data outside it.
type mlp struct {
	act     lab.Activation
	n       int // rows per batch
	linears []*lab.Linear
	layers  []lab.Adapted // the linears with the method applied
	outs    []*lab.Mat    // outs[i] = output of layer i, N × d_out (after the activation for hidden layers)
	dins    []*lab.Mat    // dins[i] = ∂L/∂(input of layer i), N × d_in, for i ≥ 1
	lossG   *lab.Mat      // ∂L/∂(prediction), N × d_out of the last layer
	batchX  *lab.Mat      // the training batch's inputs, N × d_in of the first layer
	batchY  *lab.Mat      // its targets, N × d_out of the last layer
	pred    *lab.Mat      // the last forward pass's prediction

	base, teacher  []*lab.Mat // W0 and W0 + ΔW* per layer (task data)
	inputs         *lab.Mat   // width × K orthonormal basis the inputs span (nil: all of R^width), times √(width/K)
	biases         [][]float64
	noise          float64
	batches        *rand.Rand
	trainX, trainY *lab.Mat // the training set, drawn once
	evalX, evalY   *lab.Mat // the held-out set
	batchRows      []int    // the training-set rows of the current batch
}

// allocate copies the base weights into ledger-counted layers and allocates
// the forward and backward buffers for batches of n rows.
func (m *mlp) allocate(shapes []lab.Shape, ledger *lab.Ledger) {
	for i, s := range shapes {
		lin := &lab.Linear{Shape: s, W: ledger.Mat(lab.Frozen, s.Name+".W", s.DOut, s.DIn), Bias: ledger.Vec(lab.Frozen, s.Name+".bias", s.DOut)}
		lin.W.CopyFrom(m.base[i])
		copy(lin.Bias, m.biases[i])
		m.linears = append(m.linears, lin)
	}
	for i, s := range shapes {
		last := i == len(shapes)-1
		cat := lab.Activations // kept: the activation's backward needs its output
		if last || !m.act.Keeps() {
			cat = lab.Workspace
		}
		m.outs = append(m.outs, ledger.Mat(cat, s.Name+".out", m.n, s.DOut))
		if i > 0 {
			m.dins = append(m.dins, ledger.Mat(lab.Workspace, s.Name+".dX", m.n, s.DIn))
		} else {
			m.dins = append(m.dins, nil) // ∂L/∂(input) of the first layer is never needed
		}
		if last {
			m.lossG = ledger.Mat(lab.Workspace, "loss.dY", m.n, s.DOut)
		}
	}
	m.batchX = ledger.Mat(lab.Workspace, "batch.X", m.n, shapes[0].DIn)
	m.batchY = ledger.Mat(lab.Workspace, "batch.Y", m.n, shapes[len(shapes)-1].DOut)
}

// fill draws inputs x ~ N(0, I) — or, with an input rank K, x = √(width/K)·Q·z
// with z ~ N(0, I_K) and Q an orthonormal basis of the task's subspace, the
// same energy in K directions — and sets y = teacher(x) + noise·ε, checking
// ctx between chunks of rows.
func (m *mlp) fill(ctx context.Context, x, y *lab.Mat, r *rand.Rand) error {
	if m.inputs == nil {
		lab.FillNormal(x, r, 1)
	} else {
		z := lab.NewMat(x.Rows, m.inputs.Cols)
		lab.FillNormal(z, r, 1)
		lab.Gemm(1, z, lab.NoT, m.inputs, lab.T, 0, x) // x = z·(√(w/K)·Q)ᵀ
	}
	chunk := fillChunk(x.Cols, len(m.teacher))
	for lo := 0; lo < x.Rows; lo += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+chunk, x.Rows)
		m.teach(rows(x, lo, hi), rows(y, lo, hi))
	}
	if m.noise > 0 {
		for i := 0; i < y.Rows; i++ {
			row := y.Row(i)
			for j := range row {
				row[j] += m.noise * r.NormFloat64()
			}
		}
	}
	return nil
}

// fillChunk is how many rows fill runs through the teacher between two
// checks of its context: about 2^24 multiply-adds, so that ctrl+c is
// honoured within a fraction of a second whatever the width and depth
// (a fixed 4096 rows took seconds at width 1024, depth 16).
func fillChunk(width, depth int) int {
	return max(16, min(4096, (1<<24)/max(1, width*width*depth)))
}

// teach writes the teacher's outputs for inputs x into y.
func (m *mlp) teach(x, y *lab.Mat) {
	h0, h1 := lab.NewMat(x.Rows, x.Cols), lab.NewMat(x.Rows, x.Cols)
	in := x
	for i, w := range m.teacher {
		out := h0
		if i == len(m.teacher)-1 {
			out = y
		} else if in == h0 {
			out = h1
		}
		lab.Gemm(1, in, lab.NoT, w, lab.T, 0, out) // out = in·Wᵀ
		lab.AddRowVector(out, m.biases[i])
		if i < len(m.teacher)-1 {
			m.act.Apply(out)
		}
		in = out
	}
}

// The places a shift can lie in.
const (
	shiftRandom    = "random"
	shiftPrincipal = "principal"
	shiftRows      = "rows"
)

// principalPart is shift projected onto w0's top-k singular subspaces,
// U_k·U_kᵀ·shift·V_k·V_kᵀ, rescaled to shift's Frobenius norm.
func principalPart(shift, w0 *lab.Mat, k int) *lab.Mat {
	var svd mat.SVD
	svd.Factorize(mat.NewDense(w0.Rows, w0.Cols, append([]float64(nil), w0.Data...)), mat.SVDThin)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	uk, vk := u.Slice(0, w0.Rows, 0, k), v.Slice(0, w0.Cols, 0, k)
	var core, left, mid, out mat.Dense
	core.Mul(uk.T(), mat.NewDense(shift.Rows, shift.Cols, shift.Data)) // U_kᵀ·shift, k × d_in
	left.Mul(&core, vk)                                                // U_kᵀ·shift·V_k, k × k
	mid.Mul(uk, &left)                                                 // d_out × k
	out.Mul(&mid, vk.T())                                              // d_out × d_in
	p := lab.NewMat(shift.Rows, shift.Cols)
	norm, pnorm := 0.0, 0.0
	for i := 0; i < p.Rows; i++ {
		for j := 0; j < p.Cols; j++ {
			x := out.At(i, j)
			p.Set(i, j, x)
			pnorm += x * x
			norm += shift.At(i, j) * shift.At(i, j)
		}
	}
	scale := math.Sqrt(norm / pnorm)
	for i := range p.Data {
		p.Data[i] *= scale
	}
	return p
}

// subspace returns a width × k orthonormal basis drawn from r (the Q of a
// Gaussian matrix's QR), scaled by √(width/k).
func subspace(width, k int, r *rand.Rand) *lab.Mat {
	g := mat.NewDense(width, k, nil)
	for i := 0; i < width; i++ {
		for j := 0; j < k; j++ {
			g.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	out := lab.NewMat(width, k)
	scale := math.Sqrt(float64(width) / float64(k))
	for i := 0; i < width; i++ {
		for j := 0; j < k; j++ {
			out.Set(i, j, scale*q.At(i, j))
		}
	}
	return out
}

// rows is the view of rows lo to hi of m.
func rows(m *lab.Mat, lo, hi int) *lab.Mat {
	return &lab.Mat{Rows: hi - lo, Cols: m.Cols, Stride: m.Stride, Data: m.Data[lo*m.Stride:]}
}

func (m *mlp) Linears() []*lab.Linear { return m.linears }

// Adapt installs the adapted layers; the MLP has no weights of its own
// besides its linear layers (their biases included).
func (m *mlp) Adapt(layers []lab.Adapted) []*lab.Param {
	m.layers = layers
	return nil
}

// NextBatch fills the batch with examples of the training set drawn
// uniformly, with replacement, by the batch stream.
func (m *mlp) NextBatch(d *lab.Digest) {
	if m.batchRows == nil {
		m.batchRows = make([]int, m.batchX.Rows)
	}
	for i := 0; i < m.batchX.Rows; i++ {
		k := m.batches.IntN(m.trainX.Rows)
		m.batchRows[i] = k
		copy(m.batchX.Row(i), m.trainX.Row(k))
		copy(m.batchY.Row(i), m.trainY.Row(k))
	}
	d.AddMat(m.batchX)
	d.AddMat(m.batchY)
}

// Forward runs the batch through every layer and returns the MSE loss,
// writing ∂L/∂prediction for Backward.
func (m *mlp) Forward() float64 {
	m.pred = m.forward(m.batchX)
	return mse(m.pred, m.batchY, m.lossG)
}

// forward runs x (N × d_in) through every layer and returns the
// prediction, a buffer owned by the network.
func (m *mlp) forward(x *lab.Mat) *lab.Mat {
	in := x
	for i, l := range m.layers {
		l.Forward(in, m.outs[i])
		if i < len(m.layers)-1 {
			m.act.Apply(m.outs[i])
		}
		in = m.outs[i]
	}
	return in
}

// Backward propagates ∂L/∂prediction through every layer, accumulating
// every trainable tensor's gradient.
func (m *mlp) Backward() {
	g := m.lossG
	for i := len(m.layers) - 1; i >= 0; i-- {
		if i < len(m.layers)-1 {
			m.act.Backward(g, m.outs[i]) // ∂L/∂(activation output) → ∂L/∂(layer output)
		}
		m.layers[i].Backward(g, m.dins[i])
		g = m.dins[i]
	}
}

// Evaluate returns the mean squared error over the held-out set, in
// batch-sized chunks (forward only).
func (m *mlp) Evaluate(ctx context.Context) lab.Metrics {
	total := 0.0
	chunks := m.evalX.Rows / m.n
	for c := 0; c < chunks; c++ {
		if ctx.Err() != nil {
			return lab.Metrics{Eval: math.NaN()}
		}
		pred := m.forward(rows(m.evalX, c*m.n, (c+1)*m.n))
		total += mse(pred, rows(m.evalY, c*m.n, (c+1)*m.n), nil)
	}
	return lab.Metrics{Eval: total / float64(chunks)}
}

// Batch returns the buffers of the current training batch: inputs and
// targets (for tests and tools that look inside a step).
func (m *mlp) Batch() (x, y *lab.Mat) { return m.batchX, m.batchY }

// Prediction returns the last Forward's output (for tests and tools).
func (m *mlp) Prediction() *lab.Mat { return m.pred }

// TargetShift returns ΔW* = teacher − base of every layer.
func (m *mlp) TargetShift() []*lab.Mat {
	out := make([]*lab.Mat, len(m.base))
	for i, w0 := range m.base {
		d := m.teacher[i].Clone()
		for j := range d.Data {
			d.Data[j] -= w0.Data[j]
		}
		out[i] = d
	}
	return out
}

// BatchRows returns the training-set rows of the current batch (lab.BatchRower).
func (m *mlp) BatchRows() []int { return m.batchRows }

// Tensors lists the task's data for export (lab.Tensorer): per layer the
// pretrained W0 ("layer1.W0", d_out × d_in) and the teacher's W0 + ΔW*
// ("layer1.teacher"); the training set ("train.X", "train.Y", train-size ×
// width) that BatchRows index, and the held-out set ("eval.X", "eval.Y",
// eval-size rounded up to a multiple of the batch). The biases are the
// linear layers' own (the teacher shares them).
func (m *mlp) Tensors() []lab.Tensor {
	var out []lab.Tensor
	for i, lin := range m.linears {
		out = append(out,
			lab.Tensor{Name: lin.Name + ".W0", Role: "W0", Mat: m.base[i]},
			lab.Tensor{Name: lin.Name + ".teacher", Role: "teacher", Mat: m.teacher[i]})
	}
	return append(out,
		lab.Tensor{Name: "train.X", Role: "X", Mat: m.trainX}, lab.Tensor{Name: "train.Y", Role: "Y", Mat: m.trainY},
		lab.Tensor{Name: "eval.X", Role: "X", Mat: m.evalX}, lab.Tensor{Name: "eval.Y", Role: "Y", Mat: m.evalY})
}

// Base returns W0 of every layer.
func (m *mlp) Base() []*lab.Mat { return m.base }

// DigestData folds the base weights, biases and the held-out set into d.
func (m *mlp) DigestData(d *lab.Digest) {
	for i := range m.base {
		d.AddMat(m.base[i])
		d.AddVec(m.biases[i])
	}
	d.AddMat(m.evalX)
	d.AddMat(m.evalY)
}

// mse returns (1/(N·d)) Σ (ŷ − y)² and, if grad is not nil, writes
// ∂L/∂ŷ = 2(ŷ − y)/(N·d) into it.
func mse(pred, y, grad *lab.Mat) float64 {
	scale := 1 / float64(pred.Rows*pred.Cols)
	sum := 0.0
	for i := 0; i < pred.Rows; i++ {
		p, t := pred.Row(i), y.Row(i)
		for j := range p {
			d := p[j] - t[j]
			sum += d * d
			if grad != nil {
				grad.Row(i)[j] = 2 * d * scale
			}
		}
	}
	return sum * scale
}
