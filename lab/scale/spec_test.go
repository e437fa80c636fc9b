package scale_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
)

// spec builds a ModelSpec from a name, a config file and field=value pairs.
func spec(t *testing.T, name, file string, fields ...string) scale.ModelSpec {
	t.Helper()
	s := scale.ModelSpec{Name: name, ConfigFile: file}
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		if err := s.SetShape(k, v); err != nil {
			t.Fatalf("SetShape(%s, %s): %v", k, v, err)
		}
	}
	return s
}

func resolve(t *testing.T, s scale.ModelSpec) scale.Model {
	t.Helper()
	m, err := s.Resolve()
	if err != nil {
		t.Fatalf("%+v: %v", s, err)
	}
	return m
}

// TestModelSpecCustom: a custom shape is Llama-style; kv-heads defaults to
// heads and head-dim to hidden / heads.
func TestModelSpecCustom(t *testing.T) {
	m := resolve(t, spec(t, "", "", "layers=2", "hidden=64", "heads=4", "mlp=128", "vocab=100"))
	want := scale.Model{Name: "custom", Source: "custom Llama-style shape from flags", Arch: scale.Llama,
		Layers: 2, Hidden: 64, Heads: 4, KVHeads: 4, HeadDim: 16, MLP: 128, Vocab: 100}
	if m.Name != want.Name || m.Source != want.Source || !sameShape(m, want) {
		t.Errorf("custom shape:\n got %+v\nwant %+v", m, want)
	}
	m = resolve(t, spec(t, "", "", "layers=2", "hidden=64", "heads=4", "kv-heads=2", "head-dim=32", "mlp=128", "vocab=100", "tied=true"))
	if m.KVHeads != 2 || m.HeadDim != 32 || !m.TiedEmbeddings {
		t.Errorf("given kv-heads, head-dim, tied: %+v", m)
	}
	// A field given twice keeps the last value.
	m = resolve(t, spec(t, "", "", "layers=2", "layers=3", "hidden=64", "heads=4", "mlp=128", "vocab=100"))
	if m.Layers != 3 {
		t.Errorf("layers given twice: %d, want the last (3)", m.Layers)
	}
}

// TestModelSpecOverrides: fields change a built-in model's or a config
// file's shape, and the name and source say so.
func TestModelSpecOverrides(t *testing.T) {
	base := resolve(t, spec(t, "llama-2-7b", ""))
	if base.Name != "llama-2-7b" || !sameShape(base, mustLookup(t, "llama-2-7b")) {
		t.Fatalf("no fields: %+v", base)
	}
	m := resolve(t, spec(t, "llama-2-7b", "", "layers=2"))
	want := base
	want.Layers = 2
	if m.Name != "llama-2-7b*" || m.Source != "llama-2-7b with --layers from flags" || !sameShape(m, want) {
		t.Errorf("llama-2-7b with 2 layers: %+v", m)
	}
	// Multi-head attention follows a new head count; grouped attention keeps its kv heads.
	if m = resolve(t, spec(t, "llama-2-7b", "", "heads=16")); m.KVHeads != 16 || m.HeadDim != 256 {
		t.Errorf("llama-2-7b with 16 heads: kv %d, head dim %d; want 16 and 256", m.KVHeads, m.HeadDim)
	}
	if m = resolve(t, spec(t, "llama-3-8b", "", "heads=16")); m.KVHeads != 8 || m.HeadDim != 256 {
		t.Errorf("llama-3-8b with 16 heads: kv %d, head dim %d; want 8 and 256", m.KVHeads, m.HeadDim)
	}
	// A config file's shape, overridden.
	m = resolve(t, spec(t, "", filepath.Join("testdata", "mistral-7b.json"), "vocab=1000", "tied=true"))
	if m.Vocab != 1000 || !m.TiedEmbeddings || m.Layers != 32 || !strings.HasSuffix(m.Name, "*") || !strings.Contains(m.Source, "--vocab --tied") {
		t.Errorf("mistral config with vocab and tied: %+v", m)
	}
}

func sameShape(a, b scale.Model) bool { return reflect.DeepEqual(shapeOf(a), shapeOf(b)) }

