package charlm_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks/charlm"
)

// small is a quick charlm configuration: 2 sequences of 8 characters.
func small(targets string, sampleEvery int) lab.Config {
	cfg := lab.Defaults()
	cfg.Task, cfg.Batch, cfg.Steps, cfg.EvalEvery, cfg.Rank = "charlm", 2, 3, 1, 2
	return cfg.With("context", 8).With("eval-size", 2).With("targets", targets).
		With("sample-every", sampleEvery).With("sample-length", 12)
}

// rig is a network adapted by a method with its optimiser, built as a run
// builds it (lab/train.go), for tests that look inside a step.
type rig struct {
	cfg    lab.Config
	net    lab.Network
	layers []lab.Adapted
	params []*lab.Param
	opt    *lab.AdamW
	ledger *lab.Ledger
	digest lab.Digest
}

func newRig(t *testing.T, m lab.Method, cfg lab.Config) *rig {
	t.Helper()
	job, err := lab.Prepare(lab.Job{Method: m, Task: charlm.Task{}, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	cfg = job.Config
	whole := m.Info().TrainsBase
	r := &rig{cfg: cfg, ledger: lab.NewLedger(), digest: lab.NewDigest()}
	r.net, err = charlm.Task{}.New(context.Background(), cfg, r.ledger, whole)
	if err != nil {
		t.Fatal(err)
	}
	env := &lab.Env{Ledger: r.ledger, Rand: lab.NewRand(cfg.Seed, lab.StreamAdapter), Config: cfg, N: charlm.Task{}.Rows(cfg)}
	r.layers = m.Build(env, r.net.Linears())
	for _, l := range r.layers {
		r.params = append(r.params, l.Params()...)
	}
	r.params = append(r.params, r.net.Adapt(r.layers)...)
	r.opt = lab.NewAdamW(r.ledger, r.params, cfg.LR, cfg.WeightDecay)
	return r
}

// step is one training step, as the trainer takes it.
func (r *rig) step() float64 {
	r.net.NextBatch(&r.digest)
	loss := r.net.Forward()
	for _, p := range r.params {
		p.Grad.Zero()
	}
	r.net.Backward()
	for _, l := range r.layers {
		l.BeforeUpdate()
	}
	r.opt.Step()
	for _, l := range r.layers {
		l.AfterUpdate(r.opt.Steps())
	}
	return loss
}

// formula is what the method and the task say a run of cfg holds.
func formula(m lab.Method, cfg lab.Config) lab.Footprint {
	t, whole := charlm.Task{}, m.Info().TrainsBase
	return m.Footprint(cfg, t.Layers(cfg, whole), t.Rows(cfg)).Plus(t.Footprint(cfg, whole))
}

// TestLedgerEqualsFootprint: for every method, four choices of targets
// and with and without samples, the numbers the ledger handed out after
// building the adapted network, a training step, an evaluation and a
// sample equal the method's Footprint plus the task's, in every category.
func TestLedgerEqualsFootprint(t *testing.T) {
	for _, targets := range []string{"q,v", "q,k,v,o", "all-linear", "up,head"} {
		for _, every := range []int{0, 2} {
			for _, m := range adapters.All() {
				t.Run(targets+"/"+m.Info().Name+"/"+map[bool]string{true: "samples", false: "no-samples"}[every > 0], func(t *testing.T) {
					r := newRig(t, m, small(targets, every))
					r.step()
					r.net.Evaluate(context.Background())
					if s, ok := r.net.(lab.Sampler); ok && s.SampleEvery() > 0 {
						s.Sample()
					}
					got, want := r.ledger.Numbers(), formula(m, r.cfg)
					for _, c := range lab.Categories {
						if got.Get(c) != want.Get(c) {
							t.Errorf("%s: ledger holds %d numbers, formula says %d", c, got.Get(c), want.Get(c))
						}
					}
				})
			}
		}
	}
}

// baseNumbers is every number of the shipped base model at context T: the
// tensors of the weights file, the position table cut to T rows.
func baseNumbers(t *testing.T, T int) int {
	w, err := charlm.Base()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, x := range w.Tensors {
		if name == "emb.pos" {
			n += T * x.Cols
			continue
		}
		n += len(x.Data)
	}
	return n
}

// TestWeightsHeldOnce: under LoRA on q and v, the frozen numbers are
// exactly the base model's, each weight once (the un-targeted layers run
// as frozen layers over the base buffers, nothing is copied); the
// trainable ones are LoRA's A and B on the 2·L targeted layers only; and
// under full fine-tuning the same numbers are all trainable.
func TestWeightsHeldOnce(t *testing.T) {
	lora, _ := adapters.Lookup("lora")
	r := newRig(t, lora, small("q,v", 0))
	base := baseNumbers(t, 8)
	got := r.ledger.Numbers()
	if got.Frozen != base {
		t.Errorf("LoRA on q,v: %d frozen numbers, the base model has %d", got.Frozen, base)
	}
	depth := charlm.Task{}.Layers(r.cfg, true)
	if n := len(r.net.Linears()); n != 2*(len(depth)-1)/6 {
		t.Errorf("%d adapted layers, want q and v of each block", n)
	}
	if want := len(r.net.Linears()) * 2 * (64 + 64); got.Trainable != want {
		t.Errorf("LoRA on q,v: %d trainable numbers, want %d", got.Trainable, want)
	}
	full, _ := adapters.Lookup("full")
	f := newRig(t, full, small("q,v", 0)).ledger.Numbers()
	if f.Frozen != 0 || f.Trainable != base {
		t.Errorf("full fine-tuning: %d frozen, %d trainable; want 0 and the base model's %d", f.Frozen, f.Trainable, base)
	}
}

// TestNetworkGradients checks the whole adapted network's gradients against
// central finite differences of its loss, for LoRA and VeRA on every linear
// layer of the blocks (their zero-initialised B and b drawn at random first,
// so that every gradient is nonzero), DoRA on q and v (differentiating
// through its norm, dora-exact: the default detaches it, as PEFT does, and
// is not the true gradient), and full fine-tuning
// of every tensor (the embedding and the norms included; 40 entries of each
// tensor). The base weights are the shipped pretrained ones.
func TestNetworkGradients(t *testing.T) {
	for _, c := range []struct{ method, targets string }{{"lora", "all-linear"}, {"vera", "all-linear"}, {"dora", "q,v"}, {"full", "q,v"}} {
		t.Run(c.method+"/"+c.targets, func(t *testing.T) {
			m, err := adapters.Lookup(c.method)
			if err != nil {
				t.Fatal(err)
			}
			cfg := small(c.targets, 0).With("context", 5)
			cfg.Batch = 2
			switch c.method {
			case "vera":
				cfg.Rank = 8
			case "dora":
				cfg = cfg.With("dora-exact", true)
			}
			r := newRig(t, m, cfg)
			rnd := lab.NewRand(7, 99)
			for _, p := range r.params {
				if p.Role == "B" || p.Role == "b" {
					lab.FillNormal(p.Value, rnd, 0.05)
				}
			}
			r.net.NextBatch(&r.digest)
			r.net.Forward()
			for _, p := range r.params {
				p.Grad.Zero()
			}
			r.net.Backward()
			checked := 0
			for _, p := range r.params {
				idx := entries(p.Value.Len(), 40, rnd)
				worst, scale := 0.0, 0.0
				for _, k := range idx {
					i, j := k/p.Value.Cols, k%p.Value.Cols
					v := p.Value.At(i, j)
					at := func(x float64) float64 { p.Value.Set(i, j, x); return r.net.Forward() }
					// The five-point stencil: truncation O(h⁴), rounding about
					// 1e-16·L/h ≈ 1e-12, far below the gradients checked.
					const h = 1e-3
					fd := (-at(v+2*h) + 8*at(v+h) - 8*at(v-h) + at(v-2*h)) / (12 * h)
					p.Value.Set(i, j, v)
					g := p.Grad.At(i, j)
					worst = max(worst, math.Abs(fd-g))
					scale = max(scale, math.Abs(fd), math.Abs(g))
				}
				if strings.HasSuffix(p.Name, ".k.bias") { // K's bias cannot change the softmax: its gradient is 0
					if scale > 1e-9 {
						t.Errorf("%s: gradient %g, want 0", p.Name, scale)
					}
					continue
				}
				if scale == 0 {
					t.Errorf("%s: zero gradient at every checked entry", p.Name)
				} else if worst > 1e-6*scale {
					t.Errorf("%s: largest difference from finite differences %.3g (gradients up to %.3g)", p.Name, worst, scale)
				}
				checked++
			}
			if checked < 4 {
				t.Errorf("only %d tensors checked", checked)
			}
		})
	}
}

// entries returns up to n distinct indices below total, at random.
func entries(total, n int, r interface{ IntN(int) int }) []int {
	if total <= n {
		out := make([]int, total)
		for i := range out {
			out[i] = i
		}
		return out
	}
	seen := map[int]bool{}
	var out []int
	for len(out) < n {
		k := r.IntN(total)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// TestBaseLossMatchesMetadata: the shipped model, loaded by a run (LoRA,
// whose B = 0 leaves it unchanged), measures on Opticks' held-out split
// (the pretraining's own 256 windows at context 64, batch 32) exactly the
// held-out loss its file records: the file, its float32 rounding and the
// loader agree with the pretraining.
func TestBaseLossMatchesMetadata(t *testing.T) {
	w, err := charlm.Base()
	if err != nil {
		t.Fatal(err)
	}
	lora, _ := adapters.Lookup("lora")
	cfg := small("q,v", 0).With("context", w.Meta.Model.Context).With("eval-size", charlm.ShippedPretrain.EvalWindows)
	cfg.Batch = w.Meta.Model.Batch
	r := newRig(t, lora, cfg)
	got := r.net.Evaluate(context.Background()).Forget
	if math.Abs(got-w.Meta.HeldLoss) > 1e-12*w.Meta.HeldLoss {
		t.Errorf("forgetting loss of the base model %.15g; the file records %.15g", got, w.Meta.HeldLoss)
	}
}

// TestShippedWeights: the embedded base model's metadata matches the code:
// the format, the shape the pretraining settings name, the vocabulary, the
// SHA-256 of the embedded Opticks and the settings of the pretraining
// command's defaults; it was pretrained to below 1.6 nats; the file is
// small.
func TestShippedWeights(t *testing.T) {
	w, err := charlm.Base()
	if err != nil {
		t.Fatal(err)
	}
	m, want := w.Meta, charlm.ShippedPretrain
	want.Model.Vocab = charlm.BaseVocab().Size()
	if m.Format != charlm.WeightsFormat || m.Model != want.Model || m.Vocab != charlm.BaseVocab().Chars() ||
		m.TextSHA256 != charlm.Opticks().Digest || m.Text != "opticks" || m.Pretrain != want.Flags() || m.Steps != want.Steps {
		t.Errorf("shipped metadata %+v\ndoes not match the code: shape %+v, settings %q, text %s", m, want.Model, want.Flags(), charlm.Opticks().Digest)
	}
	if err := w.Check(charlm.BaseVocab()); err != nil {
		t.Error(err)
	}
	if m.HeldLoss > 1.6 || m.HeldLoss < 0.5 {
		t.Errorf("held-out loss %.3f nats: the shipped model should be pretrained to below 1.6", m.HeldLoss)
	}
	info, err := os.Stat(filepath.Join("base", "opticks.safetensors"))
	if err != nil || info.Size() > 2<<20 {
		t.Errorf("base file: %v, %d bytes (at most 2 MiB)", err, info.Size())
	}
}

// TestVocabularyMismatch: weights whose vocabulary differs from the code's
// are refused with one line naming both sizes.
func TestVocabularyMismatch(t *testing.T) {
	w, _ := charlm.Base()
	err := w.Check(charlm.NewVocab("abc"))
	if err == nil || !strings.Contains(err.Error(), "vocabulary (103 characters) differs from the task's (3 characters)") || strings.Contains(err.Error(), "\n") {
		t.Errorf("vocabulary mismatch: %v", err)
	}
}

// TestBadInput: every refusal comes from lab.Prepare, is one line, and names
// the value and what is allowed.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty, binary, short := file("empty.txt", " \n"), file("bin.dat", "abc\x00def"+strings.Repeat("x", 1000)), file("short.txt", "tiny text")
	lora, _ := adapters.Lookup("lora")
	vera, _ := adapters.Lookup("vera")
	base := small("q,v", 0)
	for _, c := range []struct {
		method lab.Method
		cfg    lab.Config
		want   string
	}{
		{lora, base.With("targets", "q,x"), `targets "q,x": unknown layer "x"; name layers among q, k, v, o, up, down, head (comma-separated, as PEFT's target_modules) or all-linear`},
		{lora, base.With("targets", ""), `targets "": no layer named; name layers among q, k, v, o, up, down, head`},
		{lora, base.With("targets", "q_proj"), `targets "q_proj": unknown layer "q_proj"`},
		{lora, base.With("context", 65), "context 65: must be between 1 and 64"},
		{lora, base.With("text-file", empty), "empty.txt: empty; want UTF-8 text of at least 90 characters"},
		{lora, base.With("text-file", binary), "bin.dat: binary (a NUL byte at offset 3); want UTF-8 text"},
		{lora, base.With("text-file", short), "short.txt: 9 characters; at least 90 needed for context 8"},
		{lora, base.With("text-file", filepath.Join(dir, "missing.txt")), "missing.txt: no such file or directory"},
		{lora, func() lab.Config { c := base; c.Rank = 65; return c }(), "rank 65: must be between 1 and 64 (the smallest layer dimension) for lora"},
		{vera, func() lab.Config { c := base; c.Rank = 5000; return c }(), "rank 5000: must be between 1 and 4096 for vera"},
		{lora, base.With("prompt", "中"), `prompt "中": '中' is not in the base model's 103-character vocabulary`},
		{lora, func() lab.Config { c := base; c.Batch = 4096; return c.With("context", 64) }(), "batch 4096, context 64: the run would hold about"},
		{lora, base.With("temperature", -1.0), "temperature -1: must be between 0 and 10"},
	} {
		_, err := lab.Prepare(lab.Job{Method: c.method, Task: charlm.Task{}, Config: c.cfg})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("error %v\nwant one line containing %q", err, c.want)
		}
	}
}

// TestRunReportsSamplesAndForgetting: a run through lab.Execute reports its
// ledger memory as the formula says, a sample before the first step, every
// sample-every steps and at the last, each continuing the prompt; the same
// first sample for every method (the same base model and draws); the same
// samples again from the same seed; the forgetting loss at every history
// point; and the same data digest for every method, PiSSA (which rewrites
// its base weights) included.
func TestRunReportsSamplesAndForgetting(t *testing.T) {
	run := func(name string) *lab.Result {
		m, _ := adapters.Lookup(name)
		cfg := small("q,v", 2)
		cfg.Steps = 5
		job, err := lab.Prepare(lab.Job{Method: m, Task: charlm.Task{}, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		res, err := lab.Execute(context.Background(), job, nil)
		if err != nil || res.Status != lab.Done {
			t.Fatalf("%s: %v %v %s", name, err, res.Status, res.Reason)
		}
		if want := formula(m, job.Config).Bytes(lab.BytesPerNumber); res.Memory != want {
			t.Errorf("%s: memory %+v, formula %+v", name, res.Memory, want)
		}
		return res
	}
	lora, again, full, pissa := run("lora"), run("lora"), run("full"), run("pissa")
	var steps []int
	for _, s := range lora.Samples {
		steps = append(steps, s.Step)
		if s.Prompt != "The" || len([]rune(s.Text)) != 12 {
			t.Errorf("sample %+v: want 12 characters after the prompt", s)
		}
	}
	if !slices.Equal(steps, []int{0, 2, 4, 5}) {
		t.Errorf("samples at steps %v, want 0, 2, 4 and 5", steps)
	}
	if !slices.Equal(lora.Samples, again.Samples) {
		t.Error("the same seed gave different samples")
	}
	if lora.Samples[0] != full.Samples[0] || lora.Samples[0] != pissa.Samples[0] {
		t.Errorf("samples at step 0 differ between methods: %q, %q, %q", lora.Samples[0].Text, full.Samples[0].Text, pissa.Samples[0].Text)
	}
	for _, p := range lora.History {
		if !(p.Forget > 0) {
			t.Errorf("history point at step %d has forgetting loss %v", p.Step, p.Forget)
		}
	}
	if lora.DataDigest != full.DataDigest || lora.DataDigest != pissa.DataDigest {
		t.Errorf("data digests differ: lora %s, full %s, pissa %s", lora.DataDigest, full.DataDigest, pissa.DataDigest)
	}
	if len(lora.Notes) == 0 || !strings.Contains(lora.Notes[0], "fine-tuning text go") {
		t.Errorf("notes %q", lora.Notes)
	}
}

// TestUserText: a user's file is what the run fine-tunes on (the digest
// differs from the Go source's), and its characters outside the vocabulary
// are reported in the notes.
func TestUserText(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mine.txt")
	if err := os.WriteFile(p, []byte(strings.Repeat("Ein Lichtstrahl trifft das Glas — 中文 ", 30)), 0o644); err != nil {
		t.Fatal(err)
	}
	lora, _ := adapters.Lookup("lora")
	cfg := small("q,v", 0)
	cfg.Steps = 2
	digest := func(cfg lab.Config) (lab.Digest, []string) {
		job, err := lab.Prepare(lab.Job{Method: lora, Task: charlm.Task{}, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		res, err := lab.Execute(context.Background(), job, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.DataDigest, res.Notes
	}
	mine, notes := digest(cfg.With("text-file", p))
	theirs, _ := digest(cfg)
	if mine == theirs {
		t.Error("the user's text gave the Go source's digest")
	}
	if len(notes) != 2 || !strings.Contains(notes[1], "mine.txt: 60 characters outside the vocabulary replaced by '?'") {
		t.Errorf("notes %q", notes)
	}
}

// TestTargets: which layers each targets value adapts, in model order:
// q and v of each block by default; all six of each block for all-linear,
// not the head unless named; every layer, the head included, for a method
// that trains the whole model; "v+q" is "q,v".
func TestTargets(t *testing.T) {
	names := func(targets string, whole bool) string {
		var out []string
		for _, s := range (charlm.Task{}).Layers(small(targets, 0), whole) {
			out = append(out, s.Name)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		targets string
		whole   bool
		want    string
	}{
		{"q,v", false, "block0.q block0.v block1.q block1.v"},
		{"v+q", false, "block0.q block0.v block1.q block1.v"},
		{"up, down", false, "block0.up block0.down block1.up block1.down"},
		{"all-linear", false, "block0.q block0.k block0.v block0.o block0.up block0.down block1.q block1.k block1.v block1.o block1.up block1.down"},
		{"all-linear+head", false, "block0.q block0.k block0.v block0.o block0.up block0.down block1.q block1.k block1.v block1.o block1.up block1.down head"},
		{"head", false, "head"},
		{"q,v", true, "block0.q block0.k block0.v block0.o block0.up block0.down block1.q block1.k block1.v block1.o block1.up block1.down head"},
	} {
		if got := names(c.targets, c.whole); got != c.want {
			t.Errorf("targets %q (whole %v): %s, want %s", c.targets, c.whole, got, c.want)
		}
	}
}
