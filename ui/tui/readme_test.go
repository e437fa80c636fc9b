package tui

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
)

// TestReadmeListsEveryKey checks that the README's table of keys names every
// key of the lab's key map (each key of a binding's help, in backticks), so
// a new binding cannot ship undocumented.
func TestReadmeListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "### Keys")
	end := strings.Index(readme[max(start, 0):], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README has no \"### Keys\" section followed by a \"## \" heading")
	}
	table := readme[start : start+end]
	km := reflect.ValueOf(DefaultKeyMap()).Elem()
	for i := range km.NumField() {
		kb, ok := km.Field(i).Interface().(key.Binding)
		if !ok {
			continue
		}
		help := kb.Help().Key
		if strings.Contains(table, "`"+help+"`") {
			continue
		}
		for _, k := range strings.Split(help, "/") {
			if !strings.Contains(table, "`"+k+"`") {
				t.Errorf("README's keys table lacks %s (%s: %q, %s)", "`"+k+"`", km.Type().Field(i).Name, help, kb.Help().Desc)
			}
		}
	}
}
