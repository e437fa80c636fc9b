package lab

import "context"

// TaskInfo describes a task for people and for the settings table.
type TaskInfo struct {
	Name    string // flag value, e.g. "shift"
	Title   string // display name
	Summary string // one line: what the model learns
	// Settings lists the task's own settings (the shift task's width, depth,
	// task-rank, noise, …), declared in its file.
	Settings []Setting
	// Explain is what an explanation of a method says about the task.
	Explain TaskExplanation
	// Defaults are core settings the task runs best with when a person
	// does not give them (flag name → value as Setting.Set parses it), e.g.
	// a smaller batch and fewer steps for a costlier network. Faces start a
	// run of the task from Catalog.DefaultsFor.
	Defaults map[string]string
	// BitsPer, if not empty, says the loss is a cross-entropy in nats per
	// BitsPer ("char"): faces show loss/ln 2 beside it, as bits per BitsPer.
	BitsPer string
	// Samples says the task's networks generate text (lab.Sampler): its
	// runs report samples, which a face may make room for.
	Samples bool
	// Target is the eval loss a race's leaderboard counts steps to when none
	// is given (0: DefaultTarget): a loss the task's good runs reach, in its
	// own units.
	Target float64
}

// TargetLoss is the task's Target, or DefaultTarget if it has none.
func (t TaskInfo) TargetLoss() float64 {
	if t.Target > 0 {
		return t.Target
	}
	return DefaultTarget
}

// TaskExplanation is what a method's explanation says about the task it
// runs on, as small functions of the settings in the task's own file.
type TaskExplanation struct {
	// Describe names the task's shape settings in a few words ("width 64, depth 4").
	Describe func(cfg Config) string
	// Model names the network in a few words, for tables ("4 layers of 64×64, tanh").
	Model func(cfg Config) string
	// Kept names what the network itself keeps for the backward pass ("the
	// hidden layers' outputs, for tanh′"); its count is the task's Footprint.
	Kept func(cfg Config) string
	// Caveats are the task's honest notes on a method at these settings
	// (whether the rank is enough for the task's shift).
	Caveats func(m MethodInfo, cfg Config) []string
}

// Task is a fine-tuning problem: a base network with its pretrained
// weights, the data it is fine-tuned on (drawn from the seed), its loss and
// its held-out metrics. The registry (package lab/tasks) lists the tasks;
// Start receives the task as it receives the method.
type Task interface {
	Info() TaskInfo
	// Validate checks the task's settings in cfg against each other and
	// against what fits in memory; each option's own range is checked by its
	// Check first. Errors are one line naming the setting.
	Validate(cfg Config) error
	// Layers lists the linear layers a method adapts, in order. With whole
	// (a method that trains every weight) it lists every linear layer.
	Layers(cfg Config, whole bool) []Shape
	// Rows is the number of rows of a batch as the linear layers see it
	// (examples, or examples × tokens): the N of the methods' formulas.
	Rows(cfg Config) int
	// Footprint states, as a formula, the numbers the network holds outside
	// the adapted layers — its other weights, the activations it keeps, its
	// scratch and batch buffers — so that the method's Footprint plus this
	// equals what the run's ledger measures.
	Footprint(cfg Config, whole bool) Footprint
	// New builds the network for cfg: its weights through ledger, its data
	// from cfg.Seed's streams. It gives up with ctx's error if ctx ends first
	// (drawing data can take a while).
	New(ctx context.Context, cfg Config, ledger *Ledger, whole bool) (Network, error)
}

// Network is a task's model and data for one run. Only the run's goroutine
// uses it.
type Network interface {
	// Linears returns the base layers that Layers(cfg, whole) lists, in
	// that order, allocated through the ledger as Frozen.
	Linears() []*Linear
	// Adapt installs the method's adapted layers, one per Linear in the same
	// order; Forward and Backward go through them from then on. A network
	// built whole makes its other weights trainable and returns them.
	Adapt(layers []Adapted) []*Param
	// NextBatch loads the next training batch and folds its numbers into d.
	NextBatch(d *Digest)
	// Forward computes the loss of the current batch and keeps what
	// Backward needs.
	Forward() float64
	// Backward accumulates every trainable tensor's gradient of that loss.
	Backward()
	// Evaluate measures the held-out metrics of the current weights. It
	// returns early (with meaningless numbers) when ctx ends.
	Evaluate(ctx context.Context) Metrics
	// Base returns the pretrained weight of each adapted layer (task data,
	// not counted by the ledger): what ΔW is measured against.
	Base() []*Mat
	// DigestData folds the base weights and the held-out data into d, once
	// before training: with the batches, what proves two runs saw the same data.
	DigestData(d *Digest)
}

// Targeted is implemented by a network whose task knows the change of
// weights it asks for (the shift task's ΔW* per layer): results then say how
// much of it a method could reach (Spectrum.TargetInRowSpace).
type Targeted interface {
	// TargetShift returns the target change of each adapted layer's weight
	// (d_out × d_in; task data, not counted by the ledger).
	TargetShift() []*Mat
}

// Metrics are a network's held-out measurements.
type Metrics struct {
	Eval float64 // the loss on the held-out set
	// Forget is the loss on a held-out split of what the base model was
	// pretrained on, which fine-tuning may make worse (forgetting); 0 for a
	// task that measures none (a cross-entropy is never exactly 0).
	Forget float64
}

// Sampler is implemented by a network that generates text. A run takes a
// sample before its first step, every SampleEvery steps and at its last
// step (Result.Samples, Progress.Sample).
type Sampler interface {
	// SampleEvery is the number of steps between samples; 0: none.
	SampleEvery() int
	// Sample generates text from the current weights, from a fixed prompt
	// and a fixed seed: the same weights give the same text. The run fills
	// in the Step.
	Sample() Sample
}

// Sample is a text a network generated from a prompt at a step.
type Sample struct {
	Step   int    `json:"step"`
	Prompt string `json:"prompt"`
	Text   string `json:"text"` // what the model wrote after the prompt
}

// Noter is implemented by a network with something to say about its data
// that a person should read with the results (a user's text whose
// characters were replaced, the sizes of the splits): Result.Notes.
type Noter interface {
	Notes() []string
}
