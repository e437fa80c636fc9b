package charlm

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/loralab/loralab/lab"
)

// The base model's weights are stored in the safetensors format (Hugging
// Face's: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw little-endian data),
// so Python's safetensors.numpy.load_file reads the shipped file as it is.
// The numbers are stored as float32 (F32), half the bytes of the engine's
// float64, and widened to float64 on load; the base model a run fine-tunes
// is exactly the stored float32 values.
//
// The header's __metadata__ records what the weights belong to: the shape,
// the vocabulary (its characters in id order), the SHA-256 of the text they
// were trained on, and the pretraining's settings and final losses. Load
// refuses a file whose shape or vocabulary do not match the code.

// WeightsFormat names this layout in the metadata: bump it if the tensors'
// names or meaning change.
const WeightsFormat = "loralab-charlm-1"

// Meta is the metadata of a weights file.
type Meta struct {
	Format     string // WeightsFormat
	Model      Config // the shape; Batch is the pretraining's
	Vocab      string // the characters in id order (Vocab.Chars)
	Text       string // the pretraining text's name
	TextSHA256 string // the SHA-256 of its raw bytes, in hex (Text.Digest)
	Pretrain   string // the pretraining's settings, as its command's flags
	TrainLoss  float64
	HeldLoss   float64 // the held-out loss of the stored (float32) weights, in nats per character
	Steps      int     // pretraining steps taken
	Seconds    float64 // wall time of the pretraining
	GoVersion  string  // the toolchain that trained it (summation order can differ between kernels)
}

// fields writes m as the string map safetensors' __metadata__ holds.
func (m Meta) fields() map[string]string {
	c := m.Model
	return map[string]string{
		"format": m.Format, "vocab": m.Vocab, "vocab_size": strconv.Itoa(c.Vocab),
		"context": strconv.Itoa(c.Context), "width": strconv.Itoa(c.Width), "depth": strconv.Itoa(c.Depth),
		"heads": strconv.Itoa(c.Heads), "mlp_ratio": strconv.Itoa(MLPRatio), "batch": strconv.Itoa(c.Batch),
		"text": m.Text, "text_sha256": m.TextSHA256, "pretrain": m.Pretrain,
		"train_loss": strconv.FormatFloat(m.TrainLoss, 'g', -1, 64), "held_out_loss": strconv.FormatFloat(m.HeldLoss, 'g', -1, 64),
		"steps": strconv.Itoa(m.Steps), "seconds": strconv.FormatFloat(m.Seconds, 'f', 1, 64), "go": m.GoVersion,
	}
}

// parseMeta reads the metadata map back.
func parseMeta(f map[string]string) (Meta, error) {
	m := Meta{Format: f["format"], Vocab: f["vocab"], Text: f["text"], TextSHA256: f["text_sha256"], Pretrain: f["pretrain"], GoVersion: f["go"]}
	ints := []struct {
		key string
		dst *int
	}{{"vocab_size", &m.Model.Vocab}, {"context", &m.Model.Context}, {"width", &m.Model.Width}, {"depth", &m.Model.Depth},
		{"heads", &m.Model.Heads}, {"batch", &m.Model.Batch}, {"steps", &m.Steps}}
	for _, x := range ints {
		v, err := strconv.Atoi(f[x.key])
		if err != nil {
			return m, fmt.Errorf("metadata %s %q: not a whole number", x.key, f[x.key])
		}
		*x.dst = v
	}
	floats := []struct {
		key string
		dst *float64
	}{{"train_loss", &m.TrainLoss}, {"held_out_loss", &m.HeldLoss}, {"seconds", &m.Seconds}}
	for _, x := range floats {
		v, err := strconv.ParseFloat(f[x.key], 64)
		if err != nil {
			return m, fmt.Errorf("metadata %s %q: not a number", x.key, f[x.key])
		}
		*x.dst = v
	}
	if r, _ := strconv.Atoi(f["mlp_ratio"]); r != MLPRatio {
		return m, fmt.Errorf("metadata mlp_ratio %q: the code's MLP is %d·d wide", f["mlp_ratio"], MLPRatio)
	}
	return m, nil
}

