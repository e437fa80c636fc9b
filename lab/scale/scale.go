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
// trainable weights and gradients and for what PEFT keeps for the adapters,
// the parameters' own dtype for AdamW's state, and the dtypes a real
// PyTorch + transformers training step keeps its activations in
// (activations.go). The Footprint's Workspace (the toy's scratch buffers) is
// left out.
//
// Besides the breakdown, Estimate predicts the peak of allocated GPU memory
// during a training step, the number that decides whether a run fits: the
// resting memory (weights and optimiser state), the activations kept after
// the forward pass, and the largest transient on top (the loss's backward,
// a layer's temporaries, the optimiser step). The model is checked against
// real training steps measured on a GPU (testdata/measured.json, see
// Calibration).
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
	ComputeDType  DType     // activations; "" = DType, or bf16 when DType is fp32 with MasterWeights, int8 or 4-bit
	Optimizer     Optimizer // "" = adamw
	Checkpointing bool      // gradient checkpointing, one checkpoint per block
	// Config holds methods' own settings (options, e.g. LoRA-FA's projected
	// gradient, whose formula adds an r × r inverse per layer) as a run's
	// lab.Config holds them, set through the settings' Set as the CLI's
	// flags do; the method's Footprint sees them. Its rank and α are not
	// read (Rank and Alpha are), nor its core training settings.
	Config lab.Config
	// MethodSettings are more of methods' own settings, by flag name and as
	// text, applied on top of Config through the method's Settings; a
	// setting the method does not have is ignored.
	MethodSettings map[string]string
	// MasterWeights: mixed precision (torch.autocast) with fp32 master
	// weights for the weights that train in full (full fine-tuning): fp32
	// weights, gradients and AdamW state, bf16 compute. Without it a method
	// that trains the base trains it in DType ("pure bf16"). Adapters are
	// set by AdapterDType (PEFT's default, fp32, is already a master copy).
	MasterWeights bool
	// KbitPrepare: PEFT's prepare_model_for_kbit_training on a quantised
	// base: the base parameters that are not quantised (embeddings, LM head,
	// norms, biases) are cast to fp32. (The recipe also turns on gradient
	// checkpointing: set Checkpointing.)
	KbitPrepare bool
}

// DefaultOptions returns rank 8 on q and v, one sequence of 512 tokens, a
// bf16 base, fp32 adapters (PEFT's default under autocast), AdamW, no
// checkpointing.
func DefaultOptions() Options {
	return Options{Rank: 8, Targets: []string{"q", "v"}, Batch: 1, Seq: 512, DType: BF16, AdapterDType: FP32, Optimizer: AdamW}
}

