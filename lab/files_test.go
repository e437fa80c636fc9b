package lab

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadSmallFileRefusesWhatIsNotASmallFile: a named pipe nobody writes
// to (opening it would block), a device that never ends, a folder, and a
// file over the limit are refused with one line; a link to a good file
// reads it.
func TestReadSmallFileRefusesWhatIsNotASmallFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(big, make([]byte, 1025), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.toml")
	if err := os.WriteFile(good, []byte("name = 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		fifo: "not a regular file (a named pipe)", zero: "not a regular file (a character device)",
		dir: "not a regular file (a folder)", big: "1.0 KiB long; at most 1 KiB",
		filepath.Join(dir, "none"): "no such file or directory",
	} {
		_, err := ReadSmallFile(path, 1024)
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", filepath.Base(path), err, want)
		}
	}
	data, err := ReadSmallFile(link, 1024)
	if err != nil || string(data) != "name = 1" {
		t.Fatalf("link: %q %v", data, err)
	}
}

// TestPrintable: control characters (the escape that starts an OSC or CSI
// sequence, BEL, NUL, C1's CSI, bidi overrides) are escaped; text, newlines
// and tabs (with keepLines) are not.
func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain α/r text":        "plain α/r text",
		"\x1b]0;pwned\a title":  `\x1b]0;pwned\x07 title`,
		"nul\x00 del\x7f":       `nul\x00 del\x7f`,
		"c1 \u009b31m":          `c1 \u009b31m`,
		"bidi \u202eevil":       `bidi \u202eevil`,
		"two\nlines\tand a tab": "two\nlines\tand a tab",
	} {
		if got := Printable(in, true); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Printable("a\nb\tc", false); got != `a\x0ab\x09c` {
		t.Errorf("without keepLines: %q", got)
	}
	if s := Printable(strings.Repeat("\x1b", 3), false); strings.ContainsRune(s, 0x1b) {
		t.Errorf("ESC left in %q", s)
	}
}
