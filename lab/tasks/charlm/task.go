package charlm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/loralab/loralab/lab"
)

// Task is the character-level language model task, `--task charlm`: the
// base model (base.go, pretrained on Opticks) fine-tuned on a second text —
// Go source code, or the user's own (--text-file) — with the method
// adapting the linear layers --targets names, as PEFT's target_modules.
// A run reports the held-out loss on the fine-tuning text, the loss on
// Opticks' held-out split (forgetting) and text samples as it learns.
type Task struct{}

// Limits of the task's settings.
const (
	MaxEvalSize     = 4096 // held-out windows per text
	MaxSampleLength = 1000 // characters per sample
	MaxTemperature  = 10
	MaxPromptChars  = 200
)

// AllLinear is the targets value that names every linear layer of the
// blocks (PEFT's "all-linear", which leaves the output head out too).
const AllLinear = "all-linear"

// The task's own settings.
var (
	// Targets are the linear layers a method adapts.
	Targets = lab.Setting{Name: "targets", Kind: lab.StringSetting, Default: "q,v", Check: checkTargets, Sweepable: true,
		Help: "linear layers the method adapts, as PEFT's target_modules: q,v, q,k,v,o, all-linear (q, k, v, o, up and down of each block, not the head) or a list of q, k, v, o, up, down, head and all-linear (q+v in a sweep's list); full fine-tuning trains everything"}
	// TextFile is the user's fine-tuning text; empty: the embedded Go source.
	TextFile = lab.Setting{Name: "text-file", Kind: lab.StringSetting, Default: "",
		Help: "fine-tune on this UTF-8 text file instead of the Go source (at most 4 MiB; characters outside the base model's vocabulary are folded or replaced)"}
	// Context is the characters per training sequence.
	Context = lab.Setting{Name: "context", Kind: lab.IntSetting, Default: 64, Ladder: []float64{8, 16, 32, 64}, Check: checkContext,
		Help: "characters per training sequence, at most the base model's 64 positions"}
	// EvalSize is the held-out windows measured on each text.
	EvalSize = lab.Setting{Name: "eval-size", Kind: lab.IntSetting, Default: 32, Check: lab.Between("eval-size", 1, MaxEvalSize),
		Help: "held-out examples (charlm: windows of each text, rounded up to a multiple of the batch)"}
	// SampleEvery is the steps between text samples.
	SampleEvery = lab.Setting{Name: "sample-every", Kind: lab.IntSetting, Default: 50, Ladder: []float64{0, 10, 20, 50, 100, 200},
		Check: lab.Between("sample-every", 0, lab.MaxSteps), Help: "steps between text samples from the prompt (0: none)"}
	// SampleLength is the characters of each sample.
	SampleLength = lab.Setting{Name: "sample-length", Kind: lab.IntSetting, Default: 100, Ladder: []float64{50, 100, 200, 400},
		Check: lab.Between("sample-length", 1, MaxSampleLength), Help: "characters per text sample"}
	// Temperature is the sampling temperature: 0 is greedy.
	Temperature = lab.Setting{Name: "temperature", Kind: lab.FloatSetting, Default: 0.5, Ladder: []float64{0, 0.5, 0.8, 1, 1.2},
		Check: lab.Between("temperature", 0, MaxTemperature), Help: "sampling temperature (0: greedy); the draws come from the seed, the same for every sample"}
	// Prompt is what every sample continues.
	Prompt = lab.Setting{Name: "prompt", Kind: lab.StringSetting, Default: "The", Check: checkPrompt,
		Help: "the text every sample continues"}
)

// Info describes the task.
func (t Task) Info() lab.TaskInfo {
	return lab.TaskInfo{
		Name: "charlm", Title: "Character LM",
		Summary:  "a tiny transformer pretrained on Newton's Opticks learns a second text (Go source, or yours) one character at a time (cross-entropy)",
		Settings: []lab.Setting{Targets, TextFile, Context, EvalSize, SampleEvery, SampleLength, Temperature, Prompt},
		Defaults: map[string]string{"batch": "8", "steps": "200", "eval-every": "20"},
		BitsPer:  "char",
		Samples:  true,
		// Where q,v adapters stand after the default 200 steps of Go (LoRA
		// 3.14, LoRA+ 3.03, full 2.02; LoRA-FA 3.52 and VeRA 3.34 not yet):
		// steps to it tell the methods' speed apart.
		Target: 3.2,
		Explain: lab.TaskExplanation{
			Describe: func(cfg lab.Config) string {
				c := modelConfig(cfg)
				return fmt.Sprintf("context %d, width %d, %d blocks, targets %s", c.Context, c.Width, c.Depth, Targets.Text(cfg))
			},
			Model: func(cfg lab.Config) string {
				c := modelConfig(cfg)
				return fmt.Sprintf("transformer of %d blocks, width %d, %d heads, context %d, %d characters", c.Depth, c.Width, c.Heads, c.Context, c.Vocab)
			},
			Kept: func(cfg lab.Config) string {
				return fmt.Sprintf("each block's Q, K, V and MLP input, the norms' x̂, the attention's probabilities and the softmax over %d characters", modelConfig(cfg).Vocab)
			},
			Caveats: t.caveats,
		},
	}
}

