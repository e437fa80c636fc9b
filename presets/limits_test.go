package presets

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const goodPreset = "name = \"ok\"\nmode = \"single\"\nmethods = [\"lora\"]\n"

// TestDeepTOMLRefusedBeforeDecoding: a 16 KB file of one dotted key
// thousands of parts deep (which took the TOML library 5 s and 1.1 GB), the
// same through a table header, and arrays or inline tables nested deeper than
// MaxDepth are refused with the line, before decoding; the nesting real
// presets use passes, and dots or brackets inside strings and comments, and
// floats, do not count.
func TestDeepTOMLRefusedBeforeDecoding(t *testing.T) {
	deep := strings.Repeat("a.", 8000) + "a = 1\n"
	for name, text := range map[string]string{
		"dotted key":    goodPreset + deep,
		"table header":  goodPreset + "[" + strings.Repeat("a.", 8000) + "a]\nb = 1\n",
		"header + keys": goodPreset + "[overrides.lora.x.y.z]\na.b.c.d = 1\n",
		"arrays":        goodPreset + "x = " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
		"inline tables": goodPreset + "x = " + strings.Repeat("{a=", 2000) + "1" + strings.Repeat("}", 2000) + "\n",
	} {
		_, err := Parse("deep.toml", []byte(text))
		line := "deep.toml:4: "
		if name == "header + keys" {
			line = "deep.toml:5: " // the key under the header goes past the limit
		}
		if err == nil || !strings.Contains(err.Error(), "; a preset nests at most 8") || !strings.HasPrefix(err.Error(), line) {
			t.Errorf("%s: %v, want %s… nested … at most 8", name, err, line)
		}
	}
	ok := goodPreset + "notes = \"a.b.c.d.e.f.g.h.i.j [[[[[[[[[[ {{{{{{{{{\" # a.b.c.d.e.f.g.h.i [[[[[[[[[[\n" +
		"question = '''x.y.z.a.b.c.d.e.f.g'''\n[settings]\nlr = 1.5e-3\n[overrides.lora]\nrank = 4\n"
	if _, err := Parse("ok.toml", []byte(ok)); err != nil {
		t.Fatalf("a preset within the limits: %v", err)
	}
}

// TestOversizedPresetRefused: a preset over MaxFileBytes is refused before
// decoding, by Parse and when read from a file.
func TestOversizedPresetRefused(t *testing.T) {
	big := goodPreset + "notes = \"" + strings.Repeat("x", MaxFileBytes) + "\"\n"
	if _, err := Parse("big.toml", []byte(big)); err == nil || !strings.Contains(err.Error(), "a preset file is at most 64 KiB") {
		t.Fatalf("Parse: %v", err)
	}
	file := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(file, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(file); err == nil || !strings.Contains(err.Error(), "at most 64 KiB") {
		t.Fatalf("Load: %v", err)
	}
}

// TestUnreadableUserPresetsAreListedNotRead: a named pipe called *.toml and
// links to /dev/zero in the user presets folder are listed as broken with
// the reason, without reading them (reading would hang or never end); the
// good presets beside them still load; Load refuses them too.
func TestUnreadableUserPresetsAreListedNotRead(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.toml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.toml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.toml"), []byte(goodPreset), 0o644); err != nil {
		t.Fatal(err)
	}
	all, errs := All(dir)
	if _, err := Lookup(all, "ok"); err != nil {
		t.Fatalf("the good preset: %v", err)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	joined := strings.Join(msgs, "\n")
	if len(errs) != 2 || !strings.Contains(joined, "pipe.toml: cannot read the preset file: not a regular file (a named pipe)") ||
		!strings.Contains(joined, "zero.toml: cannot read the preset file: not a regular file (a character device)") {
		t.Fatalf("errors:\n%s", joined)
	}
	if _, err := Load("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Load(/dev/zero): %v", err)
	}
}

// TestPresetTextIsEscaped: control characters in a preset's title, notes
// and question (an OSC sequence that retitles the terminal, NUL, ESC) and in
// its keys (echoed by errors) never reach the terminal as they are.
func TestPresetTextIsEscaped(t *testing.T) {
	text := goodPreset + `title = "evil\u001b]0;pwned\u0007"` + "\n" +
		`notes = "look\u001b[2J here\u0000"` + "\n" + `question = "why\u009b?"` + "\n"
	p, err := Parse("evil.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{p.Title, p.Notes, p.Question, p.TOML()} {
		for _, r := range s {
			if (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) {
				t.Fatalf("control character %U left in %q", r, s)
			}
		}
	}
	if p.Title != `evil\x1b]0;pwned\x07` {
		t.Fatalf("title %q", p.Title)
	}
	_, err = Parse("evil.toml", []byte(goodPreset+`"x\u001b[31m" = 1`+"\n"))
	if err == nil || strings.ContainsRune(err.Error(), 0x1b) || !strings.Contains(err.Error(), `x\x1b[31m`) {
		t.Fatalf("an unknown key's error: %q", err)
	}
}
