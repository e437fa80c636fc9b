package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
	"github.com/loralab/loralab/ui/text"
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
		{[]string{"--model", "llama-2-7b", "--alpha", "-1"}, "alpha -1: must be above 0 and at most 10000"},
		{[]string{"--model", "llama-2-7b", "--kv-heads", "5"}, "kv-heads 5: must divide heads (32)"},
		{[]string{"--layers", "2", "--hidden", "64"}, "custom shape: --heads is missing"},
		{[]string{"--model", "llama-2-7b", "--frobnicate"}, "flag provided but not defined: --frobnicate"},
		{[]string{"--model", "llama-2-7b", "extra"}, `unexpected argument "extra"`},
		{[]string{"--model", "llama-2-7b", "--gpu", "rtx-5090"}, `gpu "rtx-5090": unknown; give a card (t4, l4, rtx-4090`},
		{[]string{"--model", "llama-2-7b", "--gpu", "0GB"}, "gpu 0GB: must be more than the 578 MiB"},
		{[]string{"--model", "llama-2-7b", "--gpu", "24"}, `gpu "24": give a unit (e.g. 24GB)`},
		{[]string{"--model", "llama-2-7b", "--gpu", ""}, `gpu "": unknown`},
		{[]string{"--model", "llama-2-7b", "--solve", "seq"}, "--solve seq needs --gpu: a card (t4, l4"},
		{[]string{"--model", "llama-2-7b", "--gpu", "h100", "--solve", "rank"}, `solve "rank": unknown; solve seq or batch`},
		{[]string{"--model", "llama-2-7b", "--gpu", "h100", "--solve", "seq", "--vary", "seq=512,1024"}, "--solve seq and --vary seq: choose one"},
		{[]string{"--model", "llama-2-7b", "--method", "full", "--gpu", "t4", "--solve", "seq"}, "solve seq: nothing fits on t4 (14.2 GiB usable): at seq 1 the smallest peak is"},
		{[]string{"--model", "llama-2-7b", "--methods", "full,lora", "--gpu", "8GB", "--solve", "batch"}, "solve batch: nothing fits on 8GB (7.4 GiB usable)"},
		{[]string{"--model", "llama-2-7b", "--master-weights", "--dtype", "4bit"}, "master-weights: a quantised base"},
		{[]string{"--model", "llama-2-7b", "--kbit-prepare"}, "kbit-prepare: PEFT's prepare_model_for_kbit_training is for a quantised base"},
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

// memoryResultJSON is one estimate as --json writes it with --gpu and --solve.
type memoryResultJSON struct {
	scale.Report
	Fit   *scale.Fit      `json:"fit"`
	Solve *scale.Solution `json:"solve"`
}

func memoryJSONOf(t *testing.T, args ...string) memoryResultJSON {
	t.Helper()
	var r memoryResultJSON
	if err := json.Unmarshal([]byte(mustMemory(t, append(args, "--json")...)), &r); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return r
}

// TestMemoryPeakRows: the tables show resting and peak, the peak's terms
// by name, what the peak was checked against, and the JSON has them.
func TestMemoryPeakRows(t *testing.T) {
	args := []string{"--model", "llama-3.2-3b", "--method", "lora", "--rank", "32", "--batch", "4", "--seq", "768"}
	r := memoryJSONOf(t, args...)
	out := mustMemory(t, args...)
	for _, want := range []string{
		"resting (between steps)", "peak at: loss backward",
		"loss backward: fp32 gradients of the log-softmax's output and input (2·N·vocab·4)",
		"checked: peak checked against", "assumptions:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^peak +`+regexp.QuoteMeta(text.Bytes(r.Bytes.Peak))+`$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^resting \(between steps\) +`+regexp.QuoteMeta(text.Bytes(r.Bytes.Resting))+`$`).MatchString(out) {
		t.Errorf("no peak row of %s or resting row of %s:\n%s", text.Bytes(r.Bytes.Peak), text.Bytes(r.Bytes.Resting), out)
	}
	// The checked-against line comes before the assumptions, as the report says it.
	if i, j := strings.Index(out, "checked: "), strings.Index(out, "assumptions:"); i < 0 || j < i {
		t.Errorf("checked line at %d, assumptions at %d", i, j)
	}
	if r.PeakAt != scale.AtLossBackward || len(r.PeakTerms) != 3 || r.Checked != scale.Calibration.String() || r.Fit != nil || r.Solve != nil {
		t.Errorf("JSON: peak at %q, %d terms, checked %q, fit %v, solve %v", r.PeakAt, len(r.PeakTerms), r.Checked, r.Fit, r.Solve)
	}
	// An encoder is not measured, and says so.
	if out := mustMemory(t, "--model", "roberta-base"); !strings.Contains(out, "checked: not measured: bert-style blocks") {
		t.Errorf("roberta-base lacks the not-measured line:\n%s", out)
	}
	// Side by side: a peak row, one row per kind of peak term, the moment.
	out = mustMemory(t, "--model", "llama-3.2-3b", "--methods", "lora,full", "--batch", "1", "--seq", "512")
	for _, want := range []string{"\npeak ", "\n  + activations kept ", "\n  + gradients ", "\n  + AdamW's temporary ", "peak at: LoRA: loss backward; Full FT: optimizer step"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare lacks %q:\n%s", want, out)
		}
	}
	out = mustMemory(t, "--model", "llama-3.2-1b", "--vary", "seq=512,1024")
	if !strings.Contains(out, " peak") {
		t.Errorf("vary table lacks a peak column:\n%s", out)
	}
}

