package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loralab/loralab/lab"
)

// TestWriteNewNeverOverwrites: a new file is written whole; an existing one
// is refused and left as it was; no temporary file is left behind.
func TestWriteNewNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "r.json")
	if err := WriteNew(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := WriteNew(path, []byte("second"))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second write: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Fatalf("file now holds %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("%d files in the folder, want just r.json (no temporaries)", len(entries))
	}
}

// TestSaveFindsAFreeName: saving twice in the same second gives two pairs
// of files, JSON and CSV, with distinct names.
func TestSaveFindsAFreeName(t *testing.T) {
	dir := t.TempDir()
	b := Bundle{Kind: Single, Runs: []*lab.Result{{Method: "lora", Status: lab.Done, History: []lab.Point{{Step: 0, Train: 1, Eval: 1}}}}}
	now := time.Date(2026, 11, 28, 18, 45, 12, 0, time.UTC)
	j1, c1, err := Save(dir, b, now)
	if err != nil {
		t.Fatal(err)
	}
	j2, c2, err := Save(dir, b, now)
	if err != nil {
		t.Fatal(err)
	}
	if j1 == j2 || c1 == c2 || filepath.Base(j1) != "run-20261128-184512.json" || filepath.Base(j2) != "run-20261128-184512-2.json" {
		t.Fatalf("names %s %s %s %s", j1, c1, j2, c2)
	}
	csv, _ := os.ReadFile(c1)
	if !strings.HasPrefix(string(csv), "step,train_loss,eval_loss") {
		t.Fatalf("CSV starts %q", csv)
	}
}
