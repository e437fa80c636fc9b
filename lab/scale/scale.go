// Package scale is LoRA Lab's LLM-scale memory calculator. It holds a
// catalogue of real transformer shapes (Models, LookupModel, ParseConfig) and
// Estimate, which answers what a fine-tuning method costs on one of them.
//
// There is one formula per method: Estimate calls the method's own
// lab.Method.Footprint — the formula the toy engine's ledger is checked
// against — on the model's adapted linear layers, then adds what the toy
// model does not have (embeddings, norms, untouched linear layers, the
// network's own activations) and converts the counts to bytes with a size
// per category: the base dtype for frozen weights, the adapter dtype for
// trainable weights and gradients, the optimiser's state size, and the
// compute dtype for activations. The Footprint's Workspace (the toy's
// scratch buffers) is left out.
//
// The package never imports adapters: callers pass the lab.Method in.
package scale

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/loralab/loralab/lab"
)

// Options are the settings of one estimate.
type Options struct {
	Rank          int       // adapter rank r (methods that use one)
	Alpha         float64   // α, 0 = rank; it scales the update and changes no memory
	Targets       []string  // adapted layers of every block (see Model.ResolveTargets); full fine-tuning trains all
	Batch         int       // sequences per step
	Seq           int       // tokens per sequence
	DType         DType     // frozen base weights (and full fine-tuning's weights); "" = bf16
	AdapterDType  DType     // adapter weights, gradients, frozen adapter matrices, method extras; "" = fp32
	ComputeDType  DType     // activations; "" = DType, or bf16 when DType is int8 or 4-bit
	Optimizer     Optimizer // "" = adamw
	Checkpointing bool      // gradient checkpointing, one checkpoint per block
	// MethodSettings are methods' own settings by flag name (e.g. LoRA-FA's
	// projected gradient, whose formula adds an r × r inverse per layer),
	// applied through the method's Settings so its Footprint sees them; a
	// setting the method does not have is ignored.
	MethodSettings map[string]string
}

// DefaultOptions returns rank 8 on q and v, one sequence of 512 tokens, a
// bf16 base, fp32 adapters (PEFT's default under autocast), AdamW, no
// checkpointing.
func DefaultOptions() Options {
	return Options{Rank: 8, Targets: []string{"q", "v"}, Batch: 1, Seq: 512, DType: BF16, AdapterDType: FP32, Optimizer: AdamW}
}

// Parts is a breakdown by category, in numbers or in bytes.
type Parts struct {
	FrozenBase         int64 `json:"frozen_base"`         // the base model's weights that do not train
	FrozenAdapter      int64 `json:"frozen_adapter"`      // adapter matrices that do not train (VeRA's shared pair, LoRA-FA's A)
	Trainable          int64 `json:"trainable"`           // weights the optimiser updates
	Gradients          int64 `json:"gradients"`           // one per trainable number
	Optimizer          int64 `json:"optimizer"`           // optimiser state
	Other              int64 `json:"other"`               // method extras (Delta-LoRA's previous A and B, ...)
	ActivationsNetwork int64 `json:"activations_network"` // kept for backward by the network itself (norms, attention, MLP, logits)
	ActivationsMethod  int64 `json:"activations_method"`  // kept for backward by the method (its formula): LoRA's X and H, ...
	Total              int64 `json:"total"`               // the sum of the parts above
}

func (p *Parts) sum() {
	p.Total = p.FrozenBase + p.FrozenAdapter + p.Trainable + p.Gradients + p.Optimizer + p.Other + p.ActivationsNetwork + p.ActivationsMethod
}

// Params are the parameter counts of an estimate.
type Params struct {
	Model            int64   `json:"model"`             // the base model's parameters
	Trainable        int64   `json:"trainable"`         // what trains; excludes frozen adapter matrices
	TrainablePercent float64 `json:"trainable_percent"` // 100 × trainable / model
	FrozenAdapter    int64   `json:"frozen_adapter"`    // frozen adapter matrices (e.g. VeRA's shared pair), not in Trainable
	Total            int64   `json:"total"`             // every weight held: frozen base + frozen adapter + trainable
}

