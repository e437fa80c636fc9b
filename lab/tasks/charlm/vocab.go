package charlm

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Vocab is a character vocabulary: id i is the i-th character in code-point
// order, so the same texts always give the same ids.
type Vocab struct {
	chars []rune
	index map[rune]int
}

// Replacement is the character that stands for any character outside the
// vocabulary that folding cannot map into it. '?' is in both base texts, so
// the base model has learnt an embedding for it (an extra "unknown" id would
// have an untrained one, frozen under every adapter method).
const Replacement = '?'

// NewVocab returns the vocabulary of every character in texts.
func NewVocab(texts ...string) *Vocab {
	seen := map[rune]bool{}
	for _, t := range texts {
		for _, r := range t {
			seen[r] = true
		}
	}
	v := &Vocab{index: map[rune]int{}}
	for r := range seen {
		v.chars = append(v.chars, r)
	}
	slices.Sort(v.chars)
	for i, r := range v.chars {
		v.index[r] = i
	}
	return v
}

// Size is the number of characters, V.
func (v *Vocab) Size() int { return len(v.chars) }

// Chars returns the characters in id order, as one string: with the size it
// identifies the vocabulary (a base model's weights record it).
func (v *Vocab) Chars() string { return string(v.chars) }

// ID returns the id of r and whether r is in the vocabulary.
func (v *Vocab) ID(r rune) (int, bool) {
	id, ok := v.index[r]
	return id, ok
}

// Decode turns ids back into text. It panics on an id outside the vocabulary.
func (v *Vocab) Decode(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteRune(v.chars[id])
	}
	return b.String()
}

// EncodeReport says how a text was mapped into the vocabulary.
type EncodeReport struct {
	Chars    int         // characters read (after dropping a byte-order mark)
	Dropped  int         // carriage returns of CRLF line ends, and zero-width characters, removed
	Folded   int         // characters written as their plain form (é → e, “ → ", — → -)
	Replaced int         // characters outside the vocabulary written as Replacement
	Unknown  []RuneCount // the replaced characters, most frequent first
}

// RuneCount is a character and how often it occurred.
type RuneCount struct {
	Rune  rune
	Count int
}

// String is a one-line summary, e.g. "12 characters outside the vocabulary
// replaced by '?' ('中' ×8, '✓' ×4); 30 folded to plain forms (é → e, …)".
// It is empty when every character was in the vocabulary.
func (r EncodeReport) String() string {
	var parts []string
	if r.Replaced > 0 {
		var top []string
		for i, u := range r.Unknown {
			if i == 5 {
				top = append(top, "…")
				break
			}
			top = append(top, fmt.Sprintf("%s ×%d", strconv.QuoteRune(u.Rune), u.Count))
		}
		parts = append(parts, fmt.Sprintf("%d characters outside the vocabulary replaced by %q (%s)", r.Replaced, Replacement, strings.Join(top, ", ")))
	}
	if r.Folded > 0 {
		parts = append(parts, fmt.Sprintf("%d folded to plain forms (é → e, “ → \", — → -)", r.Folded))
	}
	if r.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d carriage returns or zero-width characters dropped", r.Dropped))
	}
	return strings.Join(parts, "; ")
}

// Encode maps s to ids: a leading byte-order mark is skipped; "\r\n" and a
// lone "\r" become "\n"; zero-width characters are dropped; a character
// outside the vocabulary is folded to its plain form when that form is in the
// vocabulary (accented Latin letters to their base letters, typographic
// quotes, dashes, ellipses and spaces to ASCII), and otherwise replaced by
// Replacement. The report counts each kind. Invalid UTF-8 decodes as U+FFFD
// and is replaced (ReadUserText refuses such files before this).
func (v *Vocab) Encode(s string) ([]int, EncodeReport) {
	var rep EncodeReport
	s = strings.TrimPrefix(s, "\uFEFF")
	ids := make([]int, 0, len(s))
	unknown := map[rune]int{}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		rep.Chars++
		if r == '\r' {
			if i+1 < len(rs) && rs[i+1] == '\n' {
				rep.Dropped++
				continue
			}
			r = '\n'
		}
		if id, ok := v.index[r]; ok {
			ids = append(ids, id)
			continue
		}
		if plain, ok := fold(r); ok {
			if plain == "" {
				rep.Dropped++
				continue
			}
			if fids, ok := v.encodeAll(plain); ok {
				ids = append(ids, fids...)
				rep.Folded++
				continue
			}
		}
		rep.Replaced++
		unknown[r]++
		ids = append(ids, v.index[Replacement]) // a missing '?' gives id 0: only in a test's own vocabulary
	}
	for r, n := range unknown {
		rep.Unknown = append(rep.Unknown, RuneCount{r, n})
	}
	slices.SortFunc(rep.Unknown, func(a, b RuneCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Rune, b.Rune))
	})
	return ids, rep
}

