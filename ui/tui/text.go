package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// width is the display width of s in cells, ignoring escape codes. Text
// made of the characters the lab draws (Latin, Greek, box drawing, block
// elements, geometric shapes) is measured rune by rune; anything else (wide
// scripts, emoji, combining marks) goes through ansi.StringWidth's
// grapheme clustering.
func width(s string) int {
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

// fit clips s to w cells and pads it with spaces to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = width(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// fitLines makes text exactly h lines of exactly w cells.
func fitLines(text string, w, h int) []string {
	lines := strings.Split(text, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return out
}

// block joins lines into one string.
func block(lines []string) string { return strings.Join(lines, "\n") }

// hjoin puts blocks of equal height side by side; each block's lines must
// already have their exact widths.
func hjoin(blocks ...[]string) []string {
	h := 0
	for _, b := range blocks {
		h = max(h, len(b))
	}
	out := make([]string, h)
	for i := range out {
		var sb strings.Builder
		for _, b := range blocks {
			if i < len(b) {
				sb.WriteString(b[i])
			}
		}
		out[i] = sb.String()
	}
	return out
}

// spread puts left and right at the two ends of a line of w cells; right
// wins when they do not both fit.
func spread(left, right string, w int) string {
	lw, rw := width(left), width(right)
	if lw+rw+1 > w {
		if rw >= w {
			return fit(right, w)
		}
		return fit(left, w-rw-1) + " " + right
	}
	return left + strings.Repeat(" ", w-lw-rw) + right
}

func nan() float64 { return math.NaN() }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// fmtLoss formats a loss in at most 7 cells: 0.0123, 1.2e-05, "—" if unknown.
func fmtLoss(x float64) string {
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

// fmtBytes formats a byte count: 512 B, 1.2 KiB, 3.4 MiB.
func fmtBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for math.Abs(b) >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", b, units[i])
	}
	if b >= 100 {
		return fmt.Sprintf("%.0f %s", b, units[i])
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}

// fmtCount formats a count compactly: 950, 4.1k, 12k, 1.3M.
func fmtCount(n float64) string {
	a := math.Abs(n)
	switch {
	case a >= 1e6:
		return trimFloat(math.Round(n/1e5)/10) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(math.Round(n/1e3), 'f', 0, 64) + "k"
	case a >= 1e3:
		return trimFloat(math.Round(n/1e2)/10) + "k"
	}
	return strconv.FormatFloat(math.Round(n), 'f', 0, 64)
}

// fmtDuration formats elapsed time as m:ss or h:mm:ss.
func fmtDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// trimFloat formats x with as few digits as it needs.
func trimFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// countWord spells a small count as a word (one … twelve), a larger one in
// digits.
func countWord(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return itoa(n)
}
