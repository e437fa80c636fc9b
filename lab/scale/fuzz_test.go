package scale_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab/scale"
)

// FuzzParseConfig feeds the config.json reader arbitrary text. It must never
// panic; every error is one line; every model it accepts is valid
// (Model.Validate), names itself without a control character, and can be
// estimated for the first method. Seeds: the real configs in testdata (added
// here) and testdata/fuzz/FuzzParseConfig.
//
//	go test -run '^$' -fuzz FuzzParseConfig ./lab/scale
func FuzzParseConfig(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		if filepath.Base(file) == "measured.json" {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := scale.ParseConfig(data, "fuzz")
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || msg == "" {
				t.Fatalf("error %q: want one line", msg)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid model: %v\n%s", err, data)
		}
		for _, s := range []string{m.Name, m.Source} {
			for _, r := range s {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
					t.Fatalf("control character %U in %q", r, s)
				}
			}
		}
		if m.Params() <= 0 {
			t.Fatalf("accepted a model of %d parameters\n%s", m.Params(), data)
		}
	})
}

// TestConfigFileLimits: --config-file refuses what is not a regular file
// (/dev/zero, read until the process died before) and files over
// MaxConfigBytes, with one line naming the file.
func TestConfigFileLimits(t *testing.T) {
	big := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(big, []byte(`{"hidden_size": 64`+strings.Repeat(" ", scale.MaxConfigBytes)+`}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/dev/zero": "config file /dev/zero: not a regular file (a character device)",
		big:         "config file " + big + ": 1.0 MiB long; at most 1 MiB",
	} {
		if _, err := scale.LoadConfigFile(path); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
}

// TestConfigNameIsEscaped: a config.json's _name_or_path and model_type
// reach tables escaped, never as terminal control sequences.
func TestConfigNameIsEscaped(t *testing.T) {
	data := []byte(`{"_name_or_path": "evil\u001b]0;pwned\u0007", "model_type": "x\u001b[2J", "hidden_size": 64, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}`)
	m, err := scale.ParseConfig(data, "fallback")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != `evil\x1b]0;pwned\x07` || strings.ContainsRune(m.Source, 0x1b) {
		t.Fatalf("name %q, source %q", m.Name, m.Source)
	}
}

// TestZeroHeadsNamesTheHeads: --heads 0 is wrong because of the heads, not
// because of the head size it would leave undefined.
func TestZeroHeadsNamesTheHeads(t *testing.T) {
	var s scale.ModelSpec
	s.Name = "llama-2-7b"
	if err := s.SetShape("heads", "0"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Resolve()
	if err == nil || !strings.Contains(err.Error(), "heads 0: must be between 1 and") || strings.Contains(err.Error(), "head-dim") {
		t.Fatalf("error %v, want heads 0: must be between 1 and …", err)
	}
}
