package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab/scale"
	"github.com/rogpeppe/go-internal/testscript"
)

// memory runs `loralab memory args...` and returns stdout, stderr and the status.
func memory(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := runMemory(args, &out, &errb)
	return out.String(), errb.String(), code
}

func mustMemory(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := memory(args...)
	if code != 0 || errs != "" {
		t.Fatalf("loralab memory %s: exit %d, stderr %q", strings.Join(args, " "), code, errs)
	}
	return out
}

func TestMemoryTableOne(t *testing.T) {
	out := mustMemory(t, "--model", "llama-2-7b", "--method", "lora", "--rank", "8", "--targets", "q,v")
	for _, want := range []string{
		"LoRA on llama-2-7b: rank 8, α 8, targets q,v (64 adapted layers)",
		"trainable parameters: 4,194,304 = 0.06224 % of 6,738,415,616",
		"batch 1 × seq 512 = 512 tokens · base bf16 · adapters fp32 · compute bf16 · adamw · checkpointing off",
		"frozen base weights", "12.6 GiB", "optimizer state", "8,388,608", "32.0 MiB", "activations: method", "total",
		"assumptions:", "gradient checkpointing off",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The breakdown's columns are aligned: its rows (header to total) have one width.
	lines := strings.Split(out, "\n")
	start, width := -1, 0
	for i, l := range lines {
		if strings.HasPrefix(l, "part ") {
			start, width = i, len([]rune(l))
		}
		if start >= 0 && i > start && len([]rune(l)) != width {
			t.Errorf("row %q is %d wide, header %d", l, len([]rune(l)), width)
		}
		if start >= 0 && strings.HasPrefix(l, "total") {
			break
		}
	}
	if start < 0 {
		t.Fatalf("no breakdown table:\n%s", out)
	}
}

func TestMemoryVeRASaysWhatIsExcluded(t *testing.T) {
	out := mustMemory(t, "--model", "roberta-large", "--method", "vera", "--rank", "256")
	for _, want := range []string{"trainable parameters: 61,440", "(excludes 524,288 frozen adapter numbers; with them 585,728)", "frozen adapter matrices"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestMemoryJSON(t *testing.T) {
	out := mustMemory(t, "--model", "roberta-base", "--json")
	var r scale.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if r.Params.Trainable != 294_912 || r.Method != "lora" || r.Rank != 8 || r.Model.Name != "roberta-base" {
		t.Errorf("report %+v", r.Params)
	}
	b := r.Bytes
	if b.FrozenBase+b.FrozenAdapter+b.Trainable+b.Gradients+b.Optimizer+b.Other+b.ActivationsNetwork+b.ActivationsMethod != b.Total {
		t.Errorf("bytes do not add up: %+v", b)
	}
	for _, key := range []string{`"trainable_percent"`, `"frozen_adapter"`, `"activations_method"`, `"adapter_dtype"`, `"assumptions"`, `"kv_heads"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	if !strings.Contains(out, "\n  \"model\"") {
		t.Errorf("JSON not indented:\n%.200s", out)
	}
}

func TestMemoryCompare(t *testing.T) {
	out := mustMemory(t, "--model", "roberta-large", "--methods", "lora,lora-fa,vera:256,full", "--targets", "q,v")
	var header, trainable string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "LoRA-FA") && header == "" {
			header = l
		}
		if strings.HasPrefix(l, "trainable parameters") {
			trainable = l
		}
	}
	if got := strings.Join(strings.Fields(header), " "); got != "LoRA LoRA-FA VeRA Full FT" {
		t.Errorf("header %q, want the methods' titles in order", header)
	}
	if f := strings.Fields(trainable); len(f) != 6 || f[2] != "786,432" || f[3] != "393,216" || f[4] != "61,440" || f[5] != "355,359,744" {
		t.Errorf("trainable row %q", trainable)
	}
	js := mustMemory(t, "--model", "roberta-large", "--methods", "lora,vera:256", "--json")
	var rs []scale.Report
	if err := json.Unmarshal([]byte(js), &rs); err != nil || len(rs) != 2 || rs[0].Rank != 8 || rs[1].Rank != 256 {
		t.Fatalf("--methods --json: %v %+v", err, rs)
	}
}

func TestMemoryVary(t *testing.T) {
	js := mustMemory(t, "--model", "llama-2-7b", "--vary", "rank=1,8,64,256", "--json")
	var rs []scale.Report
	if err := json.Unmarshal([]byte(js), &rs); err != nil || len(rs) != 4 {
		t.Fatalf("%v: %d reports", err, len(rs))
	}
	for i, r := range []int{1, 8, 64, 256} {
		if rs[i].Rank != r || rs[i].Params.Trainable != int64(r)*rs[0].Params.Trainable {
			t.Errorf("row %d: rank %d trainable %d", i, rs[i].Rank, rs[i].Params.Trainable)
		}
	}
	out := mustMemory(t, "--model", "llama-2-7b", "--methods", "lora,vera", "--vary", "rank=1,8,64,256")
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) > 2 && (f[1] == "LoRA" || f[1] == "VeRA") {
			if _, err := strconv.Atoi(f[0]); err == nil {
				rows++
			}
		}
	}
	if rows != 8 || !strings.Contains(out, "against rank") {
		t.Errorf("want 8 rows (4 ranks × 2 methods), got %d:\n%s", rows, out)
	}
	out = mustMemory(t, "--model", "llama-2-7b", "--vary", "seq=512,1024", "--checkpointing")
	var seqs []string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[1] == "LoRA" {
			seqs = append(seqs, f[0])
		}
	}
	if strings.Join(seqs, ",") != "512,1024" {
		t.Errorf("seq rows %v, want 512,1024:\n%s", seqs, out)
	}
}

func TestMemoryHelp(t *testing.T) {
	for _, h := range []string{"-h", "--help"} {
		out, errs, code := memory(h)
		if code != 0 || errs != "" || !strings.Contains(out, "usage: loralab memory") || !strings.Contains(out, "--targets") {
			t.Errorf("%s: exit %d, stderr %q, stdout %.80q", h, code, errs, out)
		}
	}
}

func TestMemoryListModels(t *testing.T) {
	out := mustMemory(t, "--list-models")
	for _, name := range scale.ModelNames() {
		if !strings.Contains(out, name) {
			t.Errorf("list lacks %s", name)
		}
	}
	if !strings.Contains(out, "6,738,415,616") {
		t.Errorf("list lacks llama-2-7b's parameter count")
	}
	var ms []struct {
		Name   string `json:"name"`
		Params int64  `json:"params"`
		Linear []any  `json:"linear"`
	}
	if err := json.Unmarshal([]byte(mustMemory(t, "--list-models", "--json")), &ms); err != nil || len(ms) != len(scale.ModelNames()) || ms[0].Params == 0 || len(ms[0].Linear) == 0 {
		t.Errorf("--list-models --json: %v %+v", err, ms)
	}
}

func TestMemoryConfigFileAndCustomShapes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	text := `{"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
	"num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256, "tie_word_embeddings": false}`
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var r scale.Report
	if err := json.Unmarshal([]byte(mustMemory(t, "--config-file", cfg, "--json")), &r); err != nil {
		t.Fatal(err)
	}
	if r.Params.Trainable != 3_407_872 || r.Params.Model != 8_030_261_248 {
		t.Errorf("config.json of Llama-3-8B: trainable %d of %d", r.Params.Trainable, r.Params.Model)
	}
	// A custom Llama-style shape: 2 blocks, q and v 64 → 64, r = 8.
	if err := json.Unmarshal([]byte(mustMemory(t, "--layers", "2", "--hidden", "64", "--heads", "4", "--mlp", "128", "--vocab", "100", "--json")), &r); err != nil {
		t.Fatal(err)
	}
	if r.Params.Trainable != 2*2*8*(64+64) || r.Model.HeadDim != 16 || r.Model.KVHeads != 4 {
		t.Errorf("custom shape: trainable %d, %+v", r.Params.Trainable, r.Model)
	}
	// Flags override a built-in shape.
	if err := json.Unmarshal([]byte(mustMemory(t, "--model", "llama-2-7b", "--layers", "2", "--json")), &r); err != nil {
		t.Fatal(err)
	}
	if r.Params.Trainable != 2*2*8*(4096+4096) || r.Model.Name != "llama-2-7b*" {
		t.Errorf("llama-2-7b with 2 layers: trainable %d, name %q", r.Params.Trainable, r.Model.Name)
	}
}

// TestMemoryBadInput: one line on stderr naming the value and what is allowed, exit 2, nothing on stdout.
func TestMemoryBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "config.json")
	if err := os.WriteFile(bad, []byte(`{"hidden_size": 4096, "num_hidden_layers": `), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	if err := os.WriteFile(missing, []byte(`{"hidden_size": 4096}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--model", "llama-9b"}, `model "llama-9b": unknown; the models are: roberta-base, roberta-large, gpt2-medium`},
		{[]string{}, "--model is required; the models are: roberta-base"},
		{[]string{"--model", "llama-3-8b", "--rank", "1025"}, "rank 1025: must be between 1 and 1024 (the smallest layer dimension) for lora"},
		{[]string{"--model", "roberta-base", "--method", "lora-fa", "--rank", "769"}, "rank 769: must be between 1 and 768"},
		{[]string{"--model", "llama-2-7b", "--method", "vera", "--rank", "5000"}, "rank 5000: must be between 1 and 4096 for vera"},
		{[]string{"--model", "llama-2-7b", "--targets", "q,x"}, `target "x": unknown for llama-2-7b; the targets are: q, k, v, o, gate, up, down, all-linear`},
		{[]string{"--model", "gpt2-medium", "--targets", "gate"}, `target "gate": unknown for gpt2-medium`},
		{[]string{"--config-file", bad}, "config file " + bad + ": not valid config.json"},
		{[]string{"--config-file", missing}, "config file " + missing + ": missing num_hidden_layers"},
		{[]string{"--config-file", filepath.Join(dir, "nope.json")}, "no such file or directory"},
		{[]string{"--model", "llama-2-7b", "--config-file", bad}, "--model and --config-file: choose one"},
		{[]string{"--model", "llama-2-7b", "--method", "nope"}, `method "nope": unknown; the methods are: lora, lora-fa, vera, delta-lora, lora-plus, dora, pissa, full`},
		{[]string{"--model", "llama-2-7b", "--method", "lora", "--methods", "vera"}, "--method and --methods: choose one"},
		{[]string{"--model", "llama-2-7b", "--methods", "lora,lora"}, `method "lora" listed twice`},
		{[]string{"--model", "llama-2-7b", "--methods", "vera:big"}, `rank "big" is not a whole number`},
		{[]string{"--model", "llama-2-7b", "--dtype", "fp8"}, `dtype "fp8": unknown; the dtypes are: fp32, bf16, fp16, int8, 4bit`},
		{[]string{"--model", "llama-2-7b", "--adapter-dtype", "4bit"}, "adapter-dtype 4bit: adapters train, so they need fp32, bf16 or fp16"},
		{[]string{"--model", "llama-2-7b", "--method", "full", "--dtype", "int8"}, "dtype int8: full trains the base weights"},
		{[]string{"--model", "llama-2-7b", "--optimizer", "sgd"}, `optimizer "sgd": unknown; the optimizers are: adamw, adamw-8bit`},
		{[]string{"--model", "llama-2-7b", "--vary", "lr=1,2"}, `setting "lr" cannot vary; the settings are: rank, batch, seq`},
		{[]string{"--model", "llama-2-7b", "--vary", "rank"}, "want SETTING=V1,V2,..."},
		{[]string{"--model", "llama-2-7b", "--vary", "rank=8,x"}, `vary rank: "x" is not a whole number`},
		{[]string{"--model", "llama-2-7b", "--batch", "0"}, "batch 0: must be between 1 and"},
		{[]string{"--model", "roberta-base", "--seq", "2048"}, "seq 2048: must be at most 514 for roberta-base"},
		{[]string{"--model", "llama-2-7b", "--alpha", "-1"}, "alpha -1: must be a finite number above 0"},
		{[]string{"--model", "llama-2-7b", "--kv-heads", "5"}, "kv-heads 5: must divide heads (32)"},
		{[]string{"--layers", "2", "--hidden", "64"}, "custom shape: --heads is missing"},
		{[]string{"--model", "llama-2-7b", "--frobnicate"}, "flag provided but not defined: -frobnicate"},
		{[]string{"--model", "llama-2-7b", "extra"}, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		out, errs, code := memory(c.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", c.args, code, out)
		}
		if !strings.HasPrefix(errs, "loralab memory: ") || strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
			t.Errorf("%v: stderr %q is not one line starting with \"loralab memory: \"", c.args, errs)
		}
		if !strings.Contains(errs, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errs, c.want)
		}
	}
	// VeRA's rank may exceed the layers' size.
	mustMemory(t, "--model", "roberta-base", "--method", "vera", "--rank", "2048")
}

// TestMemoryScripts runs testdata/memory/*.txtar through the real command line.
func TestMemoryScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/memory"})
}
