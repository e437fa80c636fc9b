package lab

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// ReadSmallFile reads the file at path, refusing with one line what is
// not a small regular file: a named pipe, a device (/dev/zero) or a
// folder — checked before it is opened, so a pipe nobody writes to never
// hangs the reader — or a file longer than limit bytes (read one byte
// past the limit, so a file that grows while it is read is caught too).
// Symbolic links are followed. Errors do not repeat path: callers name it.
func ReadSmallFile(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fileKind(st.Mode()))
	}
	if st.Size() > limit {
		return nil, tooLong(st.Size(), limit)
	}
	// O_NONBLOCK: if a pipe took the file's place since Stat, opening it
	// does not wait for a writer; the check below refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, unwrapPath(err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fileKind(st.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, unwrapPath(err)
	}
	if int64(len(data)) > limit { // it grew since Stat
		return nil, fmt.Errorf("longer than %s, the most accepted", sizeText(limit))
	}
	return data, nil
}

// tooLong is the error of a file of n bytes over the limit.
func tooLong(n, limit int64) error {
	return fmt.Errorf("%s long; at most %s", sizeText(n), sizeText(limit))
}

// sizeText writes a byte count in KiB or MiB, as file limits are stated.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// fileKind names a file mode that is not a regular file's.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Printable returns s with every control character escaped as Go writes
// it in a quoted string (ESC as \x1b, NUL as \x00, U+009B as \u009b), so
// that text read from a file (a preset's notes, a config.json's model name,
// a file's name) cannot move the cursor, retitle or reprogram the terminal
// it is shown on. With keepLines, newlines and tabs stay as they are (for
// notes that are wrapped); without, they are escaped too.
func Printable(s string, keepLines bool) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r, keepLines) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !unsafeRune(r, keepLines) {
			b.WriteRune(r)
			continue
		}
		if r < 0x80 {
			fmt.Fprintf(&b, `\x%02x`, r)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unsafeRune reports whether r must not reach a terminal as it is: C0 and
// C1 control characters and DEL (newline and tab too, unless keepLines),
// and the Unicode controls that reorder or hide text (bidirectional
// overrides and isolates, line and paragraph separators).
func unsafeRune(r rune, keepLines bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepLines
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}
