package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/loralab/loralab/presets"
)

// capture runs one of the commands with buffers.
func capture(run func([]string, io.Writer, io.Writer) int, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// checkUsageLine checks the usage-error convention: exit 2 and exactly one
// line on stderr, "loralab CMD: ...", nothing on stdout.
func checkUsageLine(t *testing.T, cmd string, code int, stdout, stderr string, says ...string) {
	t.Helper()
	if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "loralab "+cmd+": ") {
		t.Errorf("exit %d, stdout %q, stderr %q: want exit 2 and one line \"loralab %s: ...\" on stderr", code, stdout, stderr, cmd)
	}
	for _, s := range says {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr %q does not say %q", stderr, s)
		}
	}
}

// tempUserPresets points the user presets folder at a new temporary folder.
func tempUserPresets(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := presets.UserDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPresetsList(t *testing.T) {
	tempUserPresets(t)
	for _, args := range [][]string{nil, {"list"}} {
		code, out, errOut := capture(runPresets, args...)
		if code != exitOK || errOut != "" {
			t.Fatalf("presets %v: exit %d, stderr %q", args, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "MODE") || !strings.Contains(lines[0], "TITLE") {
			t.Errorf("header %q", lines[0])
		}
		for i, p := range presets.BuiltIn() {
			f := strings.Fields(lines[i+1])
			if f[0] != p.Name || f[1] != p.Mode || !strings.Contains(lines[i+1], p.Title) {
				t.Errorf("line %q: want %s %s %s", lines[i+1], p.Name, p.Mode, p.Title)
			}
		}
		if !strings.Contains(lines[1], "(default)") {
			t.Errorf("the default is not marked: %q", lines[1])
		}
	}
}

func TestPresetsListUserFiles(t *testing.T) {
	dir := tempUserPresets(t)
	good := "mode = \"race\"\nmethods = [\"lora\", \"full\"]\ntitle = \"Mine\"\n"
	bad := "mode = \"race\"\nmethods = [\"lora\", \"full\"]\n\n[settings]\nrank = \"many\"\n"
	os.WriteFile(filepath.Join(dir, "mine.toml"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.toml"), []byte(bad), 0o644)
	code, out, errOut := capture(runPresets)
	if code != exitFailed {
		t.Errorf("exit %d, want 1 for a bad user file", code)
	}
	if !strings.Contains(out, "mine ") || !strings.Contains(out, filepath.Join(dir, "mine.toml")) || !strings.Contains(out, "race-five") {
		t.Errorf("the good file and the built-ins must still list:\n%s", out)
	}
	want := "loralab presets: " + filepath.Join(dir, "broken.toml") + ":5: settings.rank: "
	if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "whole number") {
		t.Errorf("stderr %q: want one line starting %q and saying what is allowed", errOut, want)
	}
}

func TestPresetsShow(t *testing.T) {
	tempUserPresets(t)
	for _, p := range presets.BuiltIn() {
		code, out, errOut := capture(runPresets, "show", p.Name)
		if code != exitOK || errOut != "" {
			t.Fatalf("show %s: exit %d, stderr %q", p.Name, code, errOut)
		}
		// What show prints is a preset file: saved and loaded, it is the same preset.
		q, err := presets.Parse("copy.toml", []byte(out))
		if err != nil {
			t.Fatalf("show %s does not print a valid preset file: %v\n%s", p.Name, err, out)
		}
		q.Source = p.Source
		if !reflect.DeepEqual(p, q) {
			t.Errorf("show %s: the copy differs:\n%#v\n%#v", p.Name, q, p)
		}
	}
	code, out, errOut := capture(runPresets, "show", "nope")
	checkUsageLine(t, "presets", code, out, errOut, `"nope"`, "race-five, rank-matters")
	code, out, errOut = capture(runPresets, "show")
	checkUsageLine(t, "presets", code, out, errOut, "show needs one preset name", "race-five")
	code, out, errOut = capture(runPresets, "show", "a", "b")
	checkUsageLine(t, "presets", code, out, errOut, "show needs one preset name")
}

func TestPresetsCheck(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.toml"), filepath.Join(dir, "bad.toml")
	os.WriteFile(good, []byte("mode = \"single\"\nmethods = [\"vera\"]\n"), 0o644)
	os.WriteFile(bad, []byte("mode = \"single\"\nmethods = [\"vera\"]\nspeed = 3\n"), 0o644)
	code, out, errOut := capture(runPresets, "check", good)
	if code != exitOK || !strings.Contains(out, "good.toml: ok") || errOut != "" {
		t.Errorf("check good: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = capture(runPresets, "check", good, bad)
	if code != exitFailed || !strings.Contains(errOut, bad+":3: speed: unknown key") {
		t.Errorf("check bad: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = capture(runPresets, "check")
	checkUsageLine(t, "presets", code, out, errOut, "check needs")
}

func TestPresetsUsage(t *testing.T) {
	for _, h := range []string{"-h", "--help"} {
		code, out, errOut := capture(runPresets, h)
		if code != exitOK || errOut != "" || !strings.HasPrefix(out, "usage: loralab presets") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", h, code, out, errOut)
		}
	}
	code, out, errOut := capture(runPresets, "frobnicate")
	checkUsageLine(t, "presets", code, out, errOut, `"frobnicate"`, "list, show NAME or check FILE")
	code, out, errOut = capture(runPresets, "--bogus")
	checkUsageLine(t, "presets", code, out, errOut, "bogus")
	code, out, errOut = capture(runPresets, "list", "extra")
	checkUsageLine(t, "presets", code, out, errOut, "list takes no arguments")
}

// The commands table lists both commands, and Main dispatches to them.
func TestPresetsAndExplainAreCommands(t *testing.T) {
	tempUserPresets(t)
	var o, e bytes.Buffer
	if code := Main([]string{"presets"}, &o, &e); code != exitOK || !strings.Contains(o.String(), "race-five") {
		t.Errorf("loralab presets: exit %d, %q %q", code, o.String(), e.String())
	}
	o.Reset()
	if code := Main([]string{"explain", "lora"}, &o, &e); code != exitOK || !strings.Contains(o.String(), "LoRA") {
		t.Errorf("loralab explain lora: exit %d, %q %q", code, o.String(), e.String())
	}
	o.Reset()
	Main([]string{"--help"}, &o, &e)
	if !strings.Contains(o.String(), "presets") || !strings.Contains(o.String(), "explain") {
		t.Errorf("help does not list presets and explain:\n%s", o.String())
	}
}
