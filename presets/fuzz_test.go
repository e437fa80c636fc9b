package presets

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds the preset parser arbitrary files. It must never panic;
// every error must be an *Error of one line naming the file; every preset
// it accepts must survive the round trip through TOML, and its texts hold no
// control character. Seeds: the
// built-in presets (added here) and testdata/fuzz/FuzzParse.
//
//	go test -run '^$' -fuzz FuzzParse ./presets
func FuzzParse(f *testing.F) {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	for _, e := range entries {
		data, _ := builtinFS.ReadFile("builtin/" + e.Name())
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.toml", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "fuzz.toml") {
				t.Fatalf("error %q: want one line starting with the file", msg)
			}
			return
		}
		if _, err := p.Jobs(); err != nil {
			t.Fatalf("accepted preset has bad jobs: %v\n%s", err, data)
		}
		for _, s := range []string{p.Title, p.Notes, p.Question} {
			for _, r := range s {
				if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
					t.Fatalf("control character %U reaches the screen in %q", r, s)
				}
			}
		}
		text := p.TOML()
		q, err := Parse("fuzz.toml", []byte(text))
		if err != nil {
			t.Fatalf("TOML() of an accepted preset does not parse: %v\n--- input\n%s\n--- TOML()\n%s", err, data, text)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip differs:\n got %#v\nwant %#v\n--- TOML()\n%s", q, p, text)
		}
	})
}
