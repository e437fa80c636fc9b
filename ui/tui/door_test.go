package tui

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// storeTypes are the types whose values make up the Lab's state.
var storeTypes = map[string]bool{"Lab": true, "RunView": true, "SweepState": true, "SweepRun": true, "PresetState": true, "Experiment": true, "SearchState": true, "CompareSettings": true}

// isStoreFile reports whether file is one of the store's files: the only
// ones that may change the state.
func isStoreFile(file string) bool {
	base := filepath.Base(file)
	return strings.HasPrefix(base, "store") && !strings.HasSuffix(base, "_test.go")
}

// nullImporter gives every import as an empty package: the check needs only
// the package's own types, and type-checks in milliseconds.
type nullImporter struct{}

func (nullImporter) Import(path string) (*types.Package, error) {
	p := types.NewPackage(path, filepath.Base(path))
	p.MarkComplete()
	return p, nil
}

// doorViolations type-checks files (without their imports; the errors that
// causes are ignored) and lists, as "file:line: what", every place outside
// the store's files where
//   - code other than tests writes a field of a store type (assigns to it,
//     increments it, takes its address, deletes from or clears it, ranges
//     into it), or uses an unexported field or method of one;
//   - any code, tests included, touches the Lab's versions (the field ver)
//     other than through Lab.Version.
func doorViolations(fset *token.FileSet, files []*ast.File) []string {
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: nullImporter{}, Error: func(error) {}}
	conf.Check("tui", fset, files, info)
	// member returns the store type a selector selects a field or method of.
	member := func(sel *ast.SelectorExpr) (string, bool) {
		s, ok := info.Selections[sel]
		if !ok {
			return "", false
		}
		recv := s.Recv()
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		n, ok := recv.(*types.Named)
		if !ok || !storeTypes[n.Obj().Name()] {
			return "", false
		}
		return n.Obj().Name(), true
	}
	var out []string
	for _, f := range files {
		name := fset.Position(f.Pos()).Filename
		if isStoreFile(name) {
			continue
		}
		test := strings.HasSuffix(name, "_test.go")
		say := func(n ast.Node, format string, args ...any) {
			p := fset.Position(n.Pos())
			out = append(out, filepath.Base(p.Filename)+":"+strconv.Itoa(p.Line)+": "+fmt.Sprintf(format, args...))
		}
		// written reports a write to e if e reaches a field of a store type.
		var written func(e ast.Expr)
		written = func(e ast.Expr) {
			switch x := e.(type) {
			case *ast.SelectorExpr:
				if t, ok := member(x); ok {
					say(x, "writes %s.%s", t, x.Sel.Name)
					return
				}
				written(x.X)
			case *ast.IndexExpr:
				written(x.X)
			case *ast.SliceExpr:
				written(x.X)
			case *ast.StarExpr:
				written(x.X)
			case *ast.ParenExpr:
				written(x.X)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				t, ok := member(x)
				switch {
				case ok && t == "Lab" && x.Sel.Name == "ver":
					say(x, "touches the versions (Lab.ver)")
				case ok && !test && !ast.IsExported(x.Sel.Name):
					say(x, "uses %s.%s, private to the store", t, x.Sel.Name)
				}
			case *ast.AssignStmt:
				if !test && x.Tok != token.DEFINE {
					for _, e := range x.Lhs {
						written(e)
					}
				}
			case *ast.IncDecStmt:
				if !test {
					written(x.X)
				}
			case *ast.UnaryExpr:
				if !test && x.Op == token.AND {
					written(x.X)
				}
			case *ast.RangeStmt:
				if !test && x.Tok == token.ASSIGN {
					for _, e := range []ast.Expr{x.Key, x.Value} {
						if e != nil {
							written(e)
						}
					}
				}
			case *ast.CallExpr:
				if id, ok := x.Fun.(*ast.Ident); ok && !test && len(x.Args) > 0 {
					if _, builtin := info.Uses[id].(*types.Builtin); builtin && (id.Name == "delete" || id.Name == "clear") {
						written(x.Args[0])
					}
				}
			}
			return true
		})
	}
	sort.Strings(out)
	return out
}

// parsePackage parses the package's Go files, plus extra files (name →
// source), in name order.
func parsePackage(t *testing.T, extra map[string]string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var extras []string
	for n := range extra {
		extras = append(extras, n)
	}
	sort.Strings(extras)
	for _, n := range extras {
		f, err := parser.ParseFile(fset, n, extra[n], 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// TestStateHasOneDoor: the Lab's state changes only through the store's
// methods, and its versions only inside the store (see doorViolations).
func TestStateHasOneDoor(t *testing.T) {
	fset, files := parsePackage(t, nil)
	if v := doorViolations(fset, files); len(v) > 0 {
		t.Errorf("the Lab's state is changed outside the store's files:\n%s", strings.Join(v, "\n"))
	}
}

// TestDoorCheckCatches: the check finds each kind of violation, in a pane's
// file and (for the versions) in a test's.
func TestDoorCheckCatches(t *testing.T) {
	fset, files := parsePackage(t, map[string]string{
		"zz_pane.go": `package tui
func zzBad(l *Lab, r *RunView, s *SweepState) {
	l.Cursor = 1
	l.Marked[0] = true
	r.Step++
	p := &l.Config
	_ = p
	delete(l.Overrides, "lora")
	l.touch("rank")
	_ = r.started
	_ = l.ver.Runs
	for s.Values[0] = range []string{"x"} {
	}
	x := l.Cursor // reads are free
	_ = x
}
`,
		"zz_bad_test.go": `package tui
func zzBadTest(l *Lab) {
	l.Cursor = 2 // tests may set state up
	l.ver.Config++
}
`,
	})
	got := strings.Join(doorViolations(fset, files), "\n")
	for _, want := range []string{
		"zz_pane.go:3: writes Lab.Cursor",
		"zz_pane.go:4: writes Lab.Marked",
		"zz_pane.go:5: writes RunView.Step",
		"zz_pane.go:6: writes Lab.Config",
		"zz_pane.go:8: writes Lab.Overrides",
		"zz_pane.go:9: uses Lab.touch, private to the store",
		"zz_pane.go:10: uses RunView.started, private to the store",
		"zz_pane.go:11: touches the versions (Lab.ver)",
		"zz_pane.go:12: writes SweepState.Values",
		"zz_bad_test.go:4: touches the versions (Lab.ver)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the check misses %q; it found:\n%s", want, got)
		}
	}
	for _, wrong := range []string{"zz_pane.go:14", "zz_bad_test.go:3"} {
		if strings.Contains(got, wrong) {
			t.Errorf("the check flags %s, which is allowed:\n%s", wrong, got)
		}
	}
}
