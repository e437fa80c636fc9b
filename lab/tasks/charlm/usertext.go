package charlm

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// Limits on a user's own fine-tuning text (--text-file).
const (
	// MaxTextBytes is the largest file accepted: 4 MiB, seven times Opticks,
	// far more than a run of a few thousand steps reads.
	MaxTextBytes = 4 << 20
	// MaxUnknownShare is the largest share of characters that may fall
	// outside the base vocabulary (after folding): beyond it the text would
	// be mostly '?' to the model, so it is refused rather than trained on.
	MaxUnknownShare = 0.25
)

// ReadUserText reads, checks and encodes the file at path for fine-tuning a
// base model of vocabulary v with context t. Every refusal is one line that
// names the file and says what is allowed: not a regular file, larger than
// MaxTextBytes, empty, binary (a NUL byte), not UTF-8, too short for the
// context, or more than MaxUnknownShare outside the vocabulary. Characters
// outside the vocabulary below that share are folded or replaced and counted
// in the report (EncodeReport.String says what happened, for the user).
func ReadUserText(path string, v *Vocab, t int) (*Text, EncodeReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, EncodeReport{}, fmt.Errorf("--text-file %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, EncodeReport{}, fmt.Errorf("--text-file %s: %v", path, unwrapPath(err))
	}
	if !info.Mode().IsRegular() {
		return nil, EncodeReport{}, fmt.Errorf("--text-file %s: not a regular file", path)
	}
	// Read one byte past the limit: a file that grew since Stat is caught too.
	data, err := io.ReadAll(io.LimitReader(f, MaxTextBytes+1))
	if err != nil {
		return nil, EncodeReport{}, fmt.Errorf("--text-file %s: %v", path, unwrapPath(err))
	}
	if len(data) > MaxTextBytes {
		return nil, EncodeReport{}, fmt.Errorf("--text-file %s: %s; at most %d MiB", path, sizeString(info.Size()), MaxTextBytes>>20)
	}
	return ParseUserText(filepath.Base(path), data, v, t)
}

// ParseUserText checks and encodes the bytes of a user's text named name (the
// checks of ReadUserText after reading).
func ParseUserText(name string, data []byte, v *Vocab, t int) (*Text, EncodeReport, error) {
	fail := func(format string, args ...any) (*Text, EncodeReport, error) {
		return nil, EncodeReport{}, fmt.Errorf("--text-file %s: "+format, append([]any{name}, args...)...)
	}
	if len(data) > MaxTextBytes {
		return fail("%s; at most %d MiB", sizeString(int64(len(data))), MaxTextBytes>>20)
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))) == 0 {
		return fail("empty; want UTF-8 text of at least %d characters", MinChars(t))
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fail("binary (a NUL byte at offset %d); want UTF-8 text", i)
	}
	if !utf8.Valid(data) {
		return fail("not UTF-8 text (invalid byte 0x%02x at offset %d); convert it to UTF-8 first", data[invalidAt(data)], invalidAt(data))
	}
	ids, rep := v.Encode(string(data))
	if share := float64(rep.Replaced) / float64(max(1, rep.Chars)); share > MaxUnknownShare {
		return fail("%.0f%% of its %d characters are outside the base model's %d-character vocabulary (most common: %q); at most %.0f%% may be",
			100*share, rep.Chars, v.Size(), rep.Unknown[0].Rune, 100*MaxUnknownShare)
	}
	if len(ids) < MinChars(t) {
		return fail("%d characters; at least %d needed for context %d (a tenth is held out and must hold %d)", len(ids), MinChars(t), t, t+1)
	}
	return assemble(name, string(data), ids), rep, nil
}

// invalidAt is the offset of the first byte that is not valid UTF-8.
func invalidAt(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func sizeString(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// unwrapPath drops the path an *os.PathError repeats ("open x: no such file").
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