// Tensor is one stored tensor: its shape (rows, cols; a vector is 1 × n)
// and its numbers, row-major.
type Tensor struct {
	Rows, Cols int
	Data       []float64
}

// Weights are a model's stored tensors by name (the Param names of Model:
// "emb.tok", "block0.ln1.gain", "block0.q.W", "head.bias", …) and the
// file's metadata.
type Weights struct {
	Meta    Meta
	Tensors map[string]Tensor
}

// tensorsOf lists the model's tensors in file order with their names: the
// embedding, each block's norms and linear layers, the final norm, the head.
func tensorsOf(m *Model) []namedMat {
	var out []namedMat
	add := func(name string, v *lab.Mat) { out = append(out, namedMat{name, v}) }
	vec := func(v []float64) *lab.Mat { return &lab.Mat{Rows: 1, Cols: len(v), Stride: len(v), Data: v} }
	add("emb.tok", m.Emb.Tok.Value)
	add("emb.pos", m.Emb.Pos.Value)
	for i, b := range m.Blocks {
		p := fmt.Sprintf("block%d.", i)
		add(p+"ln1.gain", b.Norm1.Gain.Value)
		add(p+"ln1.bias", b.Norm1.Bias.Value)
		add(p+"ln2.gain", b.Norm2.Gain.Value)
		add(p+"ln2.bias", b.Norm2.Bias.Value)
	}
	add("lnf.gain", m.Final.Gain.Value)
	add("lnf.bias", m.Final.Bias.Value)
	for _, base := range m.Base {
		add(base.Name+".W", base.W)
		add(base.Name+".bias", vec(base.Bias))
	}
	return out
}

type namedMat struct {
	name string
	m    *lab.Mat
}

