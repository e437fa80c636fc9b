// Package text is the one room for how LoRA Lab writes numbers and words on
// every face (the CLI's tables, the lab's panes, the explanations): bytes,
// losses, counts, percentages, display widths, wrapping and tables. Each
// thing has one format here, so the same number reads the same everywhere.
package text

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
)

// Bytes formats a byte count in binary units with three significant
// digits at most: 512 B, 1.5 KiB, 738 KiB, 12.3 MiB.
func Bytes(n int64) string {
	b := float64(n)
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for math.Abs(b) >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	switch {
	case i == 0 || math.Abs(b) >= 100:
		return fmt.Sprintf("%.0f %s", b, units[i])
	default:
		return fmt.Sprintf("%.1f %s", b, units[i])
	}
}

// Loss formats a loss for tables: four significant digits, NaN and Inf by name.
func Loss(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 0):
		return "Inf"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// Bits formats a cross-entropy of x nats per `per` as bits: x/ln 2 with
// three significant digits, "2.31 bits/char".
func Bits(x float64, per string) string {
	return sig3(x/math.Ln2) + " bits/" + per
}

// sig3 formats a number with three significant digits, NaN and Inf by name.
func sig3(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 0):
		return "Inf"
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// ShortLoss formats a loss in at most 7 cells, for charts and panes:
// 0.0123, 1.2e-05, "—" when unknown.
func ShortLoss(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	case x == 0:
		return "0"
	case math.Abs(x) >= 1e4 || math.Abs(x) < 1e-3:
		return strconv.FormatFloat(x, 'e', 1, 64)
	case math.Abs(x) >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	default:
		return strconv.FormatFloat(x, 'g', 3, 64)
	}
}

// Count formats a count with commas between groups of three digits:
// 1234567 → "1,234,567".
func Count(n int64) string { return lab.Thousands(n) }

// ShortCount formats a count compactly: 950, 4.1k, 12k, 1.3M.
func ShortCount(n float64) string {
	a := math.Abs(n)
	switch {
	case a >= 1e6:
		return Float(math.Round(n/1e5)/10) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(math.Round(n/1e3), 'f', 0, 64) + "k"
	case a >= 1e3:
		return Float(math.Round(n/1e2)/10) + "k"
	}
	return strconv.FormatFloat(math.Round(n), 'f', 0, 64)
}

// Duration formats a duration the way a person says it, with two
// significant digits at most: 42 s, 12 min, 4.2 hours, 76 days, 3.1 years
// ("—" when it is not known: zero or negative).
func Duration(d time.Duration) string {
	s := d.Seconds()
	unit := func(x float64, one, many string) string {
		v := strconv.FormatFloat(x, 'g', 2, 64)
		if x >= 100 {
			v = strconv.FormatFloat(math.Round(x), 'f', 0, 64)
		}
		if v == "1" {
			return v + " " + one
		}
		return v + " " + many
	}
	switch {
	case !(s > 0):
		return "—"
	case s < 60:
		return strconv.FormatFloat(math.Ceil(s), 'f', 0, 64) + " s"
	case s < 3600:
		return strconv.FormatFloat(math.Round(s/60), 'f', 0, 64) + " min"
	case s < 48*3600:
		return unit(s/3600, "hour", "hours")
	case s < 2*365.25*86400:
		return unit(s/86400, "day", "days")
	}
	return unit(s/(365.25*86400), "year", "years")
}

// Short formats a short time in seconds, as a benchmark says it: two
// significant digits in milliseconds below a second ("0.054 ms", "4.7 ms"),
// tenths of seconds above ("4.0 s"): an initialisation, a step.
func Short(seconds float64) string {
	switch ms := seconds * 1e3; {
	case ms >= 99.5 && ms < 1000: // 'g' would write 99.7 as 1e+02
		return strconv.FormatFloat(math.Round(ms), 'f', 0, 64) + " ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'g', 2, 64) + " ms"
	}
	return strconv.FormatFloat(seconds, 'f', 1, 64) + " s"
}