// Report is the answer of Estimate.
type Report struct {
	Model         Model     `json:"model"`
	Method        string    `json:"method"`
	MethodTitle   string    `json:"method_title"`
	Rank          int       `json:"rank"`  // 0 when the method has no rank
	Alpha         float64   `json:"alpha"` // 0 when the method has no rank
	Targets       []string  `json:"targets"`
	AdaptedLayers int       `json:"adapted_layers"` // linear layers the method's formula was applied to
	Batch         int       `json:"batch"`
	Seq           int       `json:"seq"`
	Tokens        int       `json:"tokens"` // N = batch × seq
	DType         DType     `json:"dtype"`
	AdapterDType  DType     `json:"adapter_dtype"`
	ComputeDType  DType     `json:"compute_dtype"`
	TrainDType    DType     `json:"train_dtype"` // of trainable weights and gradients
	Optimizer     Optimizer `json:"optimizer"`
	Checkpointing bool      `json:"checkpointing"`
	Params        Params    `json:"params"`
	Numbers       Parts     `json:"numbers"`
	Bytes         Parts     `json:"bytes"`
	Assumptions   []string  `json:"assumptions"`
}

// MaxBatch is the largest batch Estimate accepts.
const MaxBatch = 1 << 20

// resolve fills in defaults and checks the options against the model.
func (o Options) resolve(m Model, info lab.MethodInfo) (Options, error) {
	if o.DType == "" {
		o.DType = BF16
	}
	if o.AdapterDType == "" {
		o.AdapterDType = FP32
	}
	if o.Optimizer == "" {
		o.Optimizer = AdamW
	}
	for _, d := range []struct {
		flag string
		v    DType
	}{{"dtype", o.DType}, {"adapter-dtype", o.AdapterDType}, {"compute-dtype", o.ComputeDType}} {
		if d.v != "" && d.v.Bytes() == 0 {
			return o, fmt.Errorf("%s %q: unknown; the dtypes are: %s", d.flag, d.v, strings.Join(DTypeNames(), ", "))
		}
	}
	if o.AdapterDType.Quantized() {
		return o, fmt.Errorf("adapter-dtype %s: adapters train, so they need fp32, bf16 or fp16", o.AdapterDType)
	}
	if o.ComputeDType == "" {
		o.ComputeDType = o.DType
		if o.DType.Quantized() {
			o.ComputeDType = BF16
		}
	}
	if o.ComputeDType.Quantized() {
		return o, fmt.Errorf("compute-dtype %s: activations need fp32, bf16 or fp16", o.ComputeDType)
	}
	if o.Optimizer.BytesPerState() == 0 {
		return o, fmt.Errorf("optimizer %q: unknown; the optimizers are: adamw, adamw-8bit", o.Optimizer)
	}
	if o.Batch < 1 || o.Batch > MaxBatch {
		return o, fmt.Errorf("batch %d: must be between 1 and %d", o.Batch, MaxBatch)
	}
	if o.Seq < 1 || o.Seq > MaxTokens {
		return o, fmt.Errorf("seq %d: must be between 1 and %d", o.Seq, MaxTokens)
	}
	if int64(o.Batch)*int64(o.Seq) > MaxTokens {
		return o, fmt.Errorf("batch × seq = %d tokens: must be at most %d", int64(o.Batch)*int64(o.Seq), MaxTokens)
	}
	if m.Positions > 0 && o.Seq > m.Positions {
		return o, fmt.Errorf("seq %d: must be at most %d for %s (its learned position table)", o.Seq, m.Positions, m.Name)
	}
	if info.UsesRank() {
		if o.Rank < 1 {
			return o, fmt.Errorf("rank %d: must be at least 1", o.Rank)
		}
		if math.IsNaN(o.Alpha) || math.IsInf(o.Alpha, 0) || o.Alpha < 0 {
			return o, fmt.Errorf("alpha %v: must be a finite number above 0 (0 = rank)", o.Alpha)
		}
		if o.Alpha == 0 {
			o.Alpha = float64(o.Rank)
		}
	} else {
		o.Rank, o.Alpha = 0, 0
	}
	return o, nil
}

// trainsBaseWeights reports whether the method trains the base weights (full
// fine-tuning), read from its own formula: it leaves nothing of a layer frozen.
func trainsBaseWeights(method lab.Method, cfg lab.Config) bool {
	f := method.Footprint(cfg, []lab.Shape{{Name: "probe", DIn: 2, DOut: 2}}, 1)
	return f.Frozen == 0 && f.Trainable > 0
}

