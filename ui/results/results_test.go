package results

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// oneRun is a small single-run bundle.
func oneRun() Bundle {
	return Bundle{Kind: Single, Runs: []*lab.Result{{Method: "lora", Status: lab.Done, History: []lab.Point{{Step: 0, Train: 1, Eval: 1}}}}}
}

// TestSaveAsPairOnAFullDisk: when the CSV cannot be written (the disk is
// full), the JSON does not stay behind, the error says nothing was saved,
// and a second try saves both.
func TestSaveAsPairOnAFullDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	writes := 0
	writeData = func(f *os.File, data []byte) (int, error) {
		writes++
		if writes == 2 { // the CSV
			return 0, syscall.ENOSPC
		}
		return f.Write(data)
	}
	defer func() { writeData = func(f *os.File, data []byte) (int, error) { return f.Write(data) } }()
	_, _, err := SaveAs(path, oneRun())
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.HasSuffix(err.Error(), "nothing was saved") {
		t.Fatalf("error %v, want no space left … nothing was saved", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Fatalf("%d files left behind, want none (no half pair, no temporaries)", len(entries))
	}
	writeData = func(f *os.File, data []byte) (int, error) { return f.Write(data) }
	j, c, err := SaveAs(path, oneRun())
	if err != nil || j != path || c != filepath.Join(filepath.Dir(path), "r.csv") {
		t.Fatalf("second try: %q %q %v", j, c, err)
	}
}

// TestSaveAsPairWhenTheSecondLinkFails: the JSON that took its name is
// removed again when the CSV cannot take its own.
func TestSaveAsPairWhenTheSecondLinkFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	links := 0
	linkFile = func(old, new string) error {
		links++
		if links == 2 {
			return &os.LinkError{Op: "link", Old: old, New: new, Err: syscall.EIO}
		}
		return os.Link(old, new)
	}
	defer func() { linkFile = os.Link }()
	_, _, err := SaveAs(path, oneRun())
	if err == nil || !strings.Contains(err.Error(), "r.csv: input/output error; nothing was saved") {
		t.Fatalf("error %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Fatalf("%d files left behind, want none", len(entries))
	}
}

// TestSaveAsRefusesDanglingLinksAndLongNames: a dangling symbolic link is a
// name taken (os.Stat would call it free); a name whose own length fits
// also fits as a temporary (the temporary's name is short).
func TestSaveAsRefusesDanglingLinksAndLongNames(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "d.json")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := SaveAs(filepath.Join(dir, "d.json"), oneRun()); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("dangling link: %v, want already exists", err)
	}
	long := strings.Repeat("a", MaxNameBytes-len(".json"))
	if _, _, err := SaveAs(filepath.Join(dir, long+".json"), oneRun()); err != nil {
		t.Fatalf("a %d-byte name: %v", MaxNameBytes, err)
	}
	if _, _, err := SaveAs(filepath.Join(dir, long+"aa.json"), oneRun()); err == nil || !strings.Contains(err.Error(), "at most 255") {
		t.Fatalf("a 257-byte name: %v", err)
	}
}

// TestSaveUnderAFileSaysNotADirectory: a results folder inside a regular
// file is refused at once with the cause, not after a thousand names.
func TestSaveUnderAFileSaysNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Save(filepath.Join(file, "results"), oneRun(), time.Now())
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("error %v, want not a directory", err)
	}
}