// TestMemoryFitBoundaries: a GPU sized to the byte around a peak flips the
// verdict exactly where scale says: usable = the size less the headroom.
func TestMemoryFitBoundaries(t *testing.T) {
	args := []string{"--model", "llama-3.2-1b", "--method", "lora"}
	p := memoryJSONOf(t, args...).Bytes.Peak
	size := func(usable int64) string { return strconv.FormatInt(usable+scale.Headroom, 10) + "B" }
	for _, c := range []struct {
		usable int64
		want   scale.Verdict
	}{
		{p - 1, scale.DoesNotFit},
		{p, scale.Tight},
		{(p*12+9)/10 - 1, scale.Tight},
		{(p*12 + 9) / 10, scale.Fits},
	} {
		r := memoryJSONOf(t, append(args, "--gpu", size(c.usable))...)
		if r.Fit == nil || r.Fit.Verdict != c.want || r.Fit.Usable != c.usable || r.Fit.Peak != p {
			t.Errorf("usable %d for a peak of %d: %+v, want %s", c.usable, p, r.Fit, c.want)
		}
		out := mustMemory(t, append(args, "--gpu", size(c.usable))...)
		if !strings.Contains(out, "usable): "+string(c.want)+",") {
			t.Errorf("usable %d: the table does not say %q:\n%s", c.usable, c.want, out)
		}
	}
	// Named cards; side by side, one verdict per method.
	out := mustMemory(t, "--model", "llama-2-7b", "--methods", "lora,full", "--gpu", "rtx-4090")
	if !regexp.MustCompile(`(?m)^on rtx-4090 \(23\.1 GiB usable\) +fits +does not fit$`).MatchString(out) {
		t.Errorf("no verdict row for lora (fits) and full (does not fit):\n%s", out)
	}
	if i := strings.Index(out, "\n  - fit on NVIDIA GeForce RTX 4090 (24 GB): 23.64 GiB as PyTorch sees it"); i < 0 || i != strings.LastIndex(out, "\n  - ") {
		t.Errorf("the fit assumption is not the last:\n%s", out)
	}
}

// TestMemorySolve: the solved value is checked against Estimate directly:
// it fits and the next value (after the rounding) does not.
func TestMemorySolve(t *testing.T) {
	model, _ := scale.LookupModel("llama-3.2-1b")
	lora, _ := catalog.Method("lora")
	g, _ := scale.ParseGPU("rtx-4090")
	verdict := func(batch, seq int) scale.Verdict {
		o := scale.DefaultOptions()
		o.Batch, o.Seq, o.Targets = batch, seq, []string{"q", "k", "v", "o"}
		r, err := scale.Estimate(model, lora, o)
		if err != nil {
			t.Fatal(err)
		}
		return scale.CheckFit(r.Bytes.Peak, g).Verdict
	}
	r := memoryJSONOf(t, "--model", "llama-3.2-1b", "--targets", "q,k,v,o", "--batch", "2", "--gpu", "rtx-4090", "--solve", "seq")
	s := r.Solve
	if s == nil || s.Setting != scale.SolveSeq || s.Fits%scale.SeqStep != 0 || verdict(2, s.Fits) != scale.Fits || verdict(2, s.Fits+scale.SeqStep) == scale.Fits {
		t.Fatalf("solve seq: %+v; verdict at it %s, %d later %s", s, verdict(2, s.Fits), scale.SeqStep, verdict(2, s.Fits+scale.SeqStep))
	}
	r = memoryJSONOf(t, "--model", "llama-3.2-1b", "--targets", "q,k,v,o", "--seq", "1024", "--gpu", "rtx-4090", "--solve", "batch")
	b := r.Solve
	if b == nil || verdict(b.Fits, 1024) != scale.Fits || verdict(b.Fits+1, 1024) == scale.Fits || verdict(b.Tight+1, 1024) != scale.DoesNotFit {
		t.Fatalf("solve batch: %+v", b)
	}
	out := mustMemory(t, "--model", "llama-3.2-1b", "--targets", "q,k,v,o", "--batch", "2", "--gpu", "rtx-4090", "--solve", "seq")
	if want := "largest seq that fits: " + text.Count(int64(s.Fits)) + " (peak "; !strings.Contains(out, want) || !strings.Contains(out, "rounded down to a multiple of 64") {
		t.Errorf("output lacks %q and the rounding:\n%s", want, out)
	}
	// Side by side: one value per method; a method with none says so.
	out = mustMemory(t, "--model", "llama-2-7b", "--methods", "lora,full", "--gpu", "rtx-4090", "--solve", "batch")
	if !regexp.MustCompile(`(?m)^largest batch that fits +[0-9,]+ +none$`).MatchString(out) {
		t.Errorf("no solve row with a batch for lora and none for full:\n%s", out)
	}
}

