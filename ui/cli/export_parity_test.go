package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// torchPython finds a python3 that imports torch and numpy: $LORALAB_PYTHON,
// then python3 on PATH, then /usr/bin/python3 (Debian's python3-torch, which
// CI installs). It returns "" and why, when there is none.
var torchPython = sync.OnceValues(func() (string, string) {
	var tried []string
	for _, p := range []string{os.Getenv("LORALAB_PYTHON"), "python3", "/usr/bin/python3"} {
		if p == "" {
			continue
		}
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-c", "import torch, numpy").CombinedOutput()
		if err == nil {
			return path, ""
		}
		tried = append(tried, path+": "+lastLine(string(out)))
	}
	return "", "no python3 with torch and numpy (" + strings.Join(tried, "; ") + "); apt-get install python3-torch python3-numpy, or set LORALAB_PYTHON"
})

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// needTorch skips the test without torch, or fails it under CI=true.
func needTorch(t *testing.T) string {
	t.Helper()
	py, why := torchPython()
	if py == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return py
}

// parityCase is one run the parity test trains twice: a method with its options.
type parityCase struct {
	name  string
	flags []string
}

// parityTasks are the tasks the parity test trains on, each at a small
// shape, with its cases: every method, with its options, the schedules,
// warmup, weight decay, every activation (shift) and targets (charlm).
var parityTasks = []struct {
	task  string
	shape []string // the task's flags: small and fast, at least 50 steps, an evaluation after every step
	steps int
	cases []parityCase
}{
	{"shift", []string{"--width", "12", "--depth", "3", "--task-rank", "2", "--batch", "8", "--steps", "60",
		"--eval-every", "1", "--eval-size", "16", "--train-size", "128", "--seed", "3"}, 60, []parityCase{
		{"lora", []string{"--method", "lora", "--rank", "4", "--schedule", "cosine", "--warmup", "6", "--weight-decay", "0.01"}},
		{"lora-rslora", []string{"--method", "lora", "--rank", "4", "--alpha", "8", "--rslora", "--schedule", "linear"}},
		{"lora-fa", []string{"--method", "lora-fa", "--rank", "4"}},
		{"lora-fa-projected", []string{"--method", "lora-fa", "--rank", "4", "--lorafa-projected", "--lr", "0.002", "--schedule", "linear", "--warmup", "5"}},
		{"vera", []string{"--method", "vera", "--rank", "32", "--schedule", "cosine"}},
		{"delta-lora", []string{"--method", "delta-lora", "--rank", "4", "--delta-start", "20", "--weight-decay", "0.01"}},
		{"lora-plus", []string{"--method", "lora-plus", "--rank", "4", "--lr-ratio", "16", "--schedule", "cosine", "--warmup", "10", "--activation", "identity"}},
		{"dora", []string{"--method", "dora", "--rank", "4", "--weight-decay", "0.01"}},
		{"dora-exact", []string{"--method", "dora", "--rank", "4", "--dora-exact"}},
		{"pissa", []string{"--method", "pissa", "--rank", "4", "--schedule", "linear"}},
		{"full", []string{"--method", "full", "--weight-decay", "0.01", "--activation", "relu", "--warmup", "4"}},
	}},
	// The character model at 4 sequences of 8 characters and 4 held-out
	// windows of each text: PyTorch's float64 transformer takes about a
	// second per case here (CPU, one thread), four times the lab's time.
	{"charlm", []string{"--task", "charlm", "--batch", "4", "--context", "8", "--steps", "50",
		"--eval-every", "1", "--eval-size", "4", "--sample-every", "0", "--seed", "3"}, 50, []parityCase{
		{"lora-all-linear", []string{"--method", "lora", "--rank", "4", "--targets", "all-linear", "--schedule", "cosine", "--warmup", "6", "--weight-decay", "0.01"}},
		{"lora-fa-projected", []string{"--method", "lora-fa", "--rank", "4", "--lorafa-projected", "--targets", "q,k,v,o", "--lr", "0.01", "--schedule", "linear", "--warmup", "5"}},
		{"vera-head", []string{"--method", "vera", "--rank", "16", "--targets", "q,v,head"}},
		{"delta-lora", []string{"--method", "delta-lora", "--rank", "4", "--delta-start", "20", "--weight-decay", "0.01"}},
		{"lora-plus", []string{"--method", "lora-plus", "--rank", "4", "--lr-ratio", "16", "--schedule", "cosine", "--warmup", "10"}},
		{"dora-all-linear", []string{"--method", "dora", "--rank", "4", "--targets", "all-linear", "--weight-decay", "0.01"}},
		{"pissa", []string{"--method", "pissa", "--rank", "4", "--targets", "q,k,v,o,head", "--schedule", "linear"}},
		{"full", []string{"--method", "full", "--weight-decay", "0.01", "--warmup", "4"}},
	}},
}

