package scale

import (
	"fmt"
	"slices"
	"strings"
)

// Arch is the layout of a transformer family: which linear layers a block has,
// which of them carry biases, the norm, the positions and the head.
type Arch string

// The layouts the calculator knows.
const (
	// Llama: pre-norm decoder, RMSNorm (weight only), rotary positions (no
	// position table), gated SwiGLU MLP (gate, up, down), no biases by default,
	// a final norm and an LM head (tied or not). Also Mistral and any
	// Hugging Face config.json that is not GPT-2 or BERT-like.
	Llama Arch = "llama"
	// GPT2: pre-norm decoder, LayerNorm (weight and bias), learned positions,
	// GELU MLP (up, down), biases everywhere, a final norm, LM head tied to
	// the embeddings. GPT-3 has the same layout.
	GPT2 Arch = "gpt2"
	// BERT: post-norm encoder (RoBERTa), LayerNorm, learned positions and
	// token types, an embedding norm, GELU MLP, biases everywhere, a pooler
	// (h × h) and no LM head (fine-tuned with a small classification head,
	// which is not counted).
	BERT Arch = "bert"
)

// Model is the shape of a real transformer: enough to list its linear layers
// and count its parameters and activations. All sizes are in numbers.
type Model struct {
	Name           string   `json:"name"`
	Source         string   `json:"source"`            // where the shape comes from
	Aliases        []string `json:"aliases,omitempty"` // other names LookupModel accepts, e.g. a Hugging Face id
	Arch           Arch     `json:"arch"`
	Layers         int      `json:"layers"`          // transformer blocks
	Hidden         int      `json:"hidden"`          // model width h
	Heads          int      `json:"heads"`           // attention (query) heads
	KVHeads        int      `json:"kv_heads"`        // key/value heads (fewer than heads: GQA)
	HeadDim        int      `json:"head_dim"`        // size of one head
	MLP            int      `json:"mlp"`             // MLP (intermediate) size
	Vocab          int      `json:"vocab"`           // vocabulary size
	TiedEmbeddings bool     `json:"tied_embeddings"` // LM head shares the embedding matrix
	Positions      int      `json:"positions"`       // learned position embeddings (0: rotary, none stored)
	TokenTypes     int      `json:"token_types"`     // token-type embeddings (BERT-like)
	QKVBias        bool     `json:"qkv_bias"`        // q, k and v have biases
	OBias          bool     `json:"o_bias"`          // the attention output projection has a bias
	MLPBias        bool     `json:"mlp_bias"`        // the MLP projections have biases
	// SlidingWindow is the attention's local window (Mistral: 4096; 0 = none).
	// Once a sequence reaches it, transformers passes sdpa an explicit mask
	// instead of is_causal, and attention keeps more (see blockKept).
	SlidingWindow int `json:"sliding_window,omitempty"`
}

// Linear is one linear layer of a transformer block: W is DOut × DIn.
type Linear struct {
	Role   string `json:"role"`   // short name used by --targets: q, k, v, o, gate, up, down
	Module string `json:"module"` // its name inside a Hugging Face transformers block
	DIn    int    `json:"d_in"`
	DOut   int    `json:"d_out"`
	Bias   bool   `json:"bias"`
}

// AllLinear is the target name for every linear layer of every block
// (attention and MLP projections; not the LM head), as PEFT's "all-linear".
const AllLinear = "all-linear"