func mustLookup(t *testing.T, name string) scale.Model {
	t.Helper()
	m, err := scale.LookupModel(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestModelSpecErrors: one line naming what is wrong and what is allowed.
func TestModelSpecErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "config.json")
	if err := os.WriteFile(bad, []byte(`{"hidden_size": 4096,`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		s    scale.ModelSpec
		want string
	}{
		{spec(t, "", ""), "--model is required; the models are: roberta-base, roberta-large"},
		{spec(t, "llama-9b", ""), `model "llama-9b": unknown`},
		{spec(t, "llama-2-7b", bad), "--model and --config-file: choose one"},
		{spec(t, "", bad), "not valid config.json"},
		{spec(t, "", "", "layers=2", "hidden=64"), "custom shape: --heads is missing; a custom shape needs --layers, --hidden, --heads, --mlp and --vocab (or --model NAME)"},
		{spec(t, "", "", "layers=2", "hidden=65", "heads=4", "mlp=128", "vocab=100"), "hidden 65 is not a multiple of heads 4: give --head-dim"},
		{spec(t, "llama-2-7b", "", "kv-heads=5"), "kv-heads 5: must divide heads (32)"},
		{spec(t, "llama-2-7b", "", "layers=0"), "layers 0: must be between 1 and 1024"},
	}
	for _, c := range cases {
		_, err := c.s.Resolve()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error %v, want one line containing %q", c.s, err, c.want)
		}
	}
	var s scale.ModelSpec
	for _, c := range []struct{ name, value, want string }{
		{"layers", "two", `layers "two": not a whole number`},
		{"tied", "maybe", `tied "maybe": not true or false`},
		{"width", "3", `shape field "width": unknown; the fields are: layers, hidden, heads, kv-heads, head-dim, mlp, vocab, tied`},
	} {
		if err := s.SetShape(c.name, c.value); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetShape(%s, %s): %v, want %q", c.name, c.value, err, c.want)
		}
	}
	if s.Shape("layers") != "" {
		t.Errorf("a refused value was kept: %q", s.Shape("layers"))
	}
}

// TestShapeFields: every field has help, and the required ones are the
// custom shape's.
func TestShapeFields(t *testing.T) {
	var req []string
	for _, f := range scale.ShapeFields() {
		if f.Help == "" {
			t.Errorf("%s has no help", f.Name)
		}
		if f.Required {
			req = append(req, f.Name)
		}
	}
	if strings.Join(req, ",") != "layers,hidden,heads,mlp,vocab" {
		t.Errorf("required fields %v", req)
	}
}

// TestOptionsConfig: a method's own settings reach its formula through
// Options.Config as through MethodSettings (LoRA-FA's projected gradient
// adds an r × r inverse per layer).
func TestOptionsConfig(t *testing.T) {
	m := mustLookup(t, "llama-2-7b")
	var cfg lab.Config
	if err := adapters.Projected.Set(&cfg, "true"); err != nil {
		t.Fatal(err)
	}
	o := scale.DefaultOptions()
	plain := run(t, m, "lora-fa", o)
	o.Config = cfg
	viaConfig := run(t, m, "lora-fa", o)
	o.Config = lab.Config{}
	o.MethodSettings = map[string]string{adapters.Projected.Name: "true"}
	viaText := run(t, m, "lora-fa", o)
	if plain.Numbers.Other != 0 || viaConfig.Numbers.Other != 64*8*8 || viaText.Numbers != viaConfig.Numbers {
		t.Errorf("extras: plain %d, via Config %d, via MethodSettings %d; want 0, 64 × 8² = %d, equal", plain.Numbers.Other, viaConfig.Numbers.Other, viaText.Numbers.Other, 64*8*8)
	}
	// Config's rank and α are not read: Options' are.
	cfg.Rank, cfg.Alpha = 64, 3
	o = scale.DefaultOptions()
	o.Config = cfg
	if r := run(t, m, "lora", o); r.Rank != 8 || r.Alpha != 8 {
		t.Errorf("rank %d α %v, want Options' 8 and 8", r.Rank, r.Alpha)
	}
}

// TestCheckedShort: the short checked-against line carries the
// calibration's numbers; models not measured say so.
func TestCheckedShort(t *testing.T) {
	c := scale.Calibration
	want := fmt.Sprintf("peak within %.1f %% of %d measured H200 steps (%d held out: %.1f %%)", c.WithinPercent, c.Runs, c.HeldOut, c.HeldOutWithinPercent)
	if got := scale.CheckedShort(mustLookup(t, "llama-2-7b")); got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := scale.CheckedShort(mustLookup(t, "gpt2-medium")); !strings.HasPrefix(got, "not measured: gpt2-style blocks") {
		t.Errorf("gpt2: %q", got)
	}
}