// caveats are the task's notes on a method at these settings, and where
// the same layers sit in a real Llama.
func (t Task) caveats(m lab.MethodInfo, cfg lab.Config) []string {
	c := modelConfig(cfg)
	llama := fmt.Sprintf("In a real Llama the same layers are q_proj, k_proj, v_proj, o_proj, up_proj and down_proj of every block (Llama adds gate_proj and uses RMSNorm), and the head is lm_head, which PEFT's all-linear leaves out too; loralab memory --layers %d --hidden %d --heads %d --mlp %d --vocab %d --seq %d --batch %d sizes this shape as such a model.",
		c.Depth, c.Width, c.Heads, MLPRatio*c.Width, c.Vocab, c.Context, c.Batch)
	if m.TrainsBase {
		return []string{"Here every weight trains: the embedding, the norms and the output head as well as the blocks' linear layers; the targets apply to the other methods.", llama}
	}
	layers := t.Layers(cfg, false)
	frozen := "the embedding, the norms, the output head and the other layers stay frozen, as in PEFT"
	if on, _ := parseTargets(Targets.Text(cfg)); on.head {
		frozen = "the embedding, the norms and the other layers stay frozen, as in PEFT"
	}
	return []string{fmt.Sprintf("Here the method adapts %d linear layers (%s); %s.", len(layers), targetWords(cfg), frozen), llama}
}

// targetWords names the targeted layers: "q and v of each block".
func targetWords(cfg lab.Config) string {
	on, _ := parseTargets(Targets.Text(cfg))
	var names []string
	for k, yes := range on.block {
		if yes {
			names = append(names, layerNames[k])
		}
	}
	words := ""
	switch len(names) {
	case 0:
	case 1:
		words = names[0] + " of each block"
	default:
		words = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " of each block"
	}
	if on.head {
		if words != "" {
			return words + " and the head"
		}
		return "the head"
	}
	return words
}

// targetSet is which linear layers a targets value names: some of every
// block's six, and the output head.
type targetSet struct {
	block [perBlock]bool
	head  bool
}

// HeadTarget names the output head in targets.
const HeadTarget = "head"

// parseTargets reads a targets value: layer names (q, k, v, o, up, down,
// head) and all-linear (the six of every block, not the head, as PEFT's),
// separated by commas (or '+', which a sweep's comma-separated list of
// values can hold).
func parseTargets(v string) (targetSet, error) {
	var on targetSet
	allowed := func() string {
		return fmt.Sprintf("name layers among %s, %s (comma-separated, as PEFT's target_modules) or %s", strings.Join(layerNames[:], ", "), HeadTarget, AllLinear)
	}
	named := false
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '+' }) {
		name := strings.TrimSpace(part)
		switch k := slices.Index(layerNames[:], name); {
		case name == AllLinear:
			for k := range on.block {
				on.block[k] = true
			}
		case name == HeadTarget:
			on.head = true
		case k >= 0:
			on.block[k] = true
		default:
			return on, fmt.Errorf("targets %q: unknown layer %q; %s", v, name, allowed())
		}
		named = true
	}
	if !named {
		return on, fmt.Errorf("targets %q: no layer named; %s", v, allowed())
	}
	return on, nil
}

func checkTargets(v any) error {
	s, _ := v.(string)
	_, err := parseTargets(s)
	return err
}

// baseShape is the base model's shape (the shipped file's; its default if
// the file does not load, which Validate reports).
func baseShape() Config {
	if w, err := Base(); err == nil {
		return w.Meta.Model
	}
	c := ShippedPretrain.Model
	c.Vocab = BaseVocab().Size()
	return c
}

func checkContext(v any) error {
	return lab.Between("context", 1, float64(baseShape().Context))(v)
}

func checkPrompt(v any) error {
	s, _ := v.(string)
	if s == "" {
		return errors.New("prompt: empty; give at least one character")
	}
	if n := len([]rune(s)); n > MaxPromptChars {
		return fmt.Errorf("prompt: %d characters; at most %d", n, MaxPromptChars)
	}
	for _, r := range s {
		if _, ok := BaseVocab().ID(r); !ok {
			return fmt.Errorf("prompt %q: %q is not in the base model's %d-character vocabulary", s, r, BaseVocab().Size())
		}
	}
	return nil
}

// Shape is the model a run of cfg trains: the base model's shape, with the
// run's context and batch (for exports that rebuild it elsewhere).
func Shape(cfg lab.Config) Config { return modelConfig(cfg) }

// modelConfig is the shape a run of cfg trains: the base model's, with
// the run's context and batch.
func modelConfig(cfg lab.Config) Config {
	c := baseShape()
	c.Context, c.Batch = Context.Int(cfg), cfg.Batch
	return c
}

