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

// parityCases are the runs the parity test trains twice: every method, with
// its options, the schedules, warmup, weight decay and every activation.
var parityCases = []struct {
	name  string
	flags []string
}{
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
}

// parityShape is the small shift task every parity case trains on: 60 steps.
var parityShape = []string{"--width", "12", "--depth", "3", "--task-rank", "2", "--batch", "8", "--steps", "60",
	"--eval-every", "1", "--eval-size", "16", "--train-size", "128", "--seed", "3"}

// paritySteps is the number of steps every parity case compares.
const paritySteps = 60

// TestTorchParity: for every method, the exported PyTorch run (autograd, no
// hand-written backward pass) has loralab run's loss history: every step's
// training loss and every held-out loss equal to 1e-9 relative in float64,
// from the same data, initial values and AdamW. It checks each method's
// backward pass, its optimiser extras (LoRA+'s rates, LoRA-FA's projection,
// Delta-LoRA's W update), the schedules and the start (PiSSA's SVD, DoRA's m).
func TestTorchParity(t *testing.T) {
	py := needTorch(t)
	root := t.TempDir()
	dirs := make([]string, len(parityCases))
	for i, c := range parityCases {
		dirs[i] = filepath.Join(root, c.name)
		var out, errOut bytes.Buffer
		if code := Main(append(append([]string{"export", "torch", dirs[i]}, parityShape...), c.flags...), &out, &errOut); code != exitOK {
			t.Fatalf("%s: export: exit %d: %s", c.name, code, errOut.String())
		}
	}
	// One python process trains every export (importing torch once), as
	// each train.py's main does; the first export also runs as a script.
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
	script := filepath.Join(root, "script.json")
	b, err := exec.Command(py, filepath.Join(dirs[0], "train.py"), "--quiet", "--json", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%s/train.py: %v\n%s", dirs[0], err, b)
	}
	if !strings.Contains(string(b), "largest relative difference from the lab's losses") {
		t.Errorf("%s/train.py printed no comparison:\n%s", dirs[0], b)
	}
	if a, b := readHistory(t, script), readHistory(t, filepath.Join(dirs[0], "history.json")); !slicesEqual(a.Train, b.Train) {
		t.Errorf("train.py run as a script and imported differ")
	}
	for i, c := range parityCases {
		t.Run(c.name, func(t *testing.T) {
			var run struct {
				Status  string `json:"status"`
				History []struct {
					Step  int     `json:"step"`
					Train float64 `json:"train_loss"`
					Eval  float64 `json:"eval_loss"`
				} `json:"history"`
			}
			if err := json.Unmarshal([]byte(call(t, append(append(append([]string{"run"}, parityShape...), c.flags...), "--json", "--quiet")...)), &run); err != nil {
				t.Fatal(err)
			}
			if run.Status != "done" || len(run.History) != paritySteps+1 {
				t.Fatalf("loralab run: %s with %d points", run.Status, len(run.History))
			}
			torch := readHistory(t, filepath.Join(dirs[i], "history.json"))
			if len(torch.Train) != paritySteps || len(torch.Eval) != paritySteps+1 || torch.Status != "done" {
				t.Fatalf("train.py: %d steps, %d evaluations, %s", len(torch.Train), len(torch.Eval), torch.Status)
			}
			worstTrain, worstEval := 0.0, 0.0
			for k := 1; k <= paritySteps; k++ {
				// The lab's point k is step k's training loss (point 0 repeats step 1's).
				worstTrain = math.Max(worstTrain, relDiff(torch.Train[k-1], run.History[k].Train))
			}
			for k := 0; k <= paritySteps; k++ {
				if int(torch.Eval[k][0]) != run.History[k].Step {
					t.Fatalf("evaluation %d at step %v; the lab's at %d", k, torch.Eval[k][0], run.History[k].Step)
				}
				worstEval = math.Max(worstEval, relDiff(torch.Eval[k][1], run.History[k].Eval))
			}
			if worstTrain > 1e-9 || worstEval > 1e-9 || !(torch.InitError < 1e-10) {
				t.Errorf("largest relative difference over %d steps: train %.3g, eval %.3g (want ≤ 1e-9); start %.3g", paritySteps, worstTrain, worstEval, torch.InitError)
			}
			if first, last := run.History[1].Train, run.History[paritySteps].Train; !(last < 0.9*first) {
				t.Errorf("the loss went from %g to %g: a run that does not learn checks little", first, last)
			}
			t.Logf("%-18s max relative difference over %d steps: train %.2g, eval %.2g; start %.2g", c.name, paritySteps, worstTrain, worstEval, torch.InitError)
		})
	}
}

// torchHistory is what an exported train.py writes with --json.
type torchHistory struct {
	Train     []float64    `json:"train_loss"`
	Eval      [][2]float64 `json:"eval_loss"`
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
