package export

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
	"github.com/loralab/loralab/lab/tasks/charlm"
)

// charlmJob is method's job on a small character model run (2 sequences
// of 8 characters, 5 steps), with the settings kv (name, value, …).
func charlmJob(t *testing.T, method string, kv ...string) lab.Job {
	t.Helper()
	cfg := catalog.Defaults()
	cfg.Method, cfg.Task = method, charlm.Task{}.Info().Name
	return jobWith(t, cfg, append([]string{"batch", "2", "context", "8", "steps", "5", "eval-every", "5", "eval-size", "2", "sample-every", "0", "rank", "2"}, kv...)...)
}

// TestCharLMTorch: every method's torch export of the character model
// holds every tensor its train.py loads (checkTorchExport: shapes, the
// trainable count, the batches), the transformer's shape, the forgetting
// losses beside the held-out ones, each tensor once, and the charlm script.
func TestCharLMTorch(t *testing.T) {
	dir := t.TempDir()
	targets := map[string]string{"lora": "all-linear", "vera": "q,v,head", "pissa": "q,k,v,o", "dora": "up,down"}
	for _, m := range catalog.Methods {
		name := m.Info().Name
		kv := []string{}
		if tg, ok := targets[name]; ok {
			kv = append(kv, "targets", tg)
		}
		job := charlmJob(t, name, kv...)
		out := filepath.Join(dir, name)
		if err := Torch(context.Background(), out, job, Options{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkTorchExport(t, out, job)
		data, err := os.ReadFile(filepath.Join(out, "experiment.json"))
		if err != nil {
			t.Fatal(err)
		}
		var exp experiment
		if err := json.Unmarshal(data, &exp); err != nil {
			t.Fatal(err)
		}
		c := charlm.Shape(job.Config)
		if n := exp.Network; n == nil || n.Vocab != c.Vocab || n.Context != 8 || n.Width != c.Width || n.Depth != c.Depth || n.Heads != c.Heads || n.GELU != "tanh" || exp.Loss != "cross-entropy" || exp.Activation != "" {
			t.Errorf("%s: network %+v, loss %q, activation %q", name, exp.Network, exp.Loss, exp.Activation)
		}
		if len(exp.Expected.Forget) != len(exp.Expected.Eval) || len(exp.Expected.Forget) != 2 {
			t.Errorf("%s: %d forgetting losses for %d held-out ones (want 2: steps 0 and 5)", name, len(exp.Expected.Forget), len(exp.Expected.Eval))
		}
		kinds := map[string]tensorEntry{}
		for _, e := range exp.Tensors {
			if _, ok := kinds[e.Name]; ok {
				t.Errorf("%s: %s listed twice", name, e.Name)
			}
			kinds[e.Name] = e
		}
		if e := kinds["train.text"]; len(e.Shape) != 1 || e.Shape[0] != charlm.GoSource().Train.Chars() {
			t.Errorf("%s: train.text %v", name, e.Shape)
		}
		for _, tensor := range []string{"eval.tokens", "forget.targets"} {
			if e := kinds[tensor]; !slices.Equal(e.Shape, []int{2, 8}) {
				t.Errorf("%s: %s %v, want 2 windows of 8", name, tensor, e.Shape)
			}
		}
		own := []string{"emb.tok", "emb.pos", "block0.ln1.gain", "lnf.bias"}
		for _, tensor := range own {
			if e, ok := kinds[tensor]; !ok || e.Trainable != m.Info().TrainsBase {
				t.Errorf("%s: %s listed %v, trainable %v", name, tensor, ok, e.Trainable)
			}
		}
		if m.Info().TrainsBase {
			if !kinds["emb.tok"].WeightDecay || kinds["lnf.gain"].WeightDecay || !slices.Equal(kinds["lnf.gain"].Shape, []int{c.Width}) {
				t.Errorf("%s: the embedding decays %v, the norm %v (%v)", name, kinds["emb.tok"].WeightDecay, kinds["lnf.gain"].WeightDecay, kinds["lnf.gain"].Shape)
			}
		}
		for _, s := range exp.Layers {
			if _, ok := kinds[s.Name+".W0"]; !ok {
				t.Errorf("%s: adapted layer %s has no W0", name, s.Name)
			}
		}
		if !m.Info().TrainsBase {
			// Every linear layer is there: adapted (in layers) or frozen (W and bias as data).
			adapted := map[string]bool{}
			for _, s := range exp.Layers {
				adapted[s.Name] = true
			}
			for _, s := range c.Shapes() {
				if e, ok := kinds[s.Name+".W"]; !ok || (e.Kind == "data") == adapted[s.Name] {
					t.Errorf("%s: %s.W listed %v as %q (adapted %v)", name, s.Name, ok, e.Kind, adapted[s.Name])
				}
			}
		}
		script, _ := os.ReadFile(filepath.Join(out, "train.py"))
		for _, s := range []string{"def attention(q, k, v):", `F.gelu(x, approximate="tanh")`, "LAYER_NORM_EPS = 1e-05", `"forget_loss"`, fmt.Sprintf("VOCAB, CONTEXT = %d, 8", c.Vocab)} {
			if !strings.Contains(string(script), s) {
				t.Errorf("%s: train.py lacks %q", name, s)
			}
		}
		readme, _ := os.ReadFile(filepath.Join(out, "README.md"))
		if !strings.Contains(string(readme), "forget.tokens") || strings.Contains(string(readme), "teacher") {
			t.Errorf("%s: the README does not describe the character model's files", name)
		}
	}
}

// otherTask is a task the torch export does not know.
type otherTask struct{ tasks.Shift }

// TestTorchUnknownTask: a task without a torch network is refused, with
// the tasks the export knows, and nothing is written.
func TestTorchUnknownTask(t *testing.T) {
	job := smallJob(t, "lora")
	job.Task = otherTask{}
	dir := filepath.Join(t.TempDir(), "x")
	err := Torch(context.Background(), dir, job, Options{})
	if err == nil || !strings.Contains(err.Error(), "knows the shift and charlm tasks") {
		t.Errorf("unknown task: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a refused export wrote its folder")
	}
}