// catalogue holds the built-in shapes. Sources: the models' Hugging Face
// config.json files and, for GPT-3, Brown et al. 2020 (Table 2.1).
var catalogue = []Model{
	{Name: "roberta-base", Source: "FacebookAI/roberta-base config.json (RobertaModel with pooler, 124.6M)", Aliases: []string{"FacebookAI/roberta-base"},
		Arch: BERT, Layers: 12, Hidden: 768, Heads: 12, KVHeads: 12, HeadDim: 64, MLP: 3072, Vocab: 50265, TiedEmbeddings: true, Positions: 514, TokenTypes: 1, QKVBias: true, OBias: true, MLPBias: true},
	{Name: "roberta-large", Source: "FacebookAI/roberta-large config.json (RobertaModel with pooler, 355.4M)", Aliases: []string{"FacebookAI/roberta-large"},
		Arch: BERT, Layers: 24, Hidden: 1024, Heads: 16, KVHeads: 16, HeadDim: 64, MLP: 4096, Vocab: 50265, TiedEmbeddings: true, Positions: 514, TokenTypes: 1, QKVBias: true, OBias: true, MLPBias: true},
	{Name: "gpt2-medium", Source: "openai-community/gpt2-medium config.json (354.8M); q, k, v are the thirds of the fused c_attn, split as the LoRA paper's code does", Aliases: []string{"openai-community/gpt2-medium"},
		Arch: GPT2, Layers: 24, Hidden: 1024, Heads: 16, KVHeads: 16, HeadDim: 64, MLP: 4096, Vocab: 50257, TiedEmbeddings: true, Positions: 1024, QKVBias: true, OBias: true, MLPBias: true},
	{Name: "gpt2-large", Source: "openai-community/gpt2-large config.json (774.0M); q, k, v split from c_attn", Aliases: []string{"openai-community/gpt2-large"},
		Arch: GPT2, Layers: 36, Hidden: 1280, Heads: 20, KVHeads: 20, HeadDim: 64, MLP: 5120, Vocab: 50257, TiedEmbeddings: true, Positions: 1024, QKVBias: true, OBias: true, MLPBias: true},
	{Name: "gpt3-175b", Source: "Brown et al. 2020, Table 2.1 (96 layers, d_model 12288, 96 heads of 128, context 2048); GPT-2 layout and vocabulary assumed", Aliases: []string{"gpt-3"},
		Arch: GPT2, Layers: 96, Hidden: 12288, Heads: 96, KVHeads: 96, HeadDim: 128, MLP: 49152, Vocab: 50257, TiedEmbeddings: true, Positions: 2048, QKVBias: true, OBias: true, MLPBias: true},
	{Name: "llama-7b", Source: "LLaMA 7B (Touvron et al. 2023), huggyllama/llama-7b config.json", Aliases: []string{"huggyllama/llama-7b"},
		Arch: Llama, Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 32, HeadDim: 128, MLP: 11008, Vocab: 32000},
	{Name: "llama-2-7b", Source: "meta-llama/Llama-2-7b-hf config.json", Aliases: []string{"meta-llama/Llama-2-7b-hf"},
		Arch: Llama, Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 32, HeadDim: 128, MLP: 11008, Vocab: 32000},
	{Name: "llama-2-13b", Source: "meta-llama/Llama-2-13b-hf config.json", Aliases: []string{"meta-llama/Llama-2-13b-hf"},
		Arch: Llama, Layers: 40, Hidden: 5120, Heads: 40, KVHeads: 40, HeadDim: 128, MLP: 13824, Vocab: 32000},
	{Name: "llama-3-8b", Source: "meta-llama/Meta-Llama-3-8B config.json", Aliases: []string{"meta-llama/Meta-Llama-3-8B", "llama-3.1-8b"},
		Arch: Llama, Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 8, HeadDim: 128, MLP: 14336, Vocab: 128256},
	{Name: "llama-3.2-1b", Source: "meta-llama/Llama-3.2-1B config.json", Aliases: []string{"meta-llama/Llama-3.2-1B"},
		Arch: Llama, Layers: 16, Hidden: 2048, Heads: 32, KVHeads: 8, HeadDim: 64, MLP: 8192, Vocab: 128256, TiedEmbeddings: true},
	{Name: "llama-3.2-3b", Source: "meta-llama/Llama-3.2-3B config.json", Aliases: []string{"meta-llama/Llama-3.2-3B"},
		Arch: Llama, Layers: 28, Hidden: 3072, Heads: 24, KVHeads: 8, HeadDim: 128, MLP: 8192, Vocab: 128256, TiedEmbeddings: true},
	{Name: "mistral-7b", Source: "mistralai/Mistral-7B-v0.1 config.json", Aliases: []string{"mistralai/Mistral-7B-v0.1"},
		Arch: Llama, Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 8, HeadDim: 128, MLP: 14336, Vocab: 32000, SlidingWindow: 4096},
	{Name: "qwen2.5-0.5b", Source: "Qwen/Qwen2.5-0.5B config.json (q, k, v biases)", Aliases: []string{"Qwen/Qwen2.5-0.5B"},
		Arch: Llama, Layers: 24, Hidden: 896, Heads: 14, KVHeads: 2, HeadDim: 64, MLP: 4864, Vocab: 151936, TiedEmbeddings: true, QKVBias: true},
	{Name: "qwen2.5-1.5b", Source: "Qwen/Qwen2.5-1.5B config.json (q, k, v biases)", Aliases: []string{"Qwen/Qwen2.5-1.5B"},
		Arch: Llama, Layers: 28, Hidden: 1536, Heads: 12, KVHeads: 2, HeadDim: 128, MLP: 8960, Vocab: 151936, TiedEmbeddings: true, QKVBias: true},
}

// Models returns the built-in model shapes, in catalogue order (a copy).
func Models() []Model {
	out := make([]Model, len(catalogue))
	for i, m := range catalogue {
		m.Aliases = slices.Clone(m.Aliases)
		out[i] = m
	}
	return out
}

// ModelNames returns the names of the built-in models.
func ModelNames() []string {
	names := make([]string, len(catalogue))
	for i, m := range catalogue {
		names[i] = m.Name
	}
	return names
}

