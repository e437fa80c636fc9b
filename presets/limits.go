package presets

import "fmt"

// Limits on a preset file, checked before the TOML is decoded: the largest
// preset LoRA Lab ships is under 2 KiB and nests three keys deep
// (overrides.METHOD.setting), while a file of dotted keys thousands deep
// takes the TOML library seconds and a gigabyte to decode.
const (
	// MaxFileBytes is the largest preset file read.
	MaxFileBytes = 64 << 10
	// MaxDepth bounds both the parts of one key (a.b.c has three; a table
	// header's parts count before the keys under it) and the nesting of
	// arrays and inline tables.
	MaxDepth = 8
)

// checkShape refuses, before decoding, a preset text larger than
// MaxFileBytes or nested deeper than MaxDepth, with the line. It reads TOML
// lexically: strings (basic, literal, multi-line) and comments are skipped,
// so dots and brackets inside them do not count; a float's dot is in a
// value, not a key, and does not either.
func checkShape(file string, data []byte) *Error {
	if len(data) > MaxFileBytes {
		return &Error{File: file, Msg: fmt.Sprintf("%d KiB long; a preset file is at most %d KiB", (len(data)+1023)>>10, MaxFileBytes>>10)}
	}
	line := 1
	var stack []byte // '[' for an array, '{' for an inline table
	inKey := true    // reading a key (at the start of a line, or after '{' or ',' in an inline table)
	header := false  // reading a [table] or [[array of tables]] header
	tableParts := 0  // the parts of the last table header: keys under it nest below them
	parts := 1       // the parts of the key being read
	deep := func(what string, n int) *Error {
		return &Error{File: file, Line: line, Msg: fmt.Sprintf("%s nested %d deep; a preset nests at most %d", what, n, MaxDepth)}
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\n':
			line++
			if len(stack) == 0 {
				inKey, header, parts = true, false, 1
			}
		case c == '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			end, lines := skipString(data, i)
			line += lines
			i = end
		case c == '.' && inKey:
			parts++
			depth := parts
			if !header {
				depth += tableParts
			}
			if depth > MaxDepth {
				return deep("keys", depth)
			}
		case c == '=' && inKey:
			inKey = false
		case c == '[' && inKey && len(stack) == 0 && !header: // a table header
			header, parts = true, 1
			if i+1 < len(data) && data[i+1] == '[' {
				i++
			}
		case c == ']' && header:
			if i+1 < len(data) && data[i+1] == ']' {
				i++
			}
			header, inKey, tableParts = false, false, parts
		case c == '[' || c == '{':
			stack = append(stack, c)
			if len(stack) > MaxDepth {
				return deep("arrays and inline tables", len(stack))
			}
			if c == '{' {
				inKey, parts = true, 1
			}
		case c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			inKey = false
		case c == ',' && len(stack) > 0 && stack[len(stack)-1] == '{':
			inKey, parts = true, 1
		}
	}
	return nil
}

// skipString returns the index of the last byte of the string that starts
// at data[i] (a quote) and the newlines inside it. An unterminated string
// runs to the end: the decoder reports it.
func skipString(data []byte, i int) (end, lines int) {
	q := data[i]
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	j := i + 1
	if multi {
		j = i + 3
	}
	for ; j < len(data); j++ {
		switch c := data[j]; {
		case c == '\\' && q == '"':
			j++
			if j < len(data) && data[j] == '\n' {
				lines++
			}
		case c == '\n':
			lines++
			if !multi {
				return j - 1, lines - 1 // a basic string ends at its line; the newline is the caller's
			}
		case c == q && !multi:
			return j, lines
		case c == q && j+2 < len(data) && data[j+1] == q && data[j+2] == q:
			for j+3 < len(data) && data[j+3] == q { // up to two quotes may end the content
				j++
			}
			return j + 2, lines
		}
	}
	return len(data) - 1, lines
}
