package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab/tasks/charlm"
)

// TestPretrainCommand runs the pretraining command as documented, for a few
// steps: it writes a weights file that reads back, fits the code (shape,
// vocabulary), records the text's SHA-256, the steps taken and the
// settings as flags, and a second run with the same flags writes the same
// weights and metadata but for the wall time (the seed fixes everything). Bad flags exit 2 and write nothing.
func TestPretrainCommand(t *testing.T) {
	dir := t.TempDir()
	args := func(out string) []string {
		return []string{"-steps", "3", "-warmup", "1", "-batch", "2", "-eval-every", "2", "-eval-windows", "4", "-out", out}
	}
	var stdout, stderr bytes.Buffer
	a, b := filepath.Join(dir, "a.safetensors"), filepath.Join(dir, "b.safetensors")
	if code := run(context.Background(), args(a), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "step     2") || !strings.Contains(stdout.String(), "wrote "+a) {
		t.Errorf("output:\n%s", stdout.String())
	}
	data, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	w, err := charlm.ReadWeights(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Check(charlm.BaseVocab()); err != nil {
		t.Error(err)
	}
	s := charlm.ShippedPretrain
	s.Steps, s.Warmup, s.Model.Batch, s.EvalEvery, s.EvalWindows = 3, 1, 2, 2, 4
	if m := w.Meta; m.Steps != 3 || m.TextSHA256 != charlm.Opticks().Digest || m.Pretrain != s.Flags() || !(m.HeldLoss > 0) {
		t.Errorf("metadata %+v", m)
	}
	if code := run(context.Background(), args(b), &stdout, &stderr); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr.String())
	}
	again, _ := os.ReadFile(b)
	w2, err := charlm.ReadWeights(again)
	if err != nil {
		t.Fatal(err)
	}
	w2.Meta.Seconds = w.Meta.Seconds // the one field that may differ: the wall time
	if !reflect.DeepEqual(w, w2) {
		t.Error("the same flags wrote different weights")
	}
	stderr.Reset()
	bad := filepath.Join(dir, "bad.safetensors")
	if code := run(context.Background(), []string{"-heads", "5", "-out", bad}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "heads 5: must divide the width 64") {
		t.Errorf("heads 5: exit %d, %q", code, stderr.String())
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a refused run wrote a file")
	}
}