// LookupModel returns the built-in model called name (or one of its aliases,
// case-insensitively), or an error listing the models.
func LookupModel(name string) (Model, error) {
	for _, m := range Models() {
		if strings.EqualFold(m.Name, name) {
			return m, nil
		}
		for _, a := range m.Aliases {
			if strings.EqualFold(a, name) {
				return m, nil
			}
		}
	}
	return Model{}, fmt.Errorf("model %q: unknown; the models are: %s (or --config-file FILE)", name, strings.Join(ModelNames(), ", "))
}

// Limits of a model shape: generous for real models, small enough that every
// count fits in an int64 with room to spare.
const (
	MaxLayers = 1024
	MaxHidden = 1 << 18
	MaxHeads  = 1 << 12
	MaxMLP    = 1 << 20
	MaxVocab  = 1 << 24
	MaxTokens = 1 << 28 // batch × sequence length
)

// Validate checks the shape and returns a one-line error naming the field.
func (m Model) Validate() error {
	switch m.Arch {
	case Llama, GPT2, BERT:
	default:
		return fmt.Errorf("model %s: arch %q unknown; the archs are: llama, gpt2, bert", m.Name, m.Arch)
	}
	ints := []struct {
		name      string
		v, lo, hi int
	}{
		{"layers", m.Layers, 1, MaxLayers},
		{"hidden", m.Hidden, 1, MaxHidden},
		{"heads", m.Heads, 1, MaxHeads},
		{"kv-heads", m.KVHeads, 1, MaxHeads},
		{"head-dim", m.HeadDim, 1, MaxHidden},
		{"mlp", m.MLP, 1, MaxMLP},
		{"vocab", m.Vocab, 1, MaxVocab},
		{"positions", m.Positions, 0, MaxTokens},
		{"token-types", m.TokenTypes, 0, MaxVocab},
		{"sliding-window", m.SlidingWindow, 0, MaxTokens},
	}
	for _, x := range ints {
		if x.v < x.lo || x.v > x.hi {
			return fmt.Errorf("model %s: %s %d: must be between %d and %d", m.Name, x.name, x.v, x.lo, x.hi)
		}
	}
	if m.Heads%m.KVHeads != 0 {
		return fmt.Errorf("model %s: kv-heads %d: must divide heads (%d)", m.Name, m.KVHeads, m.Heads)
	}
	if m.Heads*m.HeadDim > MaxHidden {
		return fmt.Errorf("model %s: heads × head-dim = %d: must be at most %d", m.Name, m.Heads*m.HeadDim, MaxHidden)
	}
	return nil
}

// Gated reports whether the MLP is gated (gate, up, down) rather than plain (up, down).
func (m Model) Gated() bool { return m.Arch == Llama }

// HasLMHead reports whether the model ends in a vocabulary-sized LM head
// (decoders); BERT-like encoders are fine-tuned with a small task head instead.
func (m Model) HasLMHead() bool { return m.Arch != BERT }

// Linears returns one block's linear layers in order (every block has the same).
func (m Model) Linears() []Linear {
	h, q, kv, f := m.Hidden, m.Heads*m.HeadDim, m.KVHeads*m.HeadDim, m.MLP
	switch m.Arch {
	case Llama:
		return []Linear{
			{"q", "self_attn.q_proj", h, q, m.QKVBias},
			{"k", "self_attn.k_proj", h, kv, m.QKVBias},
			{"v", "self_attn.v_proj", h, kv, m.QKVBias},
			{"o", "self_attn.o_proj", q, h, m.OBias},
			{"gate", "mlp.gate_proj", h, f, m.MLPBias},
			{"up", "mlp.up_proj", h, f, m.MLPBias},
			{"down", "mlp.down_proj", f, h, m.MLPBias},
		}
	case GPT2:
		return []Linear{
			{"q", "attn.c_attn.q", h, q, m.QKVBias},
			{"k", "attn.c_attn.k", h, kv, m.QKVBias},
			{"v", "attn.c_attn.v", h, kv, m.QKVBias},
			{"o", "attn.c_proj", q, h, m.OBias},
			{"up", "mlp.c_fc", h, f, m.MLPBias},
			{"down", "mlp.c_proj", f, h, m.MLPBias},
		}
	default: // BERT
		return []Linear{
			{"q", "attention.self.query", h, q, m.QKVBias},
			{"k", "attention.self.key", h, kv, m.QKVBias},
			{"v", "attention.self.value", h, kv, m.QKVBias},
			{"o", "attention.output.dense", q, h, m.OBias},
			{"up", "intermediate.dense", h, f, m.MLPBias},
			{"down", "output.dense", f, h, m.MLPBias},
		}
	}
}

