package charlm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// network is one run's model and data (lab.Network, lab.Sampler,
// lab.Noter). The model's buffers come from the run's ledger; the texts,
// the held-out windows and the pristine base weights are task data outside it.
type network struct {
	m       *Model
	ledger  *lab.Ledger
	weights *Weights      // the shipped base model (shared, read-only)
	on      []bool        // which of m.Base the method adapts
	linears []*lab.Linear // those layers, in order
	base    []*lab.Mat    // their pretrained W, copied before any method touched them

	text    *Text        // the fine-tuning text
	report  EncodeReport // how a user's text was encoded
	batches *rand.Rand
	starts  []int     // the last batch's windows: where each starts in text.Train.Concat (BatchRows)
	held    evalSet   // windows of the fine-tuning text's held-out split
	forget  evalSet   // windows of Opticks' held-out split
	ids     []float64 // scratch: a batch's ids as numbers, for the digest

	sampler    *Sampler // nil when the run takes no samples
	every      int
	length     int
	tau        float64
	prompt     []int
	promptText string
	seed       uint64
}

// Linears returns the adapted layers' base layers.
func (n *network) Linears() []*lab.Linear { return n.linears }

// Adapt puts the method's layers in the targeted places and nn.Frozen in
// the others, then allocates the sampler. It returns the embedding's and
// norms' tensors when they train (whole).
func (n *network) Adapt(adapted []lab.Adapted) []*lab.Param {
	layers := make([]nn.Layer, len(n.m.Base))
	k := 0
	for i, base := range n.m.Base {
		if n.on[i] {
			layers[i] = adapted[k]
			k++
		} else {
			layers[i] = nn.NewFrozen(base)
		}
	}
	if k != len(adapted) {
		panic(fmt.Sprintf("charlm: %d adapted layers for %d targets", len(adapted), k))
	}
	n.m.SetLayers(layers)
	if n.every > 0 {
		n.sampler = NewSampler(n.m, n.ledger)
	}
	return n.m.OwnParams()
}

// NextBatch draws B windows of the fine-tuning text's train split and
// folds their ids into d.
func (n *network) NextBatch(d *lab.Digest) {
	n.text.Train.BatchStarts(n.batches, n.m.Context, n.m.Tokens, n.m.Targets, n.starts)
	half := len(n.ids) / 2
	for i, id := range n.m.Tokens {
		n.ids[i], n.ids[half+i] = float64(id), float64(n.m.Targets[i])
	}
	d.AddVec(n.ids)
}

// Forward is the model's mean cross-entropy on the batch, nats per character.
func (n *network) Forward() float64 { return n.m.Forward() }

// Backward accumulates every trainable tensor's gradient.
func (n *network) Backward() { n.m.Backward() }

// Evaluate measures the held-out loss on the fine-tuning text and on
// Opticks (forgetting), through the training buffers.
func (n *network) Evaluate(ctx context.Context) lab.Metrics {
	return lab.Metrics{Eval: n.held.loss(ctx, n.m), Forget: n.forget.loss(ctx, n.m)}
}

// Base returns the adapted layers' pretrained W.
func (n *network) Base() []*lab.Mat { return n.base }

// DigestData folds the shipped base weights (by name) and both texts'
// held-out windows into d.
func (n *network) DigestData(d *lab.Digest) {
	names := make([]string, 0, len(n.weights.Tensors))
	for name := range n.weights.Tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d.AddVec(n.weights.Tensors[name].Data)
	}
	n.held.digest(d)
	n.forget.digest(d)
}

// BatchRows returns, for each sequence of the last batch, where its window
// starts in the training text "train.text" of Tensors (lab.BatchRower):
// sequence b's inputs are train.text[s : s+T] and its targets
// train.text[s+1 : s+T+1], s = BatchRows()[b].
func (n *network) BatchRows() []int { return n.starts }

