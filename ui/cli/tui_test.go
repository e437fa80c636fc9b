package cli

import (
	"bytes"
	"strings"
	"testing"
)

// The tui command refuses to draw where it cannot, and its usage errors are
// one line with exit status 2.
func TestTUIRefusesAndUsage(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "standard output is not a terminal"},
		{[]string{"--preset", "nope"}, 2, `preset "nope": unknown`},
		{[]string{"--bogus"}, 2, "flag provided but not defined"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--preset-file", "/nonexistent.toml"}, 2, "nonexistent.toml"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if got := runTUI(c.args, &out, &errb); got != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, got, c.code, errb.String())
		}
		if !strings.Contains(errb.String(), c.stderr) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errb.String(), c.stderr)
		}
		if c.stderr != "standard output is not a terminal" && strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: error is not one line: %q", c.args, errb.String())
		}
	}
	t.Setenv("TERM", "dumb")
	var out, errb bytes.Buffer
	if got := runTUI(nil, &out, &errb); got != 2 || !strings.Contains(errb.String(), "TERM=dumb") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("TERM=dumb: exit %d, stderr %q", got, errb.String())
	}
	out.Reset()
	if got := runTUI([]string{"--help"}, &out, &errb); got != 0 || !strings.Contains(out.String(), "--preset") {
		t.Errorf("--help: exit %d, stdout %q", got, out.String())
	}
}
