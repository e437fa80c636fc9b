package charlm

import (
	"context"
	"slices"
	"testing"

	"github.com/loralab/loralab/lab"
)

// exportNetwork builds the network of a small run (batch 3, context 8,
// 5 held-out windows, rounded up to 6) with the given targets.
func exportNetwork(t *testing.T, targets string) (*network, lab.Config) {
	t.Helper()
	cfg := lab.Defaults()
	cfg.Task, cfg.Batch, cfg.Seed = "charlm", 3, 7
	cfg = cfg.With("context", 8).With("eval-size", 5).With("targets", targets).With("sample-every", 0)
	net, err := Task{}.New(context.Background(), cfg, lab.NewLedger(), false)
	if err != nil {
		t.Fatal(err)
	}
	return net.(*network), cfg
}

func tensorsByName(t *testing.T, xs []lab.Tensor) map[string]lab.Tensor {
	t.Helper()
	out := map[string]lab.Tensor{}
	for _, x := range xs {
		if _, ok := out[x.Name]; ok {
			t.Fatalf("two tensors are called %s", x.Name)
		}
		out[x.Name] = x
	}
	return out
}

// ids reads a row of whole numbers back as ids.
func ids(row []float64) []int {
	out := make([]int, len(row))
	for i, v := range row {
		out[i] = int(v)
	}
	return out
}

// TestBatchRowsIndexTrainText: every batch's sequences are the windows of
// train.text that BatchRows names (inputs at s … s+T−1, targets one
// further), and they are the windows Split.Batch draws from the same seed.
func TestBatchRowsIndexTrainText(t *testing.T) {
	n, cfg := exportNetwork(t, "q,v")
	byName := tensorsByName(t, n.Tensors())
	text := ids(byName["train.text"].Mat.Data)
	if len(text) != GoSource().Train.Chars() {
		t.Fatalf("train.text has %d characters, the train split %d", len(text), GoSource().Train.Chars())
	}
	T := n.m.Context
	r := lab.NewRand(cfg.Seed, lab.StreamBatches)
	in, out := make([]int, len(n.m.Tokens)), make([]int, len(n.m.Targets))
	d := lab.NewDigest()
	for step := range 20 {
		n.NextBatch(&d)
		GoSource().Train.Batch(r, T, in, out)
		if !slices.Equal(in, n.m.Tokens) || !slices.Equal(out, n.m.Targets) {
			t.Fatalf("step %d: the batch differs from Split.Batch's from the same seed", step)
		}
		rows := n.BatchRows()
		if len(rows) != cfg.Batch {
			t.Fatalf("step %d: %d batch rows for batch %d", step, len(rows), cfg.Batch)
		}
		for b, s := range rows {
			if s < 0 || s+T >= len(text) {
				t.Fatalf("step %d: window start %d outside train.text (%d)", step, s, len(text))
			}
			if !slices.Equal(text[s:s+T], n.m.Tokens[b*T:(b+1)*T]) || !slices.Equal(text[s+1:s+T+1], n.m.Targets[b*T:(b+1)*T]) {
				t.Fatalf("step %d, sequence %d: train.text[%d:] is not the batch's window", step, b, s)
			}
		}
	}
}

// TestTensorsList: the embedding, the norms, the held-out windows of both
// texts, W0 of each adapted layer and W, b of each other one, with the
// model's own numbers.
func TestTensorsList(t *testing.T) {
	n, _ := exportNetwork(t, "q,v,head")
	byName := tensorsByName(t, n.Tensors())
	c := n.m.Config
	shape := func(name string, rows, cols int) *lab.Mat {
		t.Helper()
		x, ok := byName[name]
		if !ok {
			t.Fatalf("no tensor %s", name)
		}
		if x.Mat.Rows != rows || x.Mat.Cols != cols {
			t.Fatalf("%s is %d×%d, want %d×%d", name, x.Mat.Rows, x.Mat.Cols, rows, cols)
		}
		return x.Mat
	}
	if m := shape("emb.tok", c.Vocab, c.Width); !slices.Equal(m.Data, n.m.Emb.Tok.Value.Data) {
		t.Error("emb.tok is not the model's token table")
	}
	shape("emb.pos", c.Context, c.Width)
	if m := shape("block1.ln2.gain", 1, c.Width); !slices.Equal(m.Data, n.m.Blocks[1].Norm2.Gain.Value.Data) {
		t.Error("block1.ln2.gain is not the model's")
	}
	shape("lnf.bias", 1, c.Width)
	for i, base := range n.m.Base {
		_, hasW := byName[base.Name+".W"]
		w0, hasW0 := byName[base.Name+".W0"]
		if n.on[i] != hasW0 || n.on[i] == hasW {
			t.Errorf("%s (adapted %v): W listed %v, W0 listed %v", base.Name, n.on[i], hasW, hasW0)
		}
		if hasW0 && !slices.Equal(w0.Mat.Data, base.W.Data) {
			t.Errorf("%s.W0 is not the pretrained W", base.Name)
		}
		if hasW {
			if b := shape(base.Name+".bias", 1, base.DOut); !slices.Equal(b.Data, base.Bias) {
				t.Errorf("%s.bias is not the layer's", base.Name)
			}
		}
	}
	if _, ok := byName["head.W0"]; !ok {
		t.Error("the targeted head has no W0")
	}
	for _, set := range []struct {
		name string
		e    evalSet
	}{{"eval", n.held}, {"forget", n.forget}} {
		tok, tgt := shape(set.name+".tokens", 6, c.Context), shape(set.name+".targets", 6, c.Context)
		if !slices.Equal(ids(tok.Data), set.e.tokens) || !slices.Equal(ids(tgt.Data), set.e.targets) {
			t.Errorf("%s windows differ from the evaluation's", set.name)
		}
	}
}
