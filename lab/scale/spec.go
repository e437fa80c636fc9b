package scale

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ShapeField is one field of a model shape a person may give by name (the
// CLI's --layers, --hidden, …): for a custom Llama-style shape, or to
// override a built-in model's or a config.json's.
type ShapeField struct {
	Name string // flag name, e.g. "kv-heads"
	Help string // one line for --help
	Bool bool   // a true/false field (tied), else a whole number
	// Required: a custom shape (no --model, no --config-file) must give it.
	Required bool
	field    func(m *Model) any // *int or *bool
}

// ShapeFields lists the shape fields in the order help shows them.
func ShapeFields() []ShapeField {
	return []ShapeField{
		{Name: "layers", Help: "custom shape: transformer blocks", Required: true, field: func(m *Model) any { return &m.Layers }},
		{Name: "hidden", Help: "custom shape: hidden size", Required: true, field: func(m *Model) any { return &m.Hidden }},
		{Name: "heads", Help: "custom shape: attention heads", Required: true, field: func(m *Model) any { return &m.Heads }},
		{Name: "kv-heads", Help: "custom shape: key/value heads (default: heads)", field: func(m *Model) any { return &m.KVHeads }},
		{Name: "head-dim", Help: "custom shape: head size (default: hidden / heads)", field: func(m *Model) any { return &m.HeadDim }},
		{Name: "mlp", Help: "custom shape: MLP (intermediate) size", Required: true, field: func(m *Model) any { return &m.MLP }},
		{Name: "vocab", Help: "custom shape: vocabulary size", Required: true, field: func(m *Model) any { return &m.Vocab }},
		{Name: "tied", Help: "custom shape: LM head tied to the embeddings", Bool: true, field: func(m *Model) any { return &m.TiedEmbeddings }},
	}
}

// shapeField returns the field called name.
func shapeField(name string) (ShapeField, bool) {
	for _, f := range ShapeFields() {
		if f.Name == name {
			return f, true
		}
	}
	return ShapeField{}, false
}

// ModelSpec says where a model's shape comes from: a built-in model
// (LookupModel), a Hugging Face config.json (LoadConfigFile), or a custom
// Llama-style shape; shape fields given with SetShape override either of
// the first two. Resolve puts it together and checks it once.
type ModelSpec struct {
	Name       string // a built-in model or one of its aliases; "" for none
	ConfigFile string // the path of a config.json; "" for none
	// shape holds the fields given, by name, in the order they were given.
	shape []shapeValue
}

type shapeValue struct {
	name string
	v    any // int or bool
}

// SetShape records the shape field name with its value as text (a whole
// number, or true/false for tied). It checks the syntax; Resolve checks the
// ranges, on the whole shape.
func (s *ModelSpec) SetShape(name, text string) error {
	f, ok := shapeField(name)
	if !ok {
		return fmt.Errorf("shape field %q: unknown; the fields are: %s", name, strings.Join(ShapeFieldNames(), ", "))
	}
	text = strings.TrimSpace(text)
	var v any
	if f.Bool {
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%s %q: not true or false", name, text)
		}
		v = b
	} else {
		n, err := strconv.Atoi(text)
		if err != nil {
			return fmt.Errorf("%s %q: not a whole number", name, text)
		}
		v = n
	}
	for i := range s.shape {
		if s.shape[i].name == name {
			s.shape[i].v = v
			return nil
		}
	}
	s.shape = append(s.shape, shapeValue{name, v})
	return nil
}

// Shape returns the value given for the shape field name as text, or "".
func (s ModelSpec) Shape(name string) string {
	for _, g := range s.shape {
		if g.name == name {
			return fmt.Sprint(g.v)
		}
	}
	return ""
}

// ShapeFieldNames lists the shape fields' names.
func ShapeFieldNames() []string {
	var out []string
	for _, f := range ShapeFields() {
		out = append(out, f.Name)
	}
	return out
}

func (s ModelSpec) given(name string) bool {
	for _, g := range s.shape {
		if g.name == name {
			return true
		}
	}
	return false
}

// Resolve returns the model the spec names, with the given shape fields
// applied, checked (Model.Validate). A built-in model or config.json with
// fields changed is named with a "*" and says which fields in its Source. A
// custom shape needs every Required field. When heads or hidden change and
// head-dim is not given, head-dim becomes hidden / heads; kv-heads follows
// heads for a model whose attention was not grouped. Errors are one line.
func (s ModelSpec) Resolve() (Model, error) {
	custom := len(s.shape) > 0
	var m Model
	var err error
	switch {
	case s.Name != "" && s.ConfigFile != "":
		return m, errors.New("--model and --config-file: choose one")
	case s.Name != "":
		if m, err = LookupModel(s.Name); err != nil {
			return m, err
		}
	case s.ConfigFile != "":
		if m, err = LoadConfigFile(s.ConfigFile); err != nil {
			return m, err
		}
	case custom:
		for _, f := range ShapeFields() {
			if f.Required && !s.given(f.Name) {
				return m, fmt.Errorf("custom shape: --%s is missing; a custom shape needs %s (or --model NAME)", f.Name, requiredFlags())
			}
		}
		m = Model{Name: "custom", Arch: Llama, Source: "custom Llama-style shape from flags"}
	default:
		return m, fmt.Errorf("--model is required; the models are: %s (or --config-file FILE, or a custom shape with %s)", strings.Join(ModelNames(), ", "), requiredFlags())
	}
	if !custom {
		return m, m.Validate()
	}
	if m.Name != "custom" {
		var set []string
		for _, f := range ShapeFields() {
			if s.given(f.Name) {
				set = append(set, "--"+f.Name)
			}
		}
		m.Source = m.Name + " with " + strings.Join(set, " ") + " from flags"
		m.Name += "*"
	}
	mha := m.KVHeads == m.Heads
	for _, g := range s.shape {
		f, _ := shapeField(g.name)
		switch p := f.field(&m).(type) {
		case *int:
			*p = g.v.(int)
		case *bool:
			*p = g.v.(bool)
		}
	}
	if !s.given("kv-heads") && (mha || m.KVHeads == 0) {
		m.KVHeads = m.Heads
	}
	if !s.given("head-dim") && (s.given("hidden") || s.given("heads") || m.HeadDim == 0) {
		if m.Heads < 1 || m.Heads > MaxHeads { // the heads are wrong, not the head size
			return m, fmt.Errorf("model %s: heads %d: must be between 1 and %d", m.Name, m.Heads, MaxHeads)
		}
		if m.Hidden%m.Heads != 0 {
			return m, fmt.Errorf("hidden %d is not a multiple of heads %d: give --head-dim", m.Hidden, m.Heads)
		}
		m.HeadDim = m.Hidden / m.Heads
	}
	return m, m.Validate()
}

// requiredFlags names the fields a custom shape needs: "--layers, --hidden,
// --heads, --mlp and --vocab".
func requiredFlags() string {
	var req []string
	for _, f := range ShapeFields() {
		if f.Required {
			req = append(req, "--"+f.Name)
		}
	}
	return strings.Join(req[:len(req)-1], ", ") + " and " + req[len(req)-1]
}