// TestTorchParity: for every method on every task, the exported PyTorch run
// (autograd, no hand-written backward pass) has loralab run's loss history:
// every step's training loss and every held-out loss (and, on charlm, the
// forgetting loss) equal to 1e-9 relative in float64, from the same data,
// initial values and AdamW. It checks each method's backward pass, its
// optimiser extras (LoRA+'s rates, LoRA-FA's projection, Delta-LoRA's W
// update), the schedules and the start (PiSSA's SVD, DoRA's m), and on
// charlm the transformer's own backward (attention, LayerNorm, GELU,
// cross-entropy) that carries the adapted layers' gradients.
func TestTorchParity(t *testing.T) {
	py := needTorch(t)
	root := t.TempDir()
	var dirs []string
	for _, task := range parityTasks {
		if err := os.Mkdir(filepath.Join(root, task.task), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, c := range task.cases {
			dir := filepath.Join(root, task.task, c.name)
			var out, errOut bytes.Buffer
			if code := Main(append(append([]string{"export", "torch", dir}, task.shape...), c.flags...), &out, &errOut); code != exitOK {
				t.Fatalf("%s/%s: export: exit %d: %s", task.task, c.name, code, errOut.String())
			}
			dirs = append(dirs, dir)
		}
	}
	// One python process trains every export (importing torch once), as
	// each train.py's main does; the first export of each task also runs
	// as a script.
	driver := `import importlib.util, json, sys
for i, d in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(f"export{i}", d + "/train.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    init_error = mod.check_init(mod.LAYERS)
    history = mod.train(mod.model, mod.PARAMS, quiet=True)
    history["init_error"] = init_error
    with open(d + "/history.json", "w") as f:
        json.dump(history, f)
`
	if b, err := exec.Command(py, append([]string{"-c", driver}, dirs...)...).CombinedOutput(); err != nil {
		t.Fatalf("train.py: %v\n%s", err, b)
	}
	for _, task := range parityTasks {
		first := filepath.Join(root, task.task, task.cases[0].name)
		script := filepath.Join(first, "script.json")
		b, err := exec.Command(py, filepath.Join(first, "train.py"), "--quiet", "--json", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s/train.py: %v\n%s", first, err, b)
		}
		if !strings.Contains(string(b), "largest relative difference from the lab's losses") {
			t.Errorf("%s/train.py printed no comparison:\n%s", first, b)
		}
		if a, b := readHistory(t, script), readHistory(t, filepath.Join(first, "history.json")); !slicesEqual(a.Train, b.Train) {
			t.Errorf("%s: train.py run as a script and imported differ", first)
		}
	}
	for _, task := range parityTasks {
		for _, c := range task.cases {
			t.Run(task.task+"/"+c.name, func(t *testing.T) {
				checkParity(t, filepath.Join(root, task.task, c.name), append(append([]string{}, task.shape...), c.flags...), task.steps)
			})
		}
	}
}

// checkParity compares the export in dir (its history.json, from train.py)
// with loralab run's history for the same flags, over steps steps.
func checkParity(t *testing.T, dir string, flags []string, steps int) {
	t.Helper()
	var run struct {
		Status  string `json:"status"`
		History []struct {
			Step   int     `json:"step"`
			Train  float64 `json:"train_loss"`
			Eval   float64 `json:"eval_loss"`
			Forget float64 `json:"forget_loss"`
		} `json:"history"`
	}
	if err := json.Unmarshal([]byte(call(t, append(append([]string{"run"}, flags...), "--json", "--quiet")...)), &run); err != nil {
		t.Fatal(err)
	}
	if run.Status != "done" || len(run.History) != steps+1 {
		t.Fatalf("loralab run: %s with %d points", run.Status, len(run.History))
	}
	torch := readHistory(t, filepath.Join(dir, "history.json"))
	if len(torch.Train) != steps || len(torch.Eval) != steps+1 || torch.Status != "done" {
		t.Fatalf("train.py: %d steps, %d evaluations, %s", len(torch.Train), len(torch.Eval), torch.Status)
	}
	forgets := run.History[0].Forget != 0 // the task measures forgetting
	if forgets != (len(torch.Forget) > 0) {
		t.Fatalf("the lab measured forgetting: %v; train.py did %d times", forgets, len(torch.Forget))
	}
	worstTrain, worstEval, worstForget := 0.0, 0.0, 0.0
	for k := 1; k <= steps; k++ {
		// The lab's point k is step k's training loss (point 0 repeats step 1's).
		worstTrain = math.Max(worstTrain, relDiff(torch.Train[k-1], run.History[k].Train))
	}
	for k := 0; k <= steps; k++ {
		if int(torch.Eval[k][0]) != run.History[k].Step {
			t.Fatalf("evaluation %d at step %v; the lab's at %d", k, torch.Eval[k][0], run.History[k].Step)
		}
		worstEval = math.Max(worstEval, relDiff(torch.Eval[k][1], run.History[k].Eval))
		if forgets {
			worstForget = math.Max(worstForget, relDiff(torch.Forget[k][1], run.History[k].Forget))
		}
	}
	if worstTrain > 1e-9 || worstEval > 1e-9 || worstForget > 1e-9 || !(torch.InitError < 1e-10) {
		t.Errorf("largest relative difference over %d steps: train %.3g, eval %.3g, forget %.3g (want ≤ 1e-9); start %.3g", steps, worstTrain, worstEval, worstForget, torch.InitError)
	}
	if first, last := run.History[0].Eval, run.History[steps].Eval; !(last < 0.95*first) {
		t.Errorf("the held-out loss went from %g to %g: a run that does not learn checks little", first, last)
	}
	t.Logf("max relative difference over %d steps: train %.2g, eval %.2g, forget %.2g; start %.2g", steps, worstTrain, worstEval, worstForget, torch.InitError)
}

// torchHistory is what an exported train.py writes with --json.
type torchHistory struct {
	Train     []float64    `json:"train_loss"`
	Eval      [][2]float64 `json:"eval_loss"`
	Forget    [][2]float64 `json:"forget_loss"` // where the task measures forgetting
	Status    string       `json:"status"`
	InitError float64      `json:"init_error"`
}

func readHistory(t *testing.T, path string) torchHistory {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h torchHistory
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func relDiff(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(math.Abs(b), math.SmallestNonzeroFloat64)
}
