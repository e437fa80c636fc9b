package scale

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/loralab/loralab/lab"
)

// hfConfig is the part of a Hugging Face config.json the calculator reads.
// Pointers tell "absent" from zero.
type hfConfig struct {
	ModelType         string    `json:"model_type"`
	NameOrPath        string    `json:"_name_or_path"`
	HiddenSize        *int      `json:"hidden_size"`
	NumHiddenLayers   *int      `json:"num_hidden_layers"`
	NumAttentionHeads *int      `json:"num_attention_heads"`
	NumKeyValueHeads  *int      `json:"num_key_value_heads"`
	HeadDim           *int      `json:"head_dim"`
	IntermediateSize  *int      `json:"intermediate_size"`
	VocabSize         *int      `json:"vocab_size"`
	TieWordEmbeddings *bool     `json:"tie_word_embeddings"`
	AttentionBias     *bool     `json:"attention_bias"`
	MLPBias           *bool     `json:"mlp_bias"`
	MaxPositions      *int      `json:"max_position_embeddings"`
	TypeVocabSize     *int      `json:"type_vocab_size"`
	NEmbd             *int      `json:"n_embd"` // GPT-2's names
	NLayer            *int      `json:"n_layer"`
	NHead             *int      `json:"n_head"`
	NInner            *int      `json:"n_inner"`
	NPositions        *int      `json:"n_positions"`
	SlidingWindow     *int      `json:"sliding_window"`
	UseSlidingWindow  *bool     `json:"use_sliding_window"` // Qwen2: false leaves sliding_window unused
	NumLocalExperts   *int      `json:"num_local_experts"`  // mixture of experts (Mixtral)
	NumExperts        *int      `json:"num_experts"`        // (Qwen2-MoE, Qwen3-MoE)
	NRoutedExperts    *int      `json:"n_routed_experts"`   // (DeepSeek)
	TextConfig        *hfConfig `json:"text_config"`        // multimodal configs nest the language model
}

// A config.json is a few KiB; MaxConfigBytes bounds what LoadConfigFile
// reads, so /dev/zero or a huge file is refused instead of read until the
// process dies.
const MaxConfigBytes = 1 << 20