// Validate checks that the base model loads and fits the code, the
// context fits it and both texts, the fine-tuning text is readable, and
// the run fits in memory.
func (t Task) Validate(cfg lab.Config) error {
	if _, err := Base(); err != nil {
		return err
	}
	c := modelConfig(cfg)
	text, _, err := fineTuneText(cfg)
	if err != nil {
		return err
	}
	for _, x := range []*Text{text, Opticks()} {
		if err := x.CheckContext(c.Context); err != nil {
			return err
		}
	}
	// Every buffer of the costliest method (full fine-tuning: four numbers
	// per weight) and the widest kept activations must fit.
	numbers := int64(t.Footprint(cfg, true).Total())
	n := int64(c.N())
	for _, s := range c.Shapes() {
		numbers += 4*int64(s.DOut*s.DIn+s.DOut) + 2*n*int64(s.DIn+s.DOut)
	}
	if bytes := numbers * lab.BytesPerNumber; bytes > lab.MaxRunBytes {
		return fmt.Errorf("batch %d, context %d: the run would hold about %.1f GiB, more than the %d GiB allowed; make them smaller",
			cfg.Batch, c.Context, float64(bytes)/(1<<30), lab.MaxRunBytes>>30)
	}
	return nil
}

// fineTuneText is the text the run fine-tunes on, with the report of how
// a user's text was encoded.
func fineTuneText(cfg lab.Config) (*Text, EncodeReport, error) {
	if path := TextFile.Text(cfg); path != "" {
		return ReadUserText(path, BaseVocab(), Context.Int(cfg))
	}
	return GoSource(), EncodeReport{}, nil
}

// targeted reports which of the model's linear layers (Shapes order) the
// method adapts: the targets of every block, or all of them (the head
// included) when whole.
func targeted(cfg lab.Config, whole bool) []bool {
	c := modelConfig(cfg)
	on, _ := parseTargets(Targets.Text(cfg))
	out := make([]bool, c.Depth*perBlock+1)
	for i := range out {
		out[i] = whole || (i < c.Depth*perBlock && on.block[i%perBlock])
	}
	out[len(out)-1] = whole || on.head
	return out
}

// Layers lists the targeted linear layers of every block in order, or
// every linear layer (the head included) when whole.
func (Task) Layers(cfg lab.Config, whole bool) []lab.Shape {
	var out []lab.Shape
	on := targeted(cfg, whole)
	for i, s := range modelConfig(cfg).Shapes() {
		if on[i] {
			out = append(out, s)
		}
	}
	return out
}

// Rows is B·T: every position of every sequence is a row of the layers.
func (Task) Rows(cfg lab.Config) int { return cfg.Batch * Context.Int(cfg) }

// Footprint is ModelFootprint (the embedding, the norms, the attention and
// the loss, with AdamW's two numbers per trainable one when whole), the W
// and b of the linear layers no method adapts (Frozen), and the sampler's
// buffers when the run takes samples (SamplerFootprint, with a merged W per
// adapted layer).
func (t Task) Footprint(cfg lab.Config, whole bool) lab.Footprint {
	c := modelConfig(cfg)
	f := ModelFootprint(c, Trainable{Embedding: whole, Norms: whole})
	f.Optimizer += 2 * f.Trainable
	on := targeted(cfg, whole)
	for i, s := range c.Shapes() {
		if !on[i] {
			f.Frozen += s.DOut*s.DIn + s.BiasLen()
		}
	}
	if SampleEvery.Int(cfg) > 0 {
		f.Workspace += SamplerFootprint(c, t.Layers(cfg, whole))
	}
	return f
}

// New loads the base model into ledger-counted buffers, reads the
// fine-tuning text and fixes the held-out windows of both texts.
func (t Task) New(ctx context.Context, cfg lab.Config, ledger *lab.Ledger, whole bool) (lab.Network, error) {
	w, err := Base()
	if err != nil {
		return nil, err
	}
	text, rep, err := fineTuneText(cfg)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := modelConfig(cfg)
	m := NewModel(c, ledger, Trainable{Embedding: whole, Norms: whole})
	w.Load(m)
	prompt, _ := BaseVocab().Encode(Prompt.Text(cfg))
	n := &network{
		m: m, ledger: ledger, weights: w, text: text, report: rep,
		on:      targeted(cfg, whole),
		batches: lab.NewRand(cfg.Seed, lab.StreamBatches),
		starts:  make([]int, c.Batch),
		held:    newEvalSet(text.Held, c.Context, EvalSize.Int(cfg), c.Batch),
		forget:  newEvalSet(Opticks().Held, c.Context, EvalSize.Int(cfg), c.Batch),
		ids:     make([]float64, 2*c.N()),
		every:   SampleEvery.Int(cfg), length: SampleLength.Int(cfg), tau: Temperature.Float(cfg),
		prompt: prompt, promptText: Prompt.Text(cfg), seed: cfg.Seed,
	}
	for i, base := range m.Base {
		if n.on[i] {
			n.linears = append(n.linears, base)
			n.base = append(n.base, base.W.Clone())
		}
	}
	return n, nil
}