// Estimate computes the parameters and memory of fine-tuning model with
// method under o. The method's Footprint formula (lab.Method) supplies the
// adapted layers' weights, trainable numbers, gradients, optimiser state,
// extras and the activations the method keeps; Estimate adds the rest of the
// model and the network's own activations. Errors are one line naming the
// bad value and what is allowed.
func Estimate(model Model, method lab.Method, o Options) (Report, error) {
	if method == nil {
		return Report{}, errors.New("method: none given")
	}
	if err := model.Validate(); err != nil {
		return Report{}, err
	}
	info := method.Info()
	o, err := o.resolve(model, info)
	if err != nil {
		return Report{}, err
	}
	cfg := lab.Config{Method: info.Name, Rank: o.Rank, Alpha: o.Alpha}
	for _, name := range slices.Sorted(maps.Keys(o.MethodSettings)) {
		s, ok := lab.FindSetting(info.Settings, name)
		if !ok {
			continue // another method's setting: it changes nothing here
		}
		if err := s.Set(&cfg, o.MethodSettings[name]); err != nil {
			return Report{}, err
		}
	}
	full := trainsBaseWeights(method, cfg)
	if full && o.DType.Quantized() {
		return Report{}, fmt.Errorf("dtype %s: %s trains the base weights, which need fp32, bf16 or fp16", o.DType, info.Name)
	}

	// The layers the formula is applied to: the targets of every block, and
	// for full fine-tuning every linear layer including those outside the blocks.
	var roles []string
	if full {
		roles = model.Roles()
	} else if roles, err = model.ResolveTargets(o.Targets); err != nil {
		return Report{}, err
	}
	var block, rest []Linear // one block's targets; one block's other linear layers
	for _, l := range model.Linears() {
		if slices.Contains(roles, l.Role) {
			block = append(block, l)
		} else {
			rest = append(rest, l)
		}
	}
	var outside []Linear
	if full {
		outside = model.outsideLinears()
	}
	var targets []Linear
	var shapes []lab.Shape
	for i := 0; i < model.Layers; i++ {
		for _, l := range block {
			targets = append(targets, l)
			shapes = append(shapes, lab.Shape{Name: fmt.Sprintf("layers.%d.%s", i, l.Module), DIn: l.DIn, DOut: l.DOut, NoBias: !l.Bias})
		}
	}
	for _, l := range outside {
		targets = append(targets, l)
		shapes = append(shapes, lab.Shape{Name: l.Module, DIn: l.DIn, DOut: l.DOut, NoBias: !l.Bias})
	}
	if err := method.Validate(cfg, shapes); err != nil {
		return Report{}, err
	}

	n := o.Batch * o.Seq
	f := method.Footprint(cfg, shapes, n)                   // every adapted layer
	fBlock := method.Footprint(cfg, shapes[:len(block)], n) // one block's adapted layers
	var fOutside lab.Footprint
	if len(outside) > 0 {
		fOutside = method.Footprint(cfg, shapes[len(shapes)-len(outside):], n)
	}

	// The formula counts each adapted layer's W (d_out × d_in) and its bias.
	var wb int64
	for _, s := range shapes {
		wb += int64(s.DIn)*int64(s.DOut) + int64(s.BiasLen())
	}
	var nums Parts
	nums.Other = int64(f.Other)
	if full {
		// W and b went under Trainable. The embeddings and norms train too and
		// are charged the formula's gradient and optimiser numbers per weight.
		adjust := model.otherParams()
		nums.FrozenAdapter = int64(f.Frozen)
		nums.Trainable = int64(f.Trainable) + adjust
		nums.Gradients = int64(f.Gradients) + perWeight(adjust, f.Gradients, f.Trainable)
		nums.Optimizer = int64(f.Optimizer) + perWeight(adjust, f.Optimizer, f.Trainable)
	} else {
		// Frozen = the adapted layers' W and b + the method's frozen matrices.
		nums.FrozenAdapter = int64(f.Frozen) - wb
		if nums.FrozenAdapter < 0 {
			return Report{}, fmt.Errorf("%s: its formula leaves part of the base weights unaccounted for (frozen %d < W and b %d)", info.Name, f.Frozen, wb)
		}
		untouched := model.otherParams()
		for _, l := range rest {
			untouched += int64(model.Layers) * l.weights()
		}
		for _, l := range model.outsideLinears() {
			untouched += l.weights()
		}
		nums.FrozenBase = int64(f.Frozen) - nums.FrozenAdapter + untouched
		nums.Trainable = int64(f.Trainable)
		nums.Gradients = int64(f.Gradients)
		nums.Optimizer = int64(f.Optimizer)
	}

	// Activations. The network's own per block, plus the head; the method's
	// from its formula. With checkpointing only block inputs stay, and one
	// block at a time is recomputed.
	tokens := int64(n)
	blockBase, head := model.blockActivations(tokens), model.headActivations(tokens)
	if o.Checkpointing {
		nums.ActivationsNetwork = int64(model.Layers)*tokens*int64(model.Hidden) + blockBase + head
		nums.ActivationsMethod = int64(fBlock.Activations) + int64(fOutside.Activations)
	} else {
		nums.ActivationsNetwork = int64(model.Layers)*blockBase + head
		nums.ActivationsMethod = int64(f.Activations)
	}
	nums.sum()

	// Bytes: a size per category.
	trainDType := o.AdapterDType
	if full {
		trainDType = o.DType
	}
	var b Parts
	if o.DType.Quantized() {
		// bitsandbytes quantises the blocks' linear weights; embeddings, LM
		// head, norms and biases stay in the compute dtype.
		var q int64
		for _, l := range model.Linears() {
			q += int64(model.Layers) * int64(l.DIn) * int64(l.DOut)
		}
		b.FrozenBase = bytesOf(q, o.DType.Bytes()) + bytesOf(nums.FrozenBase-q, o.ComputeDType.Bytes())
	} else {
		b.FrozenBase = bytesOf(nums.FrozenBase, o.DType.Bytes())
	}
	b.FrozenAdapter = bytesOf(nums.FrozenAdapter, o.AdapterDType.Bytes())
	b.Trainable = bytesOf(nums.Trainable, trainDType.Bytes())
	b.Gradients = bytesOf(nums.Gradients, trainDType.Bytes())
	b.Optimizer = bytesOf(nums.Optimizer, o.Optimizer.BytesPerState())
	b.Other = bytesOf(nums.Other, o.AdapterDType.Bytes())
	b.ActivationsNetwork = bytesOf(nums.ActivationsNetwork, o.ComputeDType.Bytes())
	b.ActivationsMethod = bytesOf(nums.ActivationsMethod, o.ComputeDType.Bytes())
	b.sum()

	r := Report{
		Model: model, Method: info.Name, MethodTitle: info.Title, Rank: o.Rank, Alpha: o.Alpha,
		Targets: roles, AdaptedLayers: len(shapes), Batch: o.Batch, Seq: o.Seq, Tokens: n,
		DType: o.DType, AdapterDType: o.AdapterDType, ComputeDType: o.ComputeDType, TrainDType: trainDType,
		Optimizer: o.Optimizer, Checkpointing: o.Checkpointing, Numbers: nums, Bytes: b,
	}
	r.Params = Params{
		Model: model.Params(), Trainable: nums.Trainable, FrozenAdapter: nums.FrozenAdapter,
		Total: nums.FrozenBase + nums.FrozenAdapter + nums.Trainable,
	}
	r.Params.TrainablePercent = 100 * float64(r.Params.Trainable) / float64(r.Params.Model)
	r.Assumptions = assumptions(r, info, full)
	return r, nil
}

