package tasks_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab/tasks"
)

// TestNamesStayInTheirRooms: no method name appears as a string literal in
// Go code outside adapters/, and no task name outside lab/tasks/ (tests
// excepted): every other room learns them from the registries.
func TestNamesStayInTheirRooms(t *testing.T) {
	root := filepath.Join("..", "..")
	names := map[string]string{} // literal → the room it belongs to
	for _, m := range adapters.All() {
		names[m.Info().Name] = "adapters"
	}
	for _, task := range tasks.All() {
		names[task.Info().Name] = filepath.Join("lab", "tasks")
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if room, ok := names[s]; ok && !strings.HasPrefix(rel, room+string(filepath.Separator)) {
				t.Errorf("%s: the name %q belongs in %s/", rel, s, room)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
