package scale_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab/scale"
)

// shapeOf drops the descriptive fields, keeping what the numbers depend on.
func shapeOf(m scale.Model) scale.Model {
	m.Name, m.Source, m.Aliases = "", "", nil
	return m
}

// TestMemoryConfigFiles reads real Hugging Face config.json files and gets
// the catalogue's shapes back.
func TestMemoryConfigFiles(t *testing.T) {
	for file, name := range map[string]string{
		"llama-2-7b.json":   "llama-2-7b",
		"llama-3.2-1b.json": "llama-3.2-1b",
		"mistral-7b.json":   "mistral-7b",
		"roberta-base.json": "roberta-base",
		"gpt2-medium.json":  "gpt2-medium",
	} {
		got, err := scale.LoadConfigFile(filepath.Join("testdata", file))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		want, _ := scale.LookupModel(name)
		if !reflect.DeepEqual(shapeOf(got), shapeOf(want)) {
			t.Errorf("%s:\n got %+v\nwant %+v", file, shapeOf(got), shapeOf(want))
		}
		if got.Params() != want.Params() {
			t.Errorf("%s: %d parameters, want %d", file, got.Params(), want.Params())
		}
	}
	m, _ := scale.LoadConfigFile(filepath.Join("testdata", "llama-2-7b.json"))
	if m.Name != "meta-llama/Llama-2-7b-hf" {
		t.Errorf("name %q, want the config's _name_or_path", m.Name)
	}
}

// TestMemoryConfigVariants: defaults, biases and nesting.
func TestMemoryConfigVariants(t *testing.T) {
	parse := func(s string) scale.Model {
		t.Helper()
		m, err := scale.ParseConfig([]byte(s), "x")
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return m
	}
	m := parse(`{"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}`)
	if m.KVHeads != 4 || m.HeadDim != 16 || m.TiedEmbeddings || m.Arch != scale.Llama || m.Name != "x" {
		t.Errorf("defaults: %+v", m)
	}
	if !strings.Contains(m.Source, "tie_word_embeddings absent") {
		t.Errorf("source does not say tie_word_embeddings was absent: %q", m.Source)
	}
	q := parse(`{"model_type": "qwen2", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100, "tie_word_embeddings": true}`)
	if !q.QKVBias || q.OBias || q.MLPBias || !q.TiedEmbeddings || q.KVHeads != 2 {
		t.Errorf("qwen2: %+v", q)
	}
	if q.SlidingWindow != 0 {
		t.Errorf("qwen2 without use_sliding_window: window %d", q.SlidingWindow)
	}
	qs := parse(`{"model_type": "qwen2", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "sliding_window": 32, "use_sliding_window": false}`)
	ms := parse(`{"model_type": "mistral", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "sliding_window": 32}`)
	if qs.SlidingWindow != 0 || ms.SlidingWindow != 32 {
		t.Errorf("sliding windows: qwen2 with use_sliding_window false %d, mistral %d", qs.SlidingWindow, ms.SlidingWindow)
	}
	n := parse(`{"model_type": "llava", "text_config": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "head_dim": 32}}`)
	if n.Hidden != 64 || n.HeadDim != 32 {
		t.Errorf("nested text_config: %+v", n)
	}
}

// TestMemoryConfigErrors: malformed files give one-line errors.
func TestMemoryConfigErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`{"hidden_size": 64,`, "not valid config.json"},
		{`[1, 2]`, "not valid config.json"},
		{`{} {}`, "text after the JSON object"},
		{`{"hidden_size": "big"}`, "not valid config.json"},
		{`{"num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}`, "missing hidden_size"},
		{`{"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128}`, "missing vocab_size"},
		{`{"hidden_size": 0, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}`, "hidden_size 0: must be at least 1"},
		{`{"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 5, "intermediate_size": 128, "vocab_size": 100}`, "not a multiple of num_attention_heads 5"},
		{`{"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3, "intermediate_size": 128, "vocab_size": 100}`, "kv-heads 3: must divide heads (4)"},
		{`{"model_type": "gpt2", "n_embd": 64, "n_head": 4, "vocab_size": 100, "n_positions": 32}`, "missing n_layer"},
		{`{"model_type": "mixtral", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "num_local_experts": 8}`, "num_local_experts 8: a mixture-of-experts model; the calculator counts dense models only"},
		{`{"model_type": "qwen2_moe", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "num_experts": 60}`, "num_experts 60: a mixture-of-experts"},
		{`{"model_type": "deepseek_v3", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "n_routed_experts": 256}`, "n_routed_experts 256"},
	} {
		_, err := scale.ParseConfig([]byte(c.text), "x")
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.text, err, c.want)
		}
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "config.json")
	if err := os.WriteFile(bad, []byte("{\n  \"hidden_size\": 64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := scale.LoadConfigFile(bad); err == nil || !strings.Contains(err.Error(), "config file "+bad+": not valid config.json") || strings.Contains(err.Error(), "\n") {
		t.Errorf("truncated file: %v", err)
	}
	if _, err := scale.LoadConfigFile(filepath.Join(dir, "nope.json")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}
