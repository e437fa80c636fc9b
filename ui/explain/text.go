package explain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loralab/loralab/ui/text"
)

// asciiReplacer spells the explanation's mathematical and drawing
// characters in ASCII, for terminals without UTF-8.
var asciiReplacer = strings.NewReplacer(
	"⁻¹", "^-1", "Σₙ", "sum_n", "ᵀ", "^T", "·", "*", "×", "x", "Δ", "d", "∂", "d", "λ", "lambda", "α", "alpha",
	"√", "sqrt", "⊙", "(.)", "Σ", "sum", "′", "'", "≤", "<=", "≥", ">=", "←", "<-", "→", "->",
	"–", "-", "—", "--", "−", "-", "…", "...", "≈", "~", "ε", "eps", "₀", "0", "ₙ", "n", "⊕", "+",
	"─", "-", "│", "|", "┌", "+", "┐", "+", "└", "+", "┘", "+", "┬", "+", "┴", "+", "├", "+", "┤", "+", "┼", "+",
	"▶", ">", "▲", "^", "▼", "v", "◀", "<", "“", `"`, "”", `"`, "‘", "'", "’", "'", "⋯", "...",
	"²", "^2", "µ", "u", "\u00a0", " ", "‖", "||", "Ĝ", "G^", "§", "section ",
)

// toASCII spells s in ASCII: known symbols by name, anything else as '?'.
func toASCII(s string) string {
	s = asciiReplacer.Replace(s)
	for _, r := range s {
		if r >= utf8.RuneSelf {
			return strings.Map(func(r rune) rune {
				if r >= utf8.RuneSelf {
					return '?'
				}
				return r
			}, s)
		}
	}
	return s
}

// IsASCIILocale reports whether the locale in the environment lacks UTF-8:
// the first of LC_ALL, LC_CTYPE and LANG that is set decides (as in POSIX),
// and with none set the locale is "C", which is ASCII.
func IsASCIILocale(getenv func(string) string) bool {
	for _, name := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(name); v != "" {
			v = strings.ToLower(v)
			return !strings.Contains(v, "utf-8") && !strings.Contains(v, "utf8")
		}
	}
	return true
}

// width is the number of terminal cells s takes.
func width(s string) int { return text.Width(s) }

// wrap breaks s into lines of at most w cells after indent, breaking at
// spaces; paragraphs (separated by "\n") stay separate.
func wrap(s string, w int, indent string) string {
	return strings.Join(text.Indent(text.Wrap(s, max(w-width(indent), 20)), indent), "\n")
}

// formula writes one formula line after indent as it is, keeping its
// alignment, unless it is too long for w cells: then it is wrapped.
func formula(line string, w int, indent string) string {
	if width(indent)+width(line) <= w {
		return indent + line
	}
	return wrap(line, w, indent)
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[size:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// n formats an integer with thousands separators: 20736 -> "20,736".
func n(v int) string { return text.Count(int64(v)) }

// n64 is n for byte counts.
func n64(v int64) string { return text.Count(v) }

// g formats a float the short way: 0.002 -> "0.002", 1e-05 -> "1e-05".
func g(x float64) string { return text.Number(x) }

// percent formats part/whole as "19.8 %" (or "–" when whole is 0).
func percent(part, whole int) string { return text.Percent(int64(part), int64(whole)) }
