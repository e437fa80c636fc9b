package charlm

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestWeightsRoundTrip: a model written and read back loads into a fresh
// model as its own values rounded to float32, every tensor, with the
// metadata intact; a shorter context takes the first positions; and
// damaged files are refused with one line each.
func TestWeightsRoundTrip(t *testing.T) {
	cfg := Config{Vocab: BaseVocab().Size(), Context: 6, Width: 8, Depth: 2, Heads: 2, Batch: 3}
	m, _ := newTestModel(cfg, true, 5)
	meta := Meta{Model: cfg, Vocab: BaseVocab().Chars(), Text: "opticks", TextSHA256: "abc", Pretrain: "-steps 1", TrainLoss: 1.5, HeldLoss: 1.25, Steps: 1, Seconds: 2, GoVersion: "go"}
	var buf bytes.Buffer
	if err := WriteWeights(&buf, m, meta); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWeights(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	meta.Format = WeightsFormat
	if w.Meta != meta {
		t.Errorf("metadata %+v, wrote %+v", w.Meta, meta)
	}
	if err := w.Check(BaseVocab()); err != nil {
		t.Error(err)
	}
	short := cfg
	short.Context = 4
	fresh := NewModel(short, lab.NewLedger(), Trainable{Embedding: true, Norms: true})
	w.Load(fresh)
	roundToFloat32(m)
	want, got := tensorsOf(m), tensorsOf(fresh)
	for i := range want {
		a, b := want[i].m, got[i].m
		for r := 0; r < b.Rows; r++ {
			for j, v := range b.Row(r) {
				if v != a.At(r, j) {
					t.Fatalf("%s[%d,%d] = %g, wrote %g", want[i].name, r, j, v, a.At(r, j))
				}
			}
		}
	}
	file := buf.Bytes()
	for name, bad := range map[string][]byte{
		"short":     file[:5],
		"header":    append(binary.LittleEndian.AppendUint64(nil, 1<<40), file[8:]...),
		"truncated": file[:len(file)-4],
		"dtype":     bytes.Replace(file, []byte(`"F32"`), []byte(`"F16"`), 1),
		"format":    bytes.Replace(file, []byte(WeightsFormat), []byte("loralab-charlm-0"), 1),
		"json":      append(append(file[:9:9], '!'), file[10:]...),
	} {
		_, err := ReadWeights(bad)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s file: error %v, want one line", name, err)
		}
	}
	other := *w
	other.Tensors = map[string]Tensor{}
	for k, v := range w.Tensors {
		other.Tensors[k] = v
	}
	delete(other.Tensors, "block1.up.W")
	if err := other.Check(BaseVocab()); err == nil || !strings.Contains(err.Error(), "tensors") {
		t.Errorf("a missing tensor: %v", err)
	}
}
