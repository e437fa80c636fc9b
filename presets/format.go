package presets

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// formatHeader is the comment at the top of every file TOML writes: the
// file format in brief, so a printed preset can be copied and edited. The
// methods are the registry's.
var formatHeader = `# LoRA Lab preset. Save as $XDG_CONFIG_HOME/loralab/presets/NAME.toml
# (usually ~/.config/loralab/presets) or run it with --preset-file FILE.
#
# name      lower-case letters, digits, '-' or '_' (default: the file's name)
# title     one line shown above the runs
# mode      "single" (one method), "race" (methods side by side on identical
#           data) or "sweep" (one setting over values, for each method)
# methods   ` + strings.Join(Catalog.MethodNames(), ", ") + `
# question  the question to ask the room
# notes     what to look for
# [settings]            setting = value for every method, by flag name
#                       (loralab run --help lists them); unset = default
# [overrides.METHOD]    settings for one of the methods only
# [sweep]   setting = a sweepable setting; values = [1, 2, 4] or "1..32:log:6"
`

// TOML returns the preset in the file format, with a header describing the
// format, so that `loralab presets show` can print it for copying and
// editing. Parse(TOML()) gives the preset back.
func (p Preset) TOML() string {
	var b strings.Builder
	b.WriteString(formatHeader)
	b.WriteString("\n")
	fmt.Fprintf(&b, "name = %s\n", quote(p.Name))
	fmt.Fprintf(&b, "title = %s\n", quote(p.Title))
	fmt.Fprintf(&b, "mode = %s\n", quote(p.Mode))
	ms := make([]string, len(p.Methods))
	for i, m := range p.Methods {
		ms[i] = quote(m)
	}
	fmt.Fprintf(&b, "methods = [%s]\n", strings.Join(ms, ", "))
	if p.Question != "" {
		fmt.Fprintf(&b, "question = %s\n", quoteMulti(p.Question))
	}
	if p.Notes != "" {
		fmt.Fprintf(&b, "notes = %s\n", quoteMulti(p.Notes))
	}
	if len(p.Settings) > 0 {
		b.WriteString("\n[settings]\n")
		writeSettings(&b, p.Settings)
	}
	if p.Sweep != nil {
		b.WriteString("\n[sweep]\n")
		fmt.Fprintf(&b, "setting = %s\n", quote(p.Sweep.Setting))
		kind := lab.StringSetting
		if s, err := Catalog.Setting(p.Sweep.Setting); err == nil {
			kind = s.Kind
		}
		vs := make([]string, len(p.Sweep.Values))
		for i, v := range p.Sweep.Values {
			vs[i] = value(kind, v)
		}
		fmt.Fprintf(&b, "values = [%s]\n", strings.Join(vs, ", "))
	}
	for _, m := range Catalog.MethodNames() {
		over, ok := p.Overrides[m]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "\n[overrides.%s]\n", m)
		writeSettings(&b, over)
	}
	return b.String()
}

// writeSettings writes setting = value lines in the lab's display order.
func writeSettings(b *strings.Builder, m map[string]string) {
	for _, s := range Catalog.Settings() {
		if v, ok := m[s.Name]; ok {
			fmt.Fprintf(b, "%s = %s\n", s.Name, value(s.Kind, v))
		}
	}
}

// value writes a setting's value as a bare TOML number or boolean when it is
// one, and as a string otherwise.
func value(kind lab.Kind, v string) string {
	switch kind {
	case lab.IntSetting:
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v
		}
	case lab.FloatSetting:
		if isTOMLFloat(v) {
			return v
		}
	case lab.BoolSetting:
		if v == "true" || v == "false" {
			return v
		}
	}
	return quote(v)
}

// isTOMLFloat reports whether v, as strconv's 'g' format writes a finite
// float64, is also a TOML number ("0.002", "1e-05", "16").
func isTOMLFloat(v string) bool {
	if _, err := strconv.ParseFloat(v, 64); err != nil || v == "" {
		return false
	}
	for _, r := range v {
		if !strings.ContainsRune("0123456789.e+-", r) {
			return false
		}
	}
	mant, _, _ := strings.Cut(v, "e")
	mant = strings.TrimPrefix(mant, "-")
	whole, frac, dot := strings.Cut(mant, ".")
	return whole != "" && (!dot || frac != "") && (len(whole) == 1 || whole[0] != '0')
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// wrapWidth is the width TOML wraps teaching text at.
const wrapWidth = 88

// quoteMulti writes reflowed text (see Reflow) as a basic string when it is
// one short paragraph, and otherwise as a multi-line basic string wrapped at
// wrapWidth, with a blank line between paragraphs.
func quoteMulti(s string) string {
	if !strings.Contains(s, "\n") && len(s) <= wrapWidth {
		return quote(s)
	}
	var paras []string
	for _, p := range strings.Split(s, "\n\n") {
		paras = append(paras, strings.Join(text.Wrap(text.OneLine(p), wrapWidth), "\n"))
	}
	var b strings.Builder
	b.WriteString("\"\"\"\n")
	for _, r := range strings.Join(paras, "\n\n") {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString("\n\"\"\"")
	return b.String()
}