// TestMemorySettingsTable: the method flags are the settings table's rows:
// each method's own options change its formula; training settings are not
// memory flags; a method without --rank gets its own default rank.
func TestMemorySettingsTable(t *testing.T) {
	plain := memoryJSONOf(t, "--model", "llama-2-7b", "--method", "lora-fa")
	projected := memoryJSONOf(t, "--model", "llama-2-7b", "--method", "lora-fa", "--lorafa-projected")
	if plain.Numbers.Other != 0 || projected.Numbers.Other != 64*8*8 {
		t.Errorf("lorafa-projected: extras %d → %d, want 0 → 64 layers × r² = %d", plain.Numbers.Other, projected.Numbers.Other, 64*8*8)
	}
	for _, s := range memorySettings() {
		if _, err := catalog.Setting(s.Name); err != nil {
			t.Errorf("%s: not in the settings table: %v", s.Name, err)
		}
	}
	for _, name := range []string{"rank", "alpha", "lorafa-projected", "dora-exact", "method"} {
		if !slices.Contains(lab.Names(memorySettings()), name) {
			t.Errorf("no --%s from the settings table", name)
		}
	}
	if _, errs, code := memory("--model", "llama-2-7b", "--lr", "1e-3"); code != 2 || !strings.Contains(errs, "flag provided but not defined: --lr") {
		t.Errorf("--lr: exit %d, %q; the training rate changes no memory and is not a memory flag", code, errs)
	}
	if r := memoryJSONOf(t, "--model", "llama-2-7b", "--method", "vera"); r.Rank != 256 {
		t.Errorf("vera without --rank: rank %d, want its default 256", r.Rank)
	}
	if r := memoryJSONOf(t, "--model", "llama-2-7b", "--method", "vera", "--rank", "8"); r.Rank != 8 {
		t.Errorf("vera --rank 8: rank %d", r.Rank)
	}
	if _, errs, code := memory("--model", "llama-2-7b", "--rank", "0"); code != 2 || !strings.Contains(errs, "rank 0: must be at least 1") {
		t.Errorf("--rank 0: exit %d, %q", code, errs)
	}
}

// TestMemoryPrecisionFlags: --master-weights and --kbit-prepare reach the
// estimate, the settings line and the JSON.
func TestMemoryPrecisionFlags(t *testing.T) {
	pure := memoryJSONOf(t, "--model", "llama-3.2-1b", "--method", "full")
	amp := memoryJSONOf(t, "--model", "llama-3.2-1b", "--method", "full", "--master-weights")
	if !amp.MasterWeights || amp.TrainDType != scale.FP32 || amp.Bytes.Trainable != 2*pure.Bytes.Trainable {
		t.Errorf("master weights: %v, train dtype %s, trainable bytes %d (pure bf16 %d)", amp.MasterWeights, amp.TrainDType, amp.Bytes.Trainable, pure.Bytes.Trainable)
	}
	if out := mustMemory(t, "--model", "llama-3.2-1b", "--method", "full", "--master-weights"); !strings.Contains(out, "checkpointing off · fp32 master weights") {
		t.Errorf("settings line lacks master weights:\n%.400s", out)
	}
	q := memoryJSONOf(t, "--model", "llama-3-8b", "--dtype", "4bit")
	kq := memoryJSONOf(t, "--model", "llama-3-8b", "--dtype", "4bit", "--kbit-prepare")
	if !kq.KbitPrepare || kq.Bytes.FrozenBase <= q.Bytes.FrozenBase {
		t.Errorf("kbit-prepare: %v, frozen base %d (without %d): the embeddings and head go to fp32", kq.KbitPrepare, kq.Bytes.FrozenBase, q.Bytes.FrozenBase)
	}
	if out := mustMemory(t, "--model", "llama-3-8b", "--dtype", "4bit", "--kbit-prepare"); !strings.Contains(out, "· prepare_model_for_kbit_training") {
		t.Errorf("settings line lacks kbit-prepare")
	}
}

// TestMemoryListGPUs: every card with the memory PyTorch sees and what is usable.
func TestMemoryListGPUs(t *testing.T) {
	out := mustMemory(t, "--list-gpus")
	for _, g := range scale.GPUs() {
		if !strings.Contains(out, g.Name+"  ") || !strings.Contains(out, text.Bytes(g.Usable())) {
			t.Errorf("list lacks %s with %s usable:\n%s", g.Name, text.Bytes(g.Usable()), out)
		}
	}
	var gs []struct {
		Name   string `json:"name"`
		Memory int64  `json:"memory"`
		Usable int64  `json:"usable"`
	}
	if err := json.Unmarshal([]byte(mustMemory(t, "--list-gpus", "--json")), &gs); err != nil || len(gs) != len(scale.GPUs()) || gs[0].Usable != gs[0].Memory-scale.Headroom {
		t.Errorf("--list-gpus --json: %v %+v", err, gs)
	}
}