// encodeAll returns the ids of every character of s, or false if one is missing.
func (v *Vocab) encodeAll(s string) ([]int, bool) {
	var ids []int
	for _, r := range s {
		id, ok := v.index[r]
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// folds maps characters common in real texts to plain ASCII forms: Latin
// letters with diacritics, ligatures, typographic punctuation. "" drops.
var folds = func() map[rune]string {
	m := map[rune]string{
		'\u200B': "", '\u200C': "", '\u200D': "", '\u2060': "", '\uFEFF': "", '\u00AD': "",
		'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '“': "\"", '”': "\"", '„': "\"", '″': "\"",
		'«': "\"", '»': "\"", '‹': "'", '›': "'", '–': "-", '—': "-", '―': "-", '‐': "-", '‑': "-", '−': "-",
		'…': "...", '•': "*", '·': ".", '×': "x", '÷': "/",
		'ß': "ss", 'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Ø': "O", 'ø': "o", 'Đ': "D", 'đ': "d",
		'Ð': "D", 'ð': "d", 'Þ': "Th", 'þ': "th", 'Ł': "L", 'ł': "l", 'ı': "i",
	}
	groups := []struct{ plain, chars string }{
		{"A", "ÀÁÂÃÄÅĀĂĄ"}, {"a", "àáâãäåāăą"}, {"C", "ÇĆĈĊČ"}, {"c", "çćĉċč"}, {"D", "Ď"}, {"d", "ď"},
		{"E", "ÈÉÊËĒĔĖĘĚ"}, {"e", "èéêëēĕėęě"}, {"G", "ĜĞĠĢ"}, {"g", "ĝğġģ"}, {"H", "Ĥ"}, {"h", "ĥ"},
		{"I", "ÌÍÎÏĨĪĬĮİ"}, {"i", "ìíîïĩīĭį"}, {"J", "Ĵ"}, {"j", "ĵ"}, {"K", "Ķ"}, {"k", "ķ"},
		{"L", "ĹĻĽĿ"}, {"l", "ĺļľŀ"}, {"N", "ÑŃŅŇ"}, {"n", "ñńņň"}, {"O", "ÒÓÔÕÖŌŎŐ"}, {"o", "òóôõöōŏő"},
		{"R", "ŔŖŘ"}, {"r", "ŕŗř"}, {"S", "ŚŜŞŠ"}, {"s", "śŝşš"}, {"T", "ŢŤ"}, {"t", "ţť"},
		{"U", "ÙÚÛÜŨŪŬŮŰŲ"}, {"u", "ùúûüũūŭůűų"}, {"W", "Ŵ"}, {"w", "ŵ"}, {"Y", "ÝŶŸ"}, {"y", "ýÿŷ"},
		{"Z", "ŹŻŽ"}, {"z", "źżž"},
	}
	for _, g := range groups {
		for _, r := range g.chars {
			m[r] = g.plain
		}
	}
	return m
}()

// fold returns the plain form of r: from the table, or a space for any other
// Unicode space (no-break, thin, ideographic, …).
func fold(r rune) (string, bool) {
	if s, ok := folds[r]; ok {
		return s, true
	}
	if unicode.IsSpace(r) && r != '\n' && r != '\t' {
		return " ", true
	}
	return "", false
}