// Tensors lists the task's data for export (lab.Tensorer), copies as float64
// matrices (token ids are whole numbers):
//
//	emb.tok (V × d), emb.pos (T × d)         the embedding's tables
//	blockL.ln1.gain, .ln1.bias, .ln2.…, lnf.… the norms' γ and β (1 × d)
//	NAME.W0 (d_out × d_in)                    each adapted layer's pretrained W
//	NAME.W, NAME.bias                         each layer no method adapts
//	train.text (1 × chars)                    the fine-tuning text's train split, segments joined (BatchRows index it)
//	eval.tokens, eval.targets (windows × T)   the held-out windows of the fine-tuning text (Metrics.Eval)
//	forget.tokens, forget.targets             the held-out windows of Opticks (Metrics.Forget)
//
// The adapted layers' biases and their W as the method leaves them are the
// linear layers' own (lab.Snapshot.Base). When every weight trains, the
// tables and norms are also Params, under the same names.
func (n *network) Tensors() []lab.Tensor {
	var out []lab.Tensor
	for _, p := range n.ownTensors() {
		out = append(out, lab.Tensor{Name: p.Name, Role: p.Role, Mat: p.Value})
	}
	k := 0
	for i, base := range n.m.Base {
		if n.on[i] {
			out = append(out, lab.Tensor{Name: base.Name + ".W0", Role: "W0", Mat: n.base[k]})
			k++
			continue
		}
		out = append(out, lab.Tensor{Name: base.Name + ".W", Role: "W", Mat: base.W},
			lab.Tensor{Name: base.Name + ".bias", Role: "bias", Mat: idMat(1, len(base.Bias), nil, base.Bias)})
	}
	out = append(out, lab.Tensor{Name: "train.text", Role: "text", Mat: idMat(1, n.text.Train.Chars(), n.text.Train.Concat(), nil)})
	for _, set := range []struct {
		name string
		e    evalSet
	}{{"eval", n.held}, {"forget", n.forget}} {
		w := set.e.windows()
		out = append(out,
			lab.Tensor{Name: set.name + ".tokens", Role: "tokens", Mat: idMat(w, set.e.t, set.e.tokens, nil)},
			lab.Tensor{Name: set.name + ".targets", Role: "targets", Mat: idMat(w, set.e.t, set.e.targets, nil)})
	}
	return out
}

// ownTensors are the model's tensors that are not linear layers, frozen or
// not: the embedding's tables, then every norm's γ and β, in file order.
func (n *network) ownTensors() []*lab.Param {
	m := n.m
	ps := []*lab.Param{m.Emb.Tok, m.Emb.Pos}
	for _, b := range m.Blocks {
		ps = append(ps, b.Norm1.Gain, b.Norm1.Bias, b.Norm2.Gain, b.Norm2.Bias)
	}
	return append(ps, m.Final.Gain, m.Final.Bias)
}

// idMat is a new rows × cols matrix of ids (as float64) or of numbers
// (copied), whichever is not nil.
func idMat(rows, cols int, ids []int, numbers []float64) *lab.Mat {
	m := lab.NewMat(rows, cols)
	for i, id := range ids {
		m.Data[i] = float64(id)
	}
	copy(m.Data, numbers)
	return m
}

// SampleEvery is the steps between samples.
func (n *network) SampleEvery() int { return n.every }

// Sample generates from the prompt with the current weights, with the
// same draws every time (a fresh generator of the seed's sample stream).
func (n *network) Sample() lab.Sample {
	ids := n.sampler.Generate(n.prompt, n.length, n.tau, lab.NewRand(n.seed, lab.StreamSample))
	return lab.Sample{Prompt: n.promptText, Text: BaseVocab().Decode(ids)}
}

// Notes name the fine-tuning text and its splits, and what happened to a
// user's characters outside the vocabulary.
func (n *network) Notes() []string {
	notes := []string{fmt.Sprintf("fine-tuning text %s: %s characters, %s held out (eval: %d windows); forgetting: %d windows of opticks' held-out split",
		n.text.Name, lab.Thousands(int64(len(n.text.Tokens))), lab.Thousands(int64(n.text.Held.Chars())), n.held.windows(), n.forget.windows())}
	if s := n.report.String(); s != "" {
		notes = append(notes, n.text.Name+": "+s)
	}
	return notes
}