// header is one tensor's entry in a safetensors header.
type header struct {
	Dtype   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// WriteWeights writes m's weights, rounded to float32, with meta as a
// safetensors file. Vectors (norms, biases) are stored with shape [n].
func WriteWeights(w io.Writer, m *Model, meta Meta) error {
	meta.Format = WeightsFormat
	head := map[string]any{"__metadata__": meta.fields()}
	var data bytes.Buffer
	for _, t := range tensorsOf(m) {
		shape := []int{t.m.Rows, t.m.Cols}
		if t.m.Rows == 1 && t.name != "emb.pos" && t.name != "emb.tok" {
			shape = []int{t.m.Cols}
		}
		start := data.Len()
		var b [4]byte
		for i := 0; i < t.m.Rows; i++ {
			for _, v := range t.m.Row(i) {
				binary.LittleEndian.PutUint32(b[:], math.Float32bits(float32(v)))
				data.Write(b[:])
			}
		}
		head[t.name] = header{Dtype: "F32", Shape: shape, Offsets: [2]int{start, data.Len()}}
	}
	js, err := json.Marshal(head)
	if err != nil {
		return err
	}
	for len(js)%8 != 0 { // the data starts 8-byte aligned, as the format recommends
		js = append(js, ' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	for _, part := range [][]byte{n[:], js, data.Bytes()} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// maxHeader bounds a header's length: far above any charlm model's.
const maxHeader = 1 << 20

// ReadWeights parses a safetensors file written by WriteWeights. Every
// refusal is one line naming what is wrong.
func ReadWeights(file []byte) (*Weights, error) {
	if len(file) < 8 {
		return nil, errors.New("weights: shorter than a safetensors header")
	}
	n := binary.LittleEndian.Uint64(file[:8])
	if n > maxHeader || int(n) > len(file)-8 {
		return nil, fmt.Errorf("weights: header of %d bytes in a file of %d", n, len(file))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(file[8:8+n], &raw); err != nil {
		return nil, fmt.Errorf("weights: header: %v", err)
	}
	data := file[8+n:]
	w := &Weights{Tensors: map[string]Tensor{}}
	var fields map[string]string
	if err := json.Unmarshal(raw["__metadata__"], &fields); err != nil {
		return nil, fmt.Errorf("weights: metadata: %v", err)
	}
	meta, err := parseMeta(fields)
	if err != nil {
		return nil, fmt.Errorf("weights: %v", err)
	}
	if meta.Format != WeightsFormat {
		return nil, fmt.Errorf("weights: format %q; this code reads %q", meta.Format, WeightsFormat)
	}
	w.Meta = meta
	names := make([]string, 0, len(raw))
	for name := range raw {
		if name != "__metadata__" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		var h header
		if err := json.Unmarshal(raw[name], &h); err != nil {
			return nil, fmt.Errorf("weights: tensor %s: %v", name, err)
		}
		rows, cols := 1, 0
		switch len(h.Shape) {
		case 1:
			cols = h.Shape[0]
		case 2:
			rows, cols = h.Shape[0], h.Shape[1]
		default:
			return nil, fmt.Errorf("weights: tensor %s has shape %v; want one or two dimensions", name, h.Shape)
		}
		lo, hi := h.Offsets[0], h.Offsets[1]
		if h.Dtype != "F32" || rows < 1 || cols < 1 || lo < 0 || hi > len(data) || hi-lo != 4*rows*cols {
			return nil, fmt.Errorf("weights: tensor %s: %s %v at bytes %d…%d of %d; want F32 data of its shape", name, h.Dtype, h.Shape, lo, hi, len(data))
		}
		t := Tensor{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
		for i := range t.Data {
			t.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(data[lo+4*i:])))
		}
		w.Tensors[name] = t
	}
	return w, nil
}

// Check returns a one-line error unless the weights fit the code: the
// vocabulary v, the shape's tensors (every one of a model of w's shape,
// nothing else).
func (w *Weights) Check(v *Vocab) error {
	m := w.Meta
	if m.Vocab != v.Chars() || m.Model.Vocab != v.Size() {
		return fmt.Errorf("base model: its vocabulary (%d characters) differs from the task's (%d characters): re-run the pretraining (go run ./lab/tasks/charlm/pretrain)", m.Model.Vocab, v.Size())
	}
	cfg := m.Model
	cfg.Batch = 1
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("base model: %v", err)
	}
	want := tensorShapes(cfg)
	if len(want) != len(w.Tensors) {
		return fmt.Errorf("base model: %d tensors, a model of its shape has %d", len(w.Tensors), len(want))
	}
	for name, s := range want {
		t, ok := w.Tensors[name]
		if !ok || t.Rows != s[0] || t.Cols != s[1] {
			return fmt.Errorf("base model: tensor %s is %d×%d (present: %v), want %d×%d", name, t.Rows, t.Cols, ok, s[0], s[1])
		}
	}
	return nil
}

// tensorShapes is every tensor name of a model of cfg with its rows and cols.
func tensorShapes(cfg Config) map[string][2]int {
	d := cfg.Width
	out := map[string][2]int{"emb.tok": {cfg.Vocab, d}, "emb.pos": {cfg.Context, d}, "lnf.gain": {1, d}, "lnf.bias": {1, d}}
	for b := range cfg.Depth {
		for _, n := range []string{"ln1.gain", "ln1.bias", "ln2.gain", "ln2.bias"} {
			out[fmt.Sprintf("block%d.%s", b, n)] = [2]int{1, d}
		}
	}
	for _, s := range cfg.Shapes() {
		out[s.Name+".W"] = [2]int{s.DOut, s.DIn}
		out[s.Name+".bias"] = [2]int{1, s.DOut}
	}
	return out
}

// Load copies the weights into m, whose shape must be the weights' except
// for a context of at most theirs (the first m.Context positions are
// taken) and any batch size. It panics on a mismatch: Check the weights
// and validate the config first.
func (w *Weights) Load(m *Model) {
	for _, t := range tensorsOf(m) {
		src, ok := w.Tensors[t.name]
		rows := t.m.Rows
		if !ok || src.Cols != t.m.Cols || src.Rows < rows || (src.Rows != rows && t.name != "emb.pos") {
			panic(fmt.Sprintf("charlm: weights %s (%d×%d) do not fit %d×%d", t.name, src.Rows, src.Cols, t.m.Rows, t.m.Cols))
		}
		for i := range rows {
			copy(t.m.Row(i), src.Data[i*src.Cols:(i+1)*src.Cols])
		}
	}
}
