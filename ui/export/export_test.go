package export

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

var catalog = lab.Catalog{Methods: adapters.All(), Tasks: tasks.All()}

// smallJob is method's job on a small shift task (fast to trace).
func smallJob(t *testing.T, method string, kv ...string) lab.Job {
	t.Helper()
	cfg := catalog.Defaults()
	cfg.Method = method
	return jobWith(t, cfg, append([]string{"width", "8", "depth", "2", "task-rank", "2", "batch", "4", "steps", "10", "eval-every", "5",
		"eval-size", "8", "train-size", "32"}, kv...)...)
}

// jobWith is cfg with settings kv (name, value, …) applied, as a job.
func jobWith(t *testing.T, cfg lab.Config, kv ...string) lab.Job {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		s, err := catalog.Setting(kv[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set(&cfg, kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	job, err := catalog.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// peftKeys are the keys PEFT's config classes accept (testdata/peft_keys.json).
func peftKeys(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "peft_keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for k, v := range raw {
		if list, ok := v.([]any); ok {
			for _, x := range list {
				out[k] = append(out[k], x.(string))
			}
		}
	}
	return out
}

// checkAdapterConfig fails unless path is an adapter_config.json whose every
// key PEFT's config class for its peft_type accepts, with the values want.
func checkAdapterConfig(t *testing.T, path string, want map[string]any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var conf map[string]any
	if err := json.Unmarshal(data, &conf); err != nil {
		t.Fatal(err)
	}
	keys := peftKeys(t)
	typ, _ := conf["peft_type"].(string)
	allowed := append(keys["PeftConfig"], keys[typ]...)
	if len(keys[typ]) == 0 {
		t.Fatalf("%s: peft_type %q is not LORA or VERA", path, typ)
	}
	for k := range conf {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: %s has no key %q", path, typ, k)
		}
	}
	for k, v := range want {
		if got, _ := json.Marshal(conf[k]); string(got) != mustJSON(v) {
			t.Errorf("%s: %s = %s, want %s", path, k, got, mustJSON(v))
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestEveryMethod: every method of the registry has both exports; the PEFT
// config has only keys PEFT accepts and the method's settings under PEFT's
// names; train.py uses the method's PEFT helper.
func TestEveryMethod(t *testing.T) {
	type want struct {
		config map[string]any // adapter_config.json keys; nil: no file
		script []string       // in the PEFT train.py
	}
	wants := map[string]want{
		"lora":       {map[string]any{"peft_type": "LORA", "r": 2, "lora_alpha": 8, "use_dora": false, "use_rslora": false, "init_lora_weights": true}, []string{"torch.optim.AdamW"}},
		"lora-fa":    {map[string]any{"peft_type": "LORA", "r": 2}, []string{`if "lora_A" in name:`, "p.requires_grad_(False)"}},
		"vera":       {map[string]any{"peft_type": "VERA", "r": 3, "d_initial": 0.1, "vera_dropout": 0.0, "projection_prng_key": 1}, []string{"torch.optim.AdamW"}},
		"delta-lora": {map[string]any{"peft_type": "LORA", "r": 2, "lora_dropout": 0.0}, []string{"Delta-LoRA: PEFT does not have it", "DELTA_RATIO, DELTA_START = 2.0, 2", "delta_after(layers, before, step)"}},
		"lora-plus":  {map[string]any{"peft_type": "LORA", "r": 2}, []string{"create_loraplus_optimizer(", "LORAPLUS_LR_RATIO = 16.0"}},
		"dora":       {map[string]any{"peft_type": "LORA", "use_dora": true}, []string{"torch.optim.AdamW"}},
		"pissa":      {map[string]any{"peft_type": "LORA", "init_lora_weights": "pissa"}, []string{"torch.optim.AdamW"}},
		"full":       {nil, []string{"full fine-tuning"}},
	}
	if len(wants) != len(catalog.Methods) {
		t.Fatalf("the test knows %d methods, the registry has %d", len(wants), len(catalog.Methods))
	}
	dir := t.TempDir()
	for _, m := range catalog.Methods {
		name := m.Info().Name
		w, ok := wants[name]
		if !ok {
			t.Errorf("method %s: no expectation in this test", name)
			continue
		}
		rank := "2"
		if name == "vera" {
			rank = "3"
		}
		job := smallJob(t, name, "rank", rank)
		if _, err := specOf(m, job.Config); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := filepath.Join(dir, "peft-"+name)
		if err := PEFT(p, job, Options{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w.config == nil {
			if _, err := os.Stat(filepath.Join(p, "adapter_config.json")); err == nil {
				t.Errorf("%s: wrote an adapter_config.json", name)
			}
		} else {
			w.config["target_modules"] = DefaultTargets
			w.config["task_type"] = "CAUSAL_LM"
			w.config["base_model_name_or_path"] = DefaultModel
			checkAdapterConfig(t, filepath.Join(p, "adapter_config.json"), w.config)
		}
		script, err := os.ReadFile(filepath.Join(p, "train.py"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range w.script {
			if !strings.Contains(string(script), s) {
				t.Errorf("%s: train.py lacks %q", name, s)
			}
		}
		for _, f := range PEFTFiles {
			if _, err := os.Stat(filepath.Join(p, f)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		tp := filepath.Join(dir, "torch-"+name)
		if err := Torch(context.Background(), tp, job, Options{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkTorchExport(t, tp, job)
		if w.config != nil {
			delete(w.config, "target_modules")
			w.config["task_type"], w.config["base_model_name_or_path"] = nil, nil
			checkAdapterConfig(t, filepath.Join(tp, "adapter_config.json"), w.config)
		}
	}
}

// TestSettingsReachTheScript: the lab's settings appear in train.py under
// transformers' and PEFT's names.
func TestSettingsReachTheScript(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	job := smallJob(t, "lora-plus", "lr", "0.0005", "schedule", "cosine", "warmup", "3", "seed", "7", "weight-decay", "0.01", "lr-ratio", "8", "steps", "40", "rslora", "true", "alpha", "16", "rank", "4")
	if err := PEFT(dir, job, Options{Model: "meta-llama/Llama-3.2-1B", TargetModules: "q_proj,v_proj"}); err != nil {
		t.Fatal(err)
	}
	script, _ := os.ReadFile(filepath.Join(dir, "train.py"))
	for _, s := range []string{`MODEL = "meta-llama/Llama-3.2-1B"`, "LEARNING_RATE = 0.0005", `LR_SCHEDULER_TYPE = "cosine"`, "WARMUP_STEPS = 3",
		"MAX_STEPS = 40", "WEIGHT_DECAY = 0.01", "SEED = 7", "LORAPLUS_LR_RATIO = 8.0", "loraplus_weight_decay=WEIGHT_DECAY"} {
		if !strings.Contains(string(script), s) {
			t.Errorf("train.py lacks %q", s)
		}
	}
	checkAdapterConfig(t, filepath.Join(dir, "adapter_config.json"), map[string]any{"r": 4, "lora_alpha": 16, "use_rslora": true,
		"target_modules": []string{"q_proj", "v_proj"}, "base_model_name_or_path": "meta-llama/Llama-3.2-1B"})
	if !strings.Contains(string(script), "--lr 0.0005") {
		t.Error("train.py does not quote the lab's command")
	}
	// The lab's constant schedule is transformers' constant_with_warmup.
	dir2 := filepath.Join(t.TempDir(), "y")
	if err := PEFT(dir2, smallJob(t, "lora"), Options{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := os.ReadFile(filepath.Join(dir2, "train.py")); !strings.Contains(string(s), `LR_SCHEDULER_TYPE = "constant_with_warmup"`) {
		t.Error("constant is not constant_with_warmup")
	}
	// LoRA-FA with the projected gradient uses PEFT's LoRA-FA optimiser.
	dir3 := filepath.Join(t.TempDir(), "z")
	if err := PEFT(dir3, smallJob(t, "lora-fa", "lorafa-projected", "true"), Options{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := os.ReadFile(filepath.Join(dir3, "train.py")); !strings.Contains(string(s), "create_lorafa_optimizer(model, r=LORA_R, lora_alpha=LORA_ALPHA") {
		t.Error("projected LoRA-FA does not use create_lorafa_optimizer")
	}
}

// checkTorchExport: every tensor experiment.json lists is a .npy file of its
// shape; the trainable ones hold as many numbers as the run trains; the
// batches cover every step; the lab's history has a loss per step.
func checkTorchExport(t *testing.T, dir string, job lab.Job) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "experiment.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp experiment
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	res, err := lab.Execute(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	trainable := 0
	for _, e := range exp.Tensors {
		shape, descr := npyShape(t, filepath.Join(dir, e.File))
		if !slices.Equal(shape, e.Shape) || descr != "<f8" {
			t.Errorf("%s: %s is %s %v, the manifest says %v", dir, e.File, descr, shape, e.Shape)
		}
		if e.Trainable {
			n := 1
			for _, d := range shape {
				n *= d
			}
			trainable += n
		}
	}
	if trainable != res.Params.Trainable {
		t.Errorf("%s: %d trainable numbers exported, the run trains %d", dir, trainable, res.Params.Trainable)
	}
	shape, descr := npyShape(t, filepath.Join(dir, exp.Batches.File))
	if descr != "<i8" || !slices.Equal(shape, []int{job.Config.Steps, job.Config.Batch}) {
		t.Errorf("%s: batches %s %v", dir, descr, shape)
	}
	if len(exp.Expected.Train) != job.Config.Steps || exp.Expected.Status != string(lab.Done) {
		t.Errorf("%s: %d expected losses, status %s", dir, len(exp.Expected.Train), exp.Expected.Status)
	}
	if last := exp.Expected.Eval[len(exp.Expected.Eval)-1]; last[1].(float64) != res.Final.Eval {
		t.Errorf("%s: last expected eval loss %v, the run's %v", dir, last, res.Final.Eval)
	}
	for _, f := range TorchFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

var npyDict = regexp.MustCompile(`^\{'descr': '([<a-z0-9]+)', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \} *\n$`)

// npyShape reads a .npy file's dtype and shape, checking its size.
func npyShape(t *testing.T, path string) ([]int, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 10 || string(data[:8]) != npyMagic {
		t.Fatalf("%s: not a .npy file", path)
	}
	n := int(binary.LittleEndian.Uint16(data[8:10]))
	if (10+n)%64 != 0 {
		t.Errorf("%s: data at %d, not a multiple of 64", path, 10+n)
	}
	m := npyDict.FindStringSubmatch(string(data[10 : 10+n]))
	if m == nil {
		t.Fatalf("%s: header %q", path, data[10:10+n])
	}
	var shape []int
	count := 1
	for _, f := range strings.Split(m[2], ",") {
		if f = strings.TrimSpace(f); f != "" {
			d, _ := strconv.Atoi(f)
			shape = append(shape, d)
			count *= d
		}
	}
	if len(data) != 10+n+8*count {
		t.Errorf("%s: %d bytes for %d numbers", path, len(data)-10-n, count)
	}
	return shape, m[1]
}

// TestFolders: an export never writes into an existing folder, and a failed
// one leaves nothing behind (no folder, no temporary one).
func TestFolders(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := PEFT(dir, smallJob(t, "lora"), Options{}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("into an existing folder: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %d files into the existing folder", len(entries))
	}
	if err := PEFT(filepath.Join(parent, "no", "such"), smallJob(t, "lora"), Options{}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("under a missing parent: %v", err)
	}
	boom := errors.New("boom")
	err := writeDir(filepath.Join(parent, "half"), func(tmp string) error {
		if err := writeFile(tmp, "a.txt", []byte("a")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, ErrWrite) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("failed fill: %v", err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 { // only "out"
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v", names)
	}
	// Both writes peft/ and torch/ in one new folder.
	both := filepath.Join(parent, "both")
	if err := Both(context.Background(), both, smallJob(t, "dora"), Options{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"peft/train.py", "peft/adapter_config.json", "torch/train.py", "torch/experiment.json", "torch/tensors/layer1.m.npy"} {
		if _, err := os.Stat(filepath.Join(both, f)); err != nil {
			t.Error(err)
		}
	}
	if st, err := os.Stat(both); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("folder mode: %v %v", st.Mode(), err)
	}
}

// TestBadInput: one line naming the value and what is allowed.
func TestBadInput(t *testing.T) {
	for _, id := range []string{"HuggingFaceTB/SmolLM2-135M", "gpt2", "./models/mine", "/srv/m", "../m", "~/m", "a.b-c_d/E.9"} {
		if err := CheckModel(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	for _, id := range []string{"", "a b", "a/b/c", "-a/b", "a./b", "a--b", "a..b", "a/b?", "a/" + strings.Repeat("x", 97), "https://huggingface.co/gpt2"} {
		err := CheckModel(id)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), strconv.Quote(id)) {
			t.Errorf("%q: %v", id, err)
		}
	}
	for _, s := range []string{"all-linear", "q_proj", "q_proj,v_proj", "model.layers.0.self_attn.q_proj"} {
		if err := CheckTargets(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "q_proj,", "q proj", "all_linear,-x", "*"} {
		if err := CheckTargets(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	dir := filepath.Join(t.TempDir(), "x")
	if err := PEFT(dir, smallJob(t, "lora"), Options{Model: "not a model"}); err == nil || !strings.Contains(err.Error(), `"not a model"`) {
		t.Errorf("bad model: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a refused export wrote its folder")
	}
}

// TestScriptsCompile: every train.py the exports write (the torch export's
// on both tasks) is valid Python (a python3 compiles them; no package is
// imported). Under CI=true a missing python3 is a failure.
func TestScriptsCompile(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no python3 on PATH (CI installs python3-torch, which brings it)")
		}
		t.Skip("no python3 on PATH: the scripts are not compiled")
	}
	dir := t.TempDir()
	var scripts []string
	for _, m := range catalog.Methods {
		name := m.Info().Name
		for _, kv := range [][]string{nil, {"lorafa-projected", "true", "dora-exact", "true", "schedule", "linear", "warmup", "2"}} {
			job := smallJob(t, name, kv...)
			tag := name + strconv.Itoa(len(kv))
			if err := PEFT(filepath.Join(dir, "p"+tag), job, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := Torch(context.Background(), filepath.Join(dir, "t"+tag), job, Options{}); err != nil {
				t.Fatal(err)
			}
			scripts = append(scripts, filepath.Join(dir, "p"+tag, "train.py"), filepath.Join(dir, "t"+tag, "train.py"))
			if err := Torch(context.Background(), filepath.Join(dir, "c"+tag), charlmJob(t, name, kv...), Options{}); err != nil {
				t.Fatal(err)
			}
			scripts = append(scripts, filepath.Join(dir, "c"+tag, "train.py"))
		}
	}
	src := "import sys, ast\nfor p in sys.argv[1:]:\n    ast.parse(open(p, encoding='utf-8').read(), p)\n"
	out, err := exec.Command(python, append([]string{"-c", src}, scripts...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