// Parts is a breakdown by category, in numbers or in bytes. Total is the sum
// of the categories; Resting and Peak (bytes only) are not parts but moments
// of a training step.
type Parts struct {
	FrozenBase         int64 `json:"frozen_base"`         // the base model's weights that do not train
	FrozenAdapter      int64 `json:"frozen_adapter"`      // adapter matrices that do not train (VeRA's shared pair, LoRA-FA's A)
	Trainable          int64 `json:"trainable"`           // weights the optimiser updates
	Gradients          int64 `json:"gradients"`           // one per trainable number
	Optimizer          int64 `json:"optimizer"`           // optimiser state
	Other              int64 `json:"other"`               // method extras (Delta-LoRA's previous A and B, ...)
	ActivationsNetwork int64 `json:"activations_network"` // kept for backward by the network itself (norms, attention, MLP, loss)
	ActivationsMethod  int64 `json:"activations_method"`  // kept for backward for the adapted layers: the method's formula as PEFT keeps it
	Total              int64 `json:"total"`               // the sum of the parts above
	// Resting is what stays allocated between steps: weights, optimiser
	// state and method extras (gradients are freed by zero_grad(set_to_none)).
	Resting int64 `json:"resting,omitempty"`
	// Peak is the predicted peak of allocated memory during a training step:
	// see Report.PeakTerms for what it is made of.
	Peak int64 `json:"peak,omitempty"`
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

// Term is one named part of the peak, in bytes.
type Term struct {
	Name  string `json:"name"`  // what it is, in a sentence
	Short string `json:"short"` // a few words, for table rows
	Bytes int64  `json:"bytes"`
	// Transient: the term exists only for a moment of the step (the loss's
	// gradients, a layer's temporaries, the gradients at the optimizer
	// step), not between steps nor as the activations kept for backward.
	Transient bool `json:"transient"`
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
	TrainDType    DType     `json:"train_dtype"` // of trainable weights, gradients and AdamW state
	Optimizer     Optimizer `json:"optimizer"`
	Checkpointing bool      `json:"checkpointing"`
	MasterWeights bool      `json:"master_weights"`
	KbitPrepare   bool      `json:"kbit_prepare"`
	Params        Params    `json:"params"`
	Numbers       Parts     `json:"numbers"`
	Bytes         Parts     `json:"bytes"`
	// PeakAt names the moment of the step the peak is at; PeakTerms add up
	// to Bytes.Peak, the transient terms named.
	PeakAt    string `json:"peak_at"`
	PeakTerms []Term `json:"peak_terms"`
	// Checked says what the peak was checked against (Calibration), or that
	// this architecture's activations were not measured.
	Checked     string   `json:"checked"`
	Assumptions []string `json:"assumptions"`
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
		if o.DType.Quantized() || (o.MasterWeights && o.DType == FP32) {
			o.ComputeDType = BF16
		}
	}
	if o.ComputeDType.Quantized() {
		return o, fmt.Errorf("compute-dtype %s: activations need fp32, bf16 or fp16", o.ComputeDType)
	}
	if o.KbitPrepare && !o.DType.Quantized() {
		return o, fmt.Errorf("kbit-prepare: PEFT's prepare_model_for_kbit_training is for a quantised base; give --dtype int8 or 4bit (the base is %s)", o.DType)
	}
	if o.MasterWeights && o.DType.Quantized() {
		return o, fmt.Errorf("master-weights: a quantised base (%s) has no master weights; they are for a base that trains (full fine-tuning)", o.DType)
	}
	if o.Optimizer.BytesPerState(FP32) == 0 {
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
			o.Alpha = lab.DefaultAlpha
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
// model and the network's own activations, and predicts the step's peak.
// Errors are one line naming the bad value and what is allowed.
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
	cfg := o.Config
	cfg.Method, cfg.Rank, cfg.Alpha = info.Name, o.Rank, o.Alpha
	for _, name := range slices.Sorted(maps.Keys(o.MethodSettings)) {
		s, ok := lab.FindSetting(info.Settings, name)
		if !ok {
			continue // another method's setting: it changes nothing here
		}
		if err := s.Set(&cfg, o.MethodSettings[name]); err != nil {
			return Report{}, err
		}
	}
	if err := lab.CheckOptions(method, nil, cfg); err != nil { // a setting that changes no memory is still checked
		return Report{}, err
	}
	full := trainsBaseWeights(method, cfg)
	writer := !full && writesBase(method)
	if full && o.DType.Quantized() {
		return Report{}, fmt.Errorf("dtype %s: %s trains the base weights, which need fp32, bf16 or fp16", o.DType, info.Name)
	}
	if writer && o.DType.Quantized() {
		return Report{}, fmt.Errorf("dtype %s: %s writes the base weights of the layers it adapts every step, which needs them in fp32, bf16 or fp16", o.DType, info.Name)
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
	var shapes []lab.Shape
	for i := 0; i < model.Layers; i++ {
		for _, l := range block {
			shapes = append(shapes, lab.Shape{Name: fmt.Sprintf("layers.%d.%s", i, l.Module), DIn: l.DIn, DOut: l.DOut, NoBias: !l.Bias})
		}
	}
	for _, l := range outside {
		shapes = append(shapes, lab.Shape{Name: l.Module, DIn: l.DIn, DOut: l.DOut, NoBias: !l.Bias})
	}
	if err := method.Validate(cfg, shapes); err != nil {
		return Report{}, err
	}

	n := o.Batch * o.Seq
	f := method.Footprint(cfg, shapes, n) // every adapted layer

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

	// Precision: trained weights, their gradients and AdamW state in the
	// adapter dtype, or for full fine-tuning in the base dtype (pure) or fp32
	// (master weights); activations in the compute dtype.
	trainDType := o.AdapterDType
	if full {
		trainDType = o.DType
		if o.MasterWeights {
			trainDType = FP32
		}
	}
	p := precision{
		compute: o.ComputeDType.Bytes(), adapter: o.AdapterDType.Bytes(), train: trainDType.Bytes(),
		residual: o.ComputeDType.Bytes(), master: full && o.MasterWeights,
	}
	if p.master {
		p.residual = 4
	}

	// Activations kept after the forward pass (activations.go). Without
	// checkpointing every block keeps its own and the method's, plus the
	// rotary tables once and the head; the first block keeps less when
	// nothing before it trains. With checkpointing each block keeps only its
	// input (N·h, residual dtype) and recomputes the rest during backward.
	tokens, seq := int64(n), int64(o.Seq)
	blockNet := model.blockKept(tokens, seq, p, full)
	head := model.headKept(tokens, p, full)
	blockMethod, transient := layerKept(method, cfg, block, n, p, full)
	outsideMethod, _ := layerKept(method, cfg, outside, n, p, full)
	var net, meth kept
	if o.Checkpointing {
		net.add(int64(model.Layers)*tokens*int64(model.Hidden), p.residual)
		net = net.plus(head)
		meth = outsideMethod
	} else {
		net = blockNet.times(int64(model.Layers)).plus(model.rotaryKept(tokens, p)).plus(head)
		if !full {
			net.numbers -= model.firstBlockSaving(tokens).numbers
			net.bytes -= model.firstBlockSaving(tokens).bytes
		}
		meth = blockMethod.times(int64(model.Layers)).plus(outsideMethod)
	}
	if p.master {
		// autocast keeps a bf16 copy of every linear weight for the backward:
		// the blocks' inside their checkpoints (recomputed with them), the
		// layers outside the blocks always.
		var w, ow int64
		for _, l := range model.Linears() {
			w += int64(l.DIn) * int64(l.DOut)
		}
		for _, l := range outside {
			ow += int64(l.DIn) * int64(l.DOut)
		}
		blockNet.add(w, p.compute)
		if !o.Checkpointing {
			net.add(int64(model.Layers)*w, p.compute)
		}
		net.add(ow, p.compute)
	}
	nums.ActivationsNetwork, nums.ActivationsMethod = net.numbers, meth.numbers
	nums.sum()

	// Bytes: a size per category.
	var b Parts
	if o.DType.Quantized() {
		// bitsandbytes quantises the blocks' linear weights; embeddings, LM
		// head, norms and biases stay in the compute dtype, or go to fp32
		// under prepare_model_for_kbit_training.
		var q int64
		for _, l := range model.Linears() {
			q += int64(model.Layers) * int64(l.DIn) * int64(l.DOut)
		}
		other := o.ComputeDType.Bytes()
		if o.KbitPrepare {
			other = 4
		}
		b.FrozenBase = bytesOf(q, o.DType.Bytes()) + bytesOf(nums.FrozenBase-q, other)
	} else if writer {
		// The adapted layers' W and b are written every step: fp32.
		b.FrozenBase = bytesOf(nums.FrozenBase-wb, o.DType.Bytes()) + bytesOf(wb, 4)
	} else {
		b.FrozenBase = bytesOf(nums.FrozenBase, o.DType.Bytes())
	}
	b.FrozenAdapter = bytesOf(nums.FrozenAdapter, o.AdapterDType.Bytes())
	b.Trainable = bytesOf(nums.Trainable, trainDType.Bytes())
	b.Gradients = bytesOf(nums.Gradients, trainDType.Bytes())
	b.Optimizer = bytesOf(nums.Optimizer, o.Optimizer.BytesPerState(trainDType))
	b.Other = bytesOf(nums.Other, o.AdapterDType.Bytes())
	b.ActivationsNetwork, b.ActivationsMethod = net.bytes, meth.bytes
	b.sum()

	// The peak of a step: what rests between steps, what the forward pass
	// keeps, and the largest transient on top of them.
	b.Resting = b.FrozenBase + b.FrozenAdapter + b.Trainable + b.Optimizer + b.Other
	var recompute kept
	if o.Checkpointing {
		recompute = blockNet.plus(blockMethod)
	}
	peakAt, terms := peak(model, b, head.bytes, recompute.bytes, transient, o, p, tokens)
	for _, t := range terms {
		b.Peak += t.Bytes
	}

	r := Report{
		Model: model, Method: info.Name, MethodTitle: info.Title, Rank: o.Rank, Alpha: o.Alpha,
		Targets: roles, AdaptedLayers: len(shapes), Batch: o.Batch, Seq: o.Seq, Tokens: n,
		DType: o.DType, AdapterDType: o.AdapterDType, ComputeDType: o.ComputeDType, TrainDType: trainDType,
		Optimizer: o.Optimizer, Checkpointing: o.Checkpointing, MasterWeights: o.MasterWeights, KbitPrepare: o.KbitPrepare,
		Numbers: nums, Bytes: b, PeakAt: peakAt, PeakTerms: terms,
	}
	r.Params = Params{
		Model: model.Params(), Trainable: nums.Trainable, FrozenAdapter: nums.FrozenAdapter,
		Total: nums.FrozenBase + nums.FrozenAdapter + nums.Trainable,
	}
	r.Params.TrainablePercent = 100 * float64(r.Params.Trainable) / float64(r.Params.Model)
	r.Checked = checked(model)
	r.Assumptions = assumptions(r, full, writer)
	return r, nil
}

// The moments a step's peak can be at.
const (
	AtLossBackward = "loss backward"                            // the loss's gradient on top of everything the forward kept
	AtForward      = "forward, the largest layer's temporaries" // a layer's transient at the end of the forward pass
	AtRecompute    = "backward, recomputing one block"          // gradient checkpointing: one block's activations again
	AtOptimizer    = "optimizer step"                           // gradients and AdamW's temporaries
	AtForwardEnd   = "end of the forward pass"                  // encoders: no vocabulary-sized loss
)

// peak returns the moment of a training step with the most memory allocated
// and the terms it is made of (their sum is the peak). The candidates:
//
//   - loss backward: resting + kept activations + the loss's fp32 gradients
//     (2·N·V·4); gradients of the weights do not exist yet;
//   - forward, the largest layer's temporaries: resting + the blocks' kept
//     activations (the head's not yet made) + the largest adapted layer's
//     forward transient (PEFTCost.Transient) or, on a quantised base, one
//     dequantised weight;
//   - backward with checkpointing: resting + the blocks' kept activations
//     (the head's freed) + one block's activations (network and method) +
//     that transient + the MLP's gradient temporaries (2·N·f·c);
//   - optimizer step: resting + gradients + AdamW's foreach temporary (one
//     state-sized copy of the trained weights, for √v̂; 8-bit AdamW: none).
//
// Measured, the peak is at the loss backward for adapter methods and at the
// optimizer step for full fine-tuning at small batches.
func peak(m Model, b Parts, head, recompute, transient int64, o Options, p precision, n int64) (string, []Term) {
	resting := Term{Name: "resting: weights, optimizer state and extras", Short: "resting", Bytes: b.Resting}
	acts := Term{Name: "activations kept after the forward pass", Short: "activations kept", Bytes: b.ActivationsNetwork + b.ActivationsMethod}
	blocks := Term{Name: "activations kept by the blocks (the head's are freed by then)", Short: "activations kept", Bytes: acts.Bytes - head}
	temp := func(name, short string, n int64) Term {
		return Term{Name: name, Short: short, Bytes: n, Transient: true}
	}
	if o.DType.Quantized() {
		var w int64
		for _, l := range m.Linears() {
			w = max(w, int64(l.DIn)*int64(l.DOut))
		}
		transient = max(transient, bytesOf(w, p.compute))
	}
	layer := temp("the largest adapted layer's forward temporaries", "largest layer's temporaries", transient)
	type candidate struct {
		at    string
		terms []Term
	}
	var cs []candidate
	if m.HasLMHead() {
		cs = append(cs, candidate{AtLossBackward, []Term{resting, acts,
			temp("loss backward: fp32 gradients of the log-softmax's output and input (2·N·vocab·4)", "loss backward (2·N·vocab·4)", m.lossBackward(n))}})
	} else {
		cs = append(cs, candidate{AtForwardEnd, []Term{resting, acts}})
	}
	if transient > 0 && !o.Checkpointing {
		cs = append(cs, candidate{AtForward, []Term{resting, blocks, layer}})
	}
	if o.Checkpointing {
		cs = append(cs, candidate{AtRecompute, []Term{resting, blocks,
			temp("one block recomputed: its activations, network and method", "one block recomputed", recompute), layer,
			temp("the MLP's gradient temporaries (2·N·mlp)", "MLP's gradient temporaries", bytesOf(2*n*int64(m.MLP), p.compute))}})
	}
	var foreach int64
	if o.Optimizer == AdamW {
		foreach = b.Trainable
	}
	cs = append(cs, candidate{AtOptimizer, []Term{resting, temp("gradients", "gradients", b.Gradients),
		temp("AdamW's foreach temporary (a copy of the trained weights' size)", "AdamW's temporary", foreach)}})
	best, bestSum := 0, int64(math.MinInt64)
	for i, c := range cs {
		var s int64
		for _, t := range c.terms {
			s += t.Bytes
		}
		if s > bestSum {
			best, bestSum = i, s
		}
	}
	var terms []Term
	for _, t := range cs[best].terms {
		if t.Bytes != 0 {
			terms = append(terms, t)
		}
	}
	return cs[best].at, terms
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

// group formats n with thousands separators.
func group(n int64) string { return lab.Thousands(n) }