// blockActivations counts what one frozen block keeps for its backward pass
// (so that gradients reach the adapters of earlier blocks), for n tokens:
// the inputs of its two norms (2·N·h); Q, K, V and the attention output, as a
// memory-efficient (flash) attention kernel keeps them, with no seq × seq
// scores; and the MLP's gate and up outputs (2·N·mlp), or the input of its
// activation function (N·mlp) when not gated. Inputs of frozen linear layers
// are not kept: a frozen W passes the gradient back without them.
func (m Model) blockActivations(n int64) int64 {
	h, f := int64(m.Hidden), int64(m.MLP)
	q, kv := int64(m.Heads)*int64(m.HeadDim), int64(m.KVHeads)*int64(m.HeadDim)
	a := 2*n*h + n*(2*q+2*kv)
	if m.Gated() {
		return a + 2*n*f
	}
	return a + n*f
}

// headActivations counts what the model keeps after the blocks: the final
// norm's input (N·h) and the logits (N·vocab) for the loss. BERT-like encoders
// have no final norm and a small task head, counted as nothing.
func (m Model) headActivations(n int64) int64 {
	if !m.HasLMHead() {
		return 0
	}
	return n*int64(m.Hidden) + n*int64(m.Vocab)
}

// perWeight returns x·num/den rounded, the formula's per-weight rate num/den
// applied to x extra weights.
func perWeight(x int64, num, den int) int64 {
	if den == 0 {
		return 0
	}
	if num%den == 0 {
		return x * int64(num/den)
	}
	return int64(math.Round(float64(x) * float64(num) / float64(den)))
}