// Clock formats elapsed time as a clock does: m:ss, or h:mm:ss from an
// hour on (rounded to the second): progress bars and the lab's header.
func Clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// CountWord spells a small count as a word ("no", "one" … "twelve"), a
// larger (or negative) one in digits.
func CountWord(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

// Float formats x with as few digits as it needs: 0.002, 1e-05, 16.
func Float(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Number formats a setting's number the short way, four significant
// digits at most: 0.002, 2.828, 1e-05.
func Number(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// Percent formats part/whole as a percentage: "19.8 %", "2.53 %", "0.012 %"
// ("–" when whole is not positive).
func Percent(part, whole int64) string {
	if whole <= 0 {
		return "–"
	}
	p := 100 * float64(part) / float64(whole)
	switch {
	case p == 100:
		return "100 %"
	case p >= 10:
		return strconv.FormatFloat(p, 'f', 1, 64) + " %"
	case p >= 0.1:
		return strconv.FormatFloat(p, 'f', 2, 64) + " %"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + " %"
}

// Width is the display width of s in terminal cells, ignoring escape codes.
// Text made of the characters the lab draws (Latin, Greek, box drawing,
// block elements, geometric shapes) is measured rune by rune; anything else
// (wide scripts, emoji, combining marks) goes through ansi.StringWidth's
// grapheme clustering.
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b: // skip CSI "ESC [ … final" and other ESC x pairs
			i++
			if i < len(s) && s[i] == '[' {
				i++
				for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
					i++
				}
			}
			i++
		case c < 0x80:
			if c >= 0x20 && c != 0x7f {
				n++
			}
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x2e80 || (r >= 0x0300 && r < 0x0370) || r == utf8.RuneError || (r >= 0x1100 && r < 0x1200) || (r >= 0x200b && r <= 0x200f) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// Fit clips s to w cells (ending with …) and pads it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := Width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = Width(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// Pad right-pads s with spaces to w cells (longer text is left as it is).
func Pad(s string, w int) string {
	if n := Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// PadLeft left-pads s with spaces to w cells.
func PadLeft(s string, w int) string {
	if n := Width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

// Wrap breaks text into lines of at most w cells at spaces (a word longer
// than w gets a line of its own); paragraphs, separated by "\n", start new
// lines, and an empty paragraph is an empty line.
func Wrap(text string, w int) []string {
	w = max(w, 1)
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case Width(line)+1+Width(word) > w:
				out = append(out, line)
				line = word
			default:
				line += " " + word
			}
		}
		out = append(out, line)
	}
	return out
}

// Clip keeps the first n lines of lines, each fitted to w cells; if lines
// were cut, the last one kept ends with "…".
func Clip(lines []string, n, w int) []string {
	if n <= 0 {
		return nil
	}
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	out[n-1] = Fit(strings.TrimRight(out[n-1], " ")+" "+strings.Join(lines[n:], " "), w)
	return out
}

// Indent prefixes every line with indent.
func Indent(lines []string, indent string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = indent + l
	}
	return out
}

// Table lays rows out in columns separated by two spaces, padding each cell
// to its column's width; right names the columns aligned to the right. With
// a rule, a line of ─ follows the first row. Trailing spaces are trimmed.
func Table(rows [][]string, right map[int]bool, rule bool) string {
	var ws []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(ws) {
				ws = append(ws, 0)
			}
			ws[i] = max(ws[i], Width(c))
		}
	}
	var b strings.Builder
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			if right[j] {
				cells[j] = PadLeft(c, ws[j])
			} else {
				cells[j] = Pad(c, ws[j])
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(cells, "  "), " ") + "\n")
		if i == 0 && rule {
			total := 0
			for _, x := range ws {
				total += x
			}
			b.WriteString(strings.Repeat("─", total+2*(len(ws)-1)) + "\n")
		}
	}
	return b.String()
}

// OneLine joins the words of s with single spaces: text that came from a
// file or an error, made fit for a one-line message.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
