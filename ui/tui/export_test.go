package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loralab/loralab/lab"
)

// TestExportIsACommand: E exports the run under the cursor through a
// command (Update writes nothing), into a new folder of the results folder
// with peft/ and torch/; a second export at the same second gets its own
// folder; a folder that cannot be made is reported.
func TestExportIsACommand(t *testing.T) {
	m := newTestModel(t, 80, 24)
	fakeRun(m, 0, 30, 30, lab.Done)
	written := func() []string {
		files, _ := filepath.Glob(filepath.Join(m.opts.ResultsDir, "export-*"))
		return files
	}
	_, cmd := m.Update(keyMsg("E"))
	if cmd == nil || len(written()) != 0 {
		t.Fatalf("Update exported by itself: cmd %v, files %v", cmd != nil, written())
	}
	m.Update(cmd())
	dirs := written()
	if len(dirs) != 1 || m.lab.MessageErr || !strings.Contains(m.lab.Message, "exported lora to "+dirs[0]) {
		t.Fatalf("after the command: %v, message %q", dirs, m.lab.Message)
	}
	for _, f := range []string{"peft/adapter_config.json", "peft/train.py", "torch/train.py", "torch/experiment.json", "torch/tensors/layer1.A.npy"} {
		if _, err := os.Stat(filepath.Join(dirs[0], f)); err != nil {
			t.Error(err)
		}
	}
	if exp, _ := os.ReadFile(filepath.Join(dirs[0], "torch", "experiment.json")); !strings.Contains(string(exp), `"steps": 30`) {
		t.Error("the torch export is not the run's 30 steps")
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	job := jobOf(m.lab.Methods[0], m.lab.Runs[0].Config)
	a, b := exportCmd(m.opts.ResultsDir, job, now)().(exportedMsg), exportCmd(m.opts.ResultsDir, job, now)().(exportedMsg)
	if a.err != nil || b.err != nil || a.dir == b.dir || !strings.HasSuffix(b.dir, "export-lora-20260102-030405-2") {
		t.Errorf("two exports at one second: %+v, %+v", a, b)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m.opts.ResultsDir = filepath.Join(blocker, "results")
	_, cmd = m.Update(keyMsg("E"))
	m.Update(cmd())
	if !m.lab.MessageErr || !strings.HasPrefix(m.lab.Message, "export failed: ") {
		t.Fatalf("unwritable folder: %q", m.lab.Message)
	}
}
