package lab

import (
	"math"
	"math/rand/v2"
)

// Task is a fine-tuning problem: base weights for the student to start from,
// a stream of training batches, and a held-out eval set. The task's own data
// and teacher are not part of the model and are not in the ledger.
type Task interface {
	// Base returns the pretrained weights W0 and biases of each layer.
	Base() ([]*Mat, [][]float64)
	// NextBatch fills x (N × d_in) and y (N × d_out) with the next training batch.
	NextBatch(x, y *Mat)
	// Eval returns the held-out inputs and targets.
	Eval() (x, y *Mat)
}

// ShiftTask is the default task. The base model is an MLP with weights W0
// drawn from the seed; the teacher is the same MLP with W0 + ΔW* in every
// layer, where ΔW* has intrinsic rank k. The student starts at W0 and learns
// the teacher's outputs (plus noise) on a fixed training set under an MSE loss. LoRA with r ≥ k can
// match the teacher; with r < k it plateaus.
type ShiftTask struct {
	act              activation
	base, teacher    []*Mat
	biases           [][]float64
	noise            float64
	batches          *rand.Rand
	trainX, trainY   *Mat // the training set, drawn once
	evalX, evalY     *Mat // the held-out set
	hidden0, hidden1 *Mat // teacher forward scratch
}

// ShiftScale is the size of the teacher's shift relative to the base weights:
// ‖ΔW*·x‖ ≈ ShiftScale·‖W0·x‖ for a typical input.
const ShiftScale = 0.5

// NewShiftTask builds the task for cfg: its base and teacher weights come from
// the seed's base and teacher streams, its batches and eval set from theirs.
func NewShiftTask(cfg Config) *ShiftTask {
	act, _ := activationByName(cfg.Activation)
	t := &ShiftTask{act: act, noise: cfg.Noise, batches: NewRand(cfg.Seed, streamBatches)}
	baseRand, teacherRand := NewRand(cfg.Seed, streamBase), NewRand(cfg.Seed, streamTeacher)
	for _, s := range cfg.Layers() {
		w0 := NewMat(s.DOut, s.DIn)
		FillNormal(w0, baseRand, 1/math.Sqrt(float64(s.DIn)))
		bias := make([]float64, s.DOut)
		for j := range bias {
			bias[j] = 0.1 * baseRand.NormFloat64()
		}
		// ΔW* = c·U·Vᵀ with U (d_out × k), V (d_in × k) standard normal: rank k.
		k := cfg.TaskRank
		u, v := NewMat(s.DOut, k), NewMat(s.DIn, k)
		FillNormal(u, teacherRand, 1)
		FillNormal(v, teacherRand, 1)
		w := w0.Clone()
		Gemm(ShiftScale/math.Sqrt(float64(s.DIn*k)), u, NoT, v, T, 1, w)
		t.base, t.teacher, t.biases = append(t.base, w0), append(t.teacher, w), append(t.biases, bias)
	}
	n := ((cfg.EvalSize + cfg.Batch - 1) / cfg.Batch) * cfg.Batch
	t.evalX, t.evalY = NewMat(n, cfg.Width), NewMat(n, cfg.Width)
	t.fill(t.evalX, t.evalY, NewRand(cfg.Seed, streamEval))
	t.trainX, t.trainY = NewMat(cfg.TrainSize, cfg.Width), NewMat(cfg.TrainSize, cfg.Width)
	t.fill(t.trainX, t.trainY, NewRand(cfg.Seed, streamTrain))
	return t
}

// Base returns W0 and the biases (shared, read-only: copy before changing).
func (t *ShiftTask) Base() ([]*Mat, [][]float64) { return t.base, t.biases }

// Eval returns the held-out set; its size is a multiple of the batch size.
func (t *ShiftTask) Eval() (*Mat, *Mat) { return t.evalX, t.evalY }

// NextBatch fills x and y with examples of the training set drawn uniformly,
// with replacement, by the batch stream.
func (t *ShiftTask) NextBatch(x, y *Mat) {
	for i := 0; i < x.Rows; i++ {
		k := t.batches.IntN(t.trainX.Rows)
		copy(x.Row(i), t.trainX.Row(k))
		copy(y.Row(i), t.trainY.Row(k))
	}
}

// fill draws inputs x ~ N(0, I) and sets y = teacher(x) + noise·ε.
func (t *ShiftTask) fill(x, y *Mat, r *rand.Rand) {
	FillNormal(x, r, 1)
	if t.hidden0 == nil || t.hidden0.Rows != x.Rows {
		t.hidden0, t.hidden1 = NewMat(x.Rows, x.Cols), NewMat(x.Rows, x.Cols)
	}
	in := x
	for i, w := range t.teacher {
		out := t.hidden0
		if i == len(t.teacher)-1 {
			out = y
		} else if in == t.hidden0 {
			out = t.hidden1
		}
		Gemm(1, in, NoT, w, T, 0, out) // out = in·Wᵀ
		AddRowVector(out, t.biases[i])
		if i < len(t.teacher)-1 {
			t.act.forward(out)
		}
		in = out
	}
	if t.noise > 0 {
		for i := 0; i < y.Rows; i++ {
			row := y.Row(i)
			for j := range row {
				row[j] += t.noise * r.NormFloat64()
			}
		}
	}
}
