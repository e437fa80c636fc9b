package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportCommand: both exports write their files from the command line,
// with a preset and run flags, and say what to run next.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	peft := filepath.Join(dir, "peft")
	out := call(t, "export", "peft", peft, "--method", "lora-plus", "--rank", "16", "--lr-ratio", "20", "--model", "meta-llama/Llama-3.2-1B", "--target-modules", "q_proj,v_proj")
	if !strings.Contains(out, "wrote "+peft) || !strings.Contains(out, "--dataset") {
		t.Errorf("output:\n%s", out)
	}
	script, err := os.ReadFile(filepath.Join(peft, "train.py"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"LORAPLUS_LR_RATIO = 20.0", `MODEL = "meta-llama/Llama-3.2-1B"`, "loralab run --method lora-plus --rank 16 --lr-ratio 20"} {
		if !strings.Contains(string(script), s) {
			t.Errorf("train.py lacks %q", s)
		}
	}
	conf, _ := os.ReadFile(filepath.Join(peft, "adapter_config.json"))
	if !strings.Contains(string(conf), `"r": 16`) || !strings.Contains(string(conf), `"q_proj"`) {
		t.Errorf("adapter_config.json:\n%s", conf)
	}
	torch := filepath.Join(dir, "torch")
	out = call(t, "export", "torch", torch, "--preset", "frozen-a", "--steps", "30", "--width", "16")
	if !strings.Contains(out, "tensors/") || !strings.Contains(out, "python3 "+filepath.Join(torch, "train.py")) {
		t.Errorf("output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(torch, "tensors", "batches.npy")); err != nil {
		t.Error(err)
	}
	if help := call(t, "export", "--help"); !strings.Contains(help, "loralab export torch DIR") {
		t.Errorf("help:\n%s", help)
	}
	if overview := call(t, "--help"); !strings.Contains(overview, "export") {
		t.Errorf("the overview does not list export:\n%s", overview)
	}
}

// TestExportRefuses: bad input gets one line naming the value, exit 2, and
// no folder.
func TestExportRefuses(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "there")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "new")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "say what to write"},
		{[]string{"export", "onnx", fresh}, `"onnx": the exports are peft and torch`},
		{[]string{"export", "peft"}, "name the new folder first"},
		{[]string{"export", "peft", "--method", "lora"}, "name the new folder first"},
		{[]string{"export", "peft", existing}, "folder " + existing + ": already exists"},
		{[]string{"export", "torch", existing}, "already exists"},
		{[]string{"export", "peft", fresh, "--model", "not/a/model"}, `model "not/a/model": not a Hugging Face model id`},
		{[]string{"export", "peft", fresh, "--target-modules", "q_proj;v_proj"}, `target-modules "q_proj;v_proj"`},
		{[]string{"export", "torch", fresh, "--model", "gpt2"}, "--model and --target-modules are for loralab export peft"},
		{[]string{"export", "peft", fresh, "--method", "lorax"}, `method "lorax": unknown`},
		{[]string{"export", "peft", fresh, "--rank", "0"}, "rank 0"},
		{[]string{"export", "peft", fresh, "--json"}, "flag provided but not defined: --json"},
		{[]string{"export", "peft", filepath.Join(dir, "no", "such")}, "does not exist"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := Main(c.args, &out, &errOut)
		msg := errOut.String()
		if code != exitUsage || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", c.args, code, msg, c.want)
		}
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Error("a refused export wrote its folder")
	}
	if entries, _ := os.ReadDir(existing); len(entries) != 0 {
		t.Error("an export wrote into an existing folder")
	}
}