// Inputs of a block's linear layers: layers with the same input read one
// tensor (q, k and v read the first norm's output; gate and up the second
// norm's; o reads the attention output, which attention itself keeps).
const (
	inAttention = "attention input"  // q, k, v
	inAttnOut   = "attention output" // o
	inMLP       = "MLP input"        // gate, up (GPT-2, BERT: up)
	inMLPAct    = "MLP activation"   // down: act(gate)·up, or act(up)
)

// inputOf names the tensor the linear layer with this role reads.
func inputOf(role string) string {
	switch role {
	case "q", "k", "v":
		return inAttention
	case "o":
		return inAttnOut
	case "gate", "up":
		return inMLP
	case "down":
		return inMLPAct
	}
	return role // layers outside the blocks read their own input
}

// Roles returns the short names of one block's linear layers.
func (m Model) Roles() []string {
	var roles []string
	for _, l := range m.Linears() {
		roles = append(roles, l.Role)
	}
	return roles
}

// outsideLinears are the linear layers outside the blocks: an untied LM head
// (no bias) and BERT's pooler. They are frozen except under full fine-tuning.
func (m Model) outsideLinears() []Linear {
	var out []Linear
	if m.HasLMHead() && !m.TiedEmbeddings {
		out = append(out, Linear{"lm_head", "lm_head", m.Hidden, m.Vocab, false})
	}
	if m.Arch == BERT {
		out = append(out, Linear{"pooler", "pooler.dense", m.Hidden, m.Hidden, true})
	}
	return out
}

// normSize is the parameter count of one norm: RMSNorm has a weight,
// LayerNorm a weight and a bias.
func (m Model) normSize() int64 {
	if m.Arch == Llama {
		return int64(m.Hidden)
	}
	return 2 * int64(m.Hidden)
}

// otherParams counts the weights that are not in linear layers: the
// embedding tables (tokens, learned positions, token types) and every norm
// (two per block plus the final norm, or BERT's embedding norm).
func (m Model) otherParams() int64 {
	h := int64(m.Hidden)
	emb := int64(m.Vocab)*h + int64(m.Positions)*h + int64(m.TokenTypes)*h
	return emb + int64(2*m.Layers+1)*m.normSize()
}

// weights returns W plus the bias (if any) of l.
func (l Linear) weights() int64 {
	n := int64(l.DIn) * int64(l.DOut)
	if l.Bias {
		n += int64(l.DOut)
	}
	return n
}

// Params returns the base model's parameter count: every block's linear
// layers, the linear layers outside the blocks, embeddings and norms.
func (m Model) Params() int64 {
	var block int64
	for _, l := range m.Linears() {
		block += l.weights()
	}
	n := int64(m.Layers)*block + m.otherParams()
	for _, l := range m.outsideLinears() {
		n += l.weights()
	}
	return n
}

// ResolveTargets turns target names into roles of one block, in block order.
// A name is a role (q, k, v, o, gate, up, down), a module name (e.g.
// self_attn.q_proj, or its last part when unique, e.g. q_proj), or
// all-linear alone for every linear layer of the blocks.
func (m Model) ResolveTargets(names []string) ([]string, error) {
	linears := m.Linears()
	if len(names) == 0 {
		return nil, fmt.Errorf("targets: none given; the targets of %s are: %s", m.Name, m.targetHelp())
	}
	if slices.Contains(names, AllLinear) {
		if len(names) > 1 {
			return nil, fmt.Errorf("targets %s: %s already names every linear layer; give it alone", strings.Join(names, ","), AllLinear)
		}
		return m.Roles(), nil
	}
	chosen := map[string]bool{}
	for _, name := range names {
		role := m.roleOf(name, linears)
		if role == "" {
			return nil, fmt.Errorf("target %q: unknown for %s; the targets are: %s", name, m.Name, m.targetHelp())
		}
		if chosen[role] {
			return nil, fmt.Errorf("target %q: %s is listed twice", name, role)
		}
		chosen[role] = true
	}
	var roles []string
	for _, l := range linears {
		if chosen[l.Role] {
			roles = append(roles, l.Role)
		}
	}
	return roles, nil
}

func (m Model) roleOf(name string, linears []Linear) string {
	for _, l := range linears {
		if name == l.Role || name == l.Module {
			return l.Role
		}
	}
	match := ""
	for _, l := range linears {
		if last := l.Module[strings.LastIndexByte(l.Module, '.')+1:]; last == name {
			if match != "" {
				return "" // ambiguous, e.g. BERT's "dense"
			}
			match = l.Role
		}
	}
	return match
}

func (m Model) targetHelp() string {
	var mods []string
	for _, l := range m.Linears() {
		mods = append(mods, l.Module)
	}
	return strings.Join(m.Roles(), ", ") + ", " + AllLinear + " (or the module names " + strings.Join(mods, ", ") + ")"
}