// bytesOf returns n numbers at size bytes each, rounded up to whole bytes.
func bytesOf(n int64, size float64) int64 {
	if size == math.Trunc(size) {
		return n * int64(size)
	}
	return int64(math.Ceil(float64(n) * size))
}

// assumptions says, in plain sentences, what the numbers of r assume. The
// sentences carry no per-estimate counts (those are in the report), so a
// comparison prints each sentence once.
func assumptions(r Report, info lab.MethodInfo, full bool) []string {
	m := r.Model
	var a []string
	add := func(format string, args ...any) { a = append(a, fmt.Sprintf(format, args...)) }
	add("N = batch × seq tokens; activations in %s (%g bytes a number)", r.ComputeDType, r.ComputeDType.Bytes())
	mlp := "the MLP's gate and up outputs (2·N·mlp)"
	if !m.Gated() {
		mlp = "the input of the MLP's activation (N·mlp)"
	}
	head := "; plus the final norm input (N·h) and the logits (N·vocab)"
	if !m.HasLMHead() {
		head = "; no head term (an encoder's task head is small)"
	}
	add("network activations per block, whatever the method: the two norm inputs (2·N·h), Q, K, V and the attention output as a memory-efficient (flash) attention kernel keeps them (no seq × seq scores), and %s%s; a frozen linear layer keeps no input (its W alone passes the gradient back)", mlp, head)
	ex := info.Explain
	add("method activations are the method's Footprint formula, the one the toy engine's ledger checks, per adapted layer: %s keeps %s (%s)", info.Title, ex.Kept, ex.KeptSymbols)
	if r.Checkpointing {
		add("gradient checkpointing on: each block keeps only its input (N·h); backward recomputes one block at a time, so one block's activations (network and method) are held at once instead of all of them")
	} else {
		add("gradient checkpointing off: every block keeps its activations (network and method) until its backward pass")
	}
	add("not counted: the formula's scratch (Workspace), dropout masks (dropout off), kernels' temporary buffers, the CUDA context and allocator overhead; a framework that stores a tensor once for several consumers (q, k and v read the same input) keeps less, so activations are an upper bound")
	switch r.DType {
	case NF4:
		add("frozen base: the blocks' linear weights in 4-bit NF4 with double quantisation (%.3f bits a weight, as QLoRA); embeddings, LM head, norms and biases stay in %s", nf4Bits, r.ComputeDType)
	case Int8:
		add("frozen base: the blocks' linear weights in int8 (1 byte; per-row scales, under 0.1 %%, not counted); embeddings, LM head, norms and biases stay in %s", r.ComputeDType)
	default:
		add("frozen base weights in %s", r.DType)
	}
	if full {
		add("full fine-tuning trains every weight: the formula is applied to every linear layer (the LM head too when untied) and the embeddings and norms train as well, at the formula's gradient and optimiser numbers per weight; targets are ignored; weights and gradients in %s (no separate fp32 master copy)", r.TrainDType)
	} else {
		add("adapter weights, gradients, frozen adapter matrices and method extras in %s", r.AdapterDType)
	}
	if r.Optimizer == AdamW8bit {
		add("8-bit AdamW (bitsandbytes, blockwise): 1 byte per state number plus one fp32 scale per %d; bitsandbytes keeps tensors under 4096 numbers in 32-bit, not modelled", adam8bitBlock)
	} else {
		add("AdamW: the formula's state numbers (m and v, two per trainable number) in fp32; the step counter is ignored")
	}
	if r.Params.FrozenAdapter > 0 {
		add("frozen adapter matrices are what a method's formula holds frozen besides the base weights (VeRA: the shared pair A_sh and B_sh; LoRA-FA: the frozen A); the trainable count leaves them out, the total includes them; papers differ, e.g. the VeRA paper's counts leave the shared pair out")
	}
	if r.Numbers.Other > 0 {
		add("method extras: buffers from the method's formula (Delta-LoRA's previous A and B, LoRA-FA's projected-gradient inverse), in the adapter dtype")
	}
	add("trainable %% is of the base model's %s parameters (PEFT's print_trainable_parameters divides by base + adapter parameters)", group(r.Params.Model))
	if r.Rank > 0 {
		add("α scales the update (α/r) and changes no memory")
	}
	return a
}

// group formats n with thousands separators.
func group(n int64) string { return lab.Thousands(n) }
