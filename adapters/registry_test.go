package adapters_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestRegistryIsComplete: every method carries what the house needs of it —
// a name and title, its settings (each option with a default, help and a
// name no other method's option uses differently), an explanation (what
// trains, a diagram, formulas, counts in symbols), a paper, and a colour and
// glyphs that no other method shares, each one cell wide.
func TestRegistryIsComplete(t *testing.T) {
	colours, glyphs := map[string]string{}, map[string]string{}
	options := map[string]lab.Setting{}
	for _, m := range adapters.All() {
		info := m.Info()
		name := info.Name
		if name == "" || info.Title == "" || info.Summary == "" || info.Paper == "" || info.Claim == "" || info.Caveat == "" {
			t.Errorf("%q: name, title, summary, paper, claim and caveat must all be set", name)
		}
		if info.DefaultLR <= 0 {
			t.Errorf("%s: default learning rate %v", name, info.DefaultLR)
		}
		if info.UsesRank() && info.DefaultRank < 1 {
			t.Errorf("%s: reads rank but has no default rank", name)
		}
		if !strings.HasPrefix(info.Colour, "#") || len(info.Colour) != 7 {
			t.Errorf("%s: colour %q is not #rrggbb", name, info.Colour)
		}
		if other, ok := colours[info.Colour]; ok {
			t.Errorf("%s and %s share the colour %s", name, other, info.Colour)
		}
		colours[info.Colour] = name
		for _, g := range []string{info.Glyph, info.Hollow} {
			if utf8.RuneCountInString(g) != 1 {
				t.Errorf("%s: glyph %q is not one character", name, g)
			}
			if other, ok := glyphs[g]; ok {
				t.Errorf("%s and %s share the glyph %s", name, other, g)
			}
			glyphs[g] = name
		}
		for _, s := range info.Settings {
			if s.Help == "" {
				t.Errorf("%s: setting %s has no help", name, s.Name)
			}
			if !s.Option() {
				continue
			}
			if s.Default == nil {
				t.Errorf("%s: option %s has no default", name, s.Name)
			}
			if prev, ok := options[s.Name]; ok && prev.Help != s.Help {
				t.Errorf("option %s is declared twice, differently", s.Name)
			}
			options[s.Name] = s
		}
		ex := info.Explain
		if ex.Trains == "" || len(ex.Diagram.Main) == 0 || len(ex.Forward) == 0 || len(ex.Update) == 0 ||
			ex.Trainable == "" || ex.Kept == "" || ex.KeptSymbols == "" {
			t.Errorf("%s: its explanation lacks what trains, the diagram, the formulas or the counts: %+v", name, ex)
		}
	}
}
