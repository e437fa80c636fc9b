package presets

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReadmeListsEveryPreset checks that the README's table of lessons
// names every built-in preset, and no preset that does not exist.
func TestReadmeListsEveryPreset(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## What the lessons show")
	end := strings.Index(readme[max(start, 0)+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal(`README has no "## What the lessons show" section`)
	}
	var listed []string
	cell := regexp.MustCompile("`([a-z0-9-]+)`")
	for _, line := range strings.Split(readme[start:start+1+end], "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && strings.Contains(cells[1], "`") {
			for _, m := range cell.FindAllStringSubmatch(cells[1], -1) {
				listed = append(listed, m[1])
			}
		}
	}
	var names []string
	for _, p := range BuiltIn() {
		names = append(names, p.Name)
		if !slices.Contains(listed, p.Name) {
			t.Errorf("README's lessons table lacks the built-in preset %s", p.Name)
		}
	}
	for _, n := range listed {
		if !slices.Contains(names, n) {
			t.Errorf("README's lessons table names %s, which is not a built-in preset", n)
		}
	}
}