// LoadConfigFile reads a Hugging Face config.json (a regular file of at
// most MaxConfigBytes); see ParseConfig.
func LoadConfigFile(path string) (Model, error) {
	data, err := lab.ReadSmallFile(path, MaxConfigBytes)
	if err != nil {
		return Model{}, fmt.Errorf("config file %s: %v", lab.Printable(path, false), err)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if name == "config" {
		name = filepath.Base(filepath.Dir(path))
	}
	m, err := ParseConfig(data, name)
	if err != nil {
		return Model{}, fmt.Errorf("config file %s: %w", lab.Printable(path, false), err)
	}
	return m, nil
}

// ParseConfig reads a model shape from the text of a Hugging Face
// config.json: hidden_size, num_hidden_layers, num_attention_heads,
// num_key_value_heads (default: heads), head_dim (default: hidden/heads),
// intermediate_size, vocab_size, tie_word_embeddings and sliding_window
// (unless use_sliding_window is false). model_type gpt2
// (n_embd, n_layer, ...) and bert/roberta-like configs get those layouts;
// every other model_type is read as Llama-style (gated MLP, RMSNorm, rotary,
// biases only where attention_bias / mlp_bias say, or q/k/v for qwen2).
// fallbackName names the model when the config has no _name_or_path. A
// mixture-of-experts config (num_local_experts, num_experts or
// n_routed_experts above 1) is refused with one line.
func ParseConfig(data []byte, fallbackName string) (Model, error) {
	var c hfConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		return Model{}, fmt.Errorf("not valid config.json: %v", err)
	}
	if dec.More() {
		return Model{}, errors.New("not valid config.json: text after the JSON object")
	}
	if c.HiddenSize == nil && c.NEmbd == nil && c.TextConfig != nil {
		inner := *c.TextConfig
		if inner.NameOrPath == "" {
			inner.NameOrPath = c.NameOrPath
		}
		c = inner
	}
	for _, e := range []struct {
		key string
		v   *int
	}{{"num_local_experts", c.NumLocalExperts}, {"num_experts", c.NumExperts}, {"n_routed_experts", c.NRoutedExperts}} {
		if e.v != nil && *e.v > 1 {
			return Model{}, fmt.Errorf("%s %d: a mixture-of-experts model; the calculator counts dense models only (its MLP, parameters and activations would be wrong)", e.key, *e.v)
		}
	}
	name := fallbackName
	if c.NameOrPath != "" {
		name = c.NameOrPath
	}
	if name == "" {
		name = "config"
	}
	name = lab.Printable(name, false) // text from a file: no control character reaches the terminal
	m := Model{Name: name}
	get := func(key string, vals ...*int) (int, error) {
		for _, v := range vals {
			if v != nil {
				if *v < 1 {
					return 0, fmt.Errorf("%s %d: must be at least 1", key, *v)
				}
				return *v, nil
			}
		}
		return 0, fmt.Errorf("missing %s", key)
	}
	var err error
	mt := strings.ToLower(lab.Printable(c.ModelType, false))
	switch {
	case mt == "gpt2":
		m.Arch, m.QKVBias, m.OBias, m.MLPBias = GPT2, true, true, true
		if m.Hidden, err = get("n_embd", c.NEmbd, c.HiddenSize); err != nil {
			return Model{}, err
		}
		if m.Layers, err = get("n_layer", c.NLayer, c.NumHiddenLayers); err != nil {
			return Model{}, err
		}
		if m.Heads, err = get("n_head", c.NHead, c.NumAttentionHeads); err != nil {
			return Model{}, err
		}
		four := 4 * m.Hidden
		if m.MLP, err = get("n_inner", c.NInner, c.IntermediateSize, &four); err != nil {
			return Model{}, err
		}
		if m.Positions, err = get("n_positions", c.NPositions, c.MaxPositions); err != nil {
			return Model{}, err
		}
		m.TiedEmbeddings = c.TieWordEmbeddings == nil || *c.TieWordEmbeddings
		m.Source = "config.json (model_type gpt2)"
	case mt == "bert" || strings.Contains(mt, "roberta") || mt == "camembert":
		m.Arch, m.QKVBias, m.OBias, m.MLPBias, m.TiedEmbeddings = BERT, true, true, true, true
		if m.Positions, err = get("max_position_embeddings", c.MaxPositions); err != nil {
			return Model{}, err
		}
		if c.TypeVocabSize != nil {
			if *c.TypeVocabSize < 0 {
				return Model{}, fmt.Errorf("type_vocab_size %d: must be at least 0", *c.TypeVocabSize)
			}
			m.TokenTypes = *c.TypeVocabSize
		}
		m.Source = "config.json (model_type " + mt + ", read as BERT-like)"
	default:
		m.Arch = Llama
		m.TiedEmbeddings = c.TieWordEmbeddings != nil && *c.TieWordEmbeddings
		if c.AttentionBias != nil && *c.AttentionBias {
			m.QKVBias, m.OBias = true, true
		}
		if mt == "qwen2" {
			m.QKVBias = true
		}
		if c.MLPBias != nil && *c.MLPBias {
			m.MLPBias = true
		}
		if c.SlidingWindow != nil && *c.SlidingWindow > 0 && (c.UseSlidingWindow == nil || *c.UseSlidingWindow) {
			m.SlidingWindow = *c.SlidingWindow
		}
		kind := mt
		if kind == "" {
			kind = "not given"
		}
		m.Source = "config.json (model_type " + kind + ", read as Llama-style: gated MLP, RMSNorm, rotary positions"
		if c.TieWordEmbeddings == nil {
			m.Source += ", tie_word_embeddings absent: untied"
		}
		m.Source += ")"
	}
	if m.Arch != GPT2 {
		if m.Hidden, err = get("hidden_size", c.HiddenSize); err != nil {
			return Model{}, err
		}
		if m.Layers, err = get("num_hidden_layers", c.NumHiddenLayers); err != nil {
			return Model{}, err
		}
		if m.Heads, err = get("num_attention_heads", c.NumAttentionHeads); err != nil {
			return Model{}, err
		}
		if m.MLP, err = get("intermediate_size", c.IntermediateSize); err != nil {
			return Model{}, err
		}
	}
	if m.Vocab, err = get("vocab_size", c.VocabSize); err != nil {
		return Model{}, err
	}
	if m.KVHeads, err = get("num_key_value_heads", c.NumKeyValueHeads, &m.Heads); err != nil {
		return Model{}, err
	}
	if c.HeadDim != nil {
		if m.HeadDim, err = get("head_dim", c.HeadDim); err != nil {
			return Model{}, err
		}
	} else {
		if m.Hidden%m.Heads != 0 {
			return Model{}, fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d: give head_dim", m.Hidden, m.Heads)
		}
		m.HeadDim = m.Hidden / m.Heads
	}
	if err := m.Validate(); err != nil {
		return Model{}, err
	}
	return m, nil
}
