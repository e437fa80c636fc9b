// Package explain renders LoRA Lab's explanation of a fine-tuning method as
// text: a diagram of the adapted layer (what is frozen, what trains, what is
// shared), the forward formula, the update rule, the trainable-parameter
// count and the memory kept for the backward pass with the current settings
// plugged in, the paper and its claim, and the honest caveats. The numbers
// come from the same formulas the engine's memory ledger is tested against
// (lab.Method.Footprint and lab.ModelFootprint). `loralab explain` prints it;
// the TUI shows it in a pane.
package explain

import (
	"fmt"
	"strings"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// Options control the rendering.
type Options struct {
	Width int  // columns to fit (0 = 80); a diagram that does not fit becomes a list
	ASCII bool // ASCII only: no box drawing, Greek letters or math symbols
}

// DefaultWidth is the width used when Options.Width is 0.
const DefaultWidth = 80

func (o Options) width() int {
	if o.Width <= 0 {
		return DefaultWidth
	}
	return o.Width
}

// Numbers are the counts an explanation states for one method and config:
// its own Footprint plus the model's buffers, and what they add up to.
type Numbers struct {
	Config         lab.Config    // resolved for the method
	Layers         int           // adapted layers
	TrainablePer   int           // trainable numbers per layer, by the explanation's formula
	Trainable      int           // over all layers
	Total          int           // every parameter the model holds: frozen + trainable
	KeptPer        int           // the method's own tensors kept for backward, per layer
	KeptModel      int           // the model's own kept activations (hidden outputs)
	Kept           int           // all activations kept for backward
	Footprint      lab.Footprint // method.Footprint + lab.ModelFootprint, numbers by category
	Memory         lab.Memory    // Footprint in bytes
	Err            error         // why these settings would not run (nil if they would)
	formulasKnown  bool
	trainableTerms count
	keptTerms      count
}

// Evaluate computes what an explanation of m states at cfg. cfg is resolved
// for m (lab.Prepare); if it would not run, Err says why and the counts are
// still computed when the shapes allow it.
func Evaluate(m lab.Method, cfg lab.Config) Numbers {
	info := m.Info()
	resolved, err := lab.Prepare(m, cfg)
	out := Numbers{Config: resolved, Err: err}
	if !countable(resolved, info.UsesRank) {
		if out.Err == nil {
			out.Err = fmt.Errorf("settings out of range")
		}
		return out
	}
	layers := resolved.Layers()
	nb := resolved.Batch
	out.Layers = len(layers)
	out.Footprint = m.Footprint(resolved, layers, nb).Plus(lab.ModelFootprint(resolved, layers, nb))
	out.Memory = out.Footprint.Bytes(lab.BytesPerNumber)
	out.Total = out.Footprint.Frozen + out.Footprint.Trainable
	out.KeptModel = lab.ModelFootprint(resolved, layers, nb).Activations
	out.Kept = out.Footprint.Activations
	if sp, ok := specs[info.Name]; ok {
		e := newEnv(info, resolved)
		out.formulasKnown = true
		out.trainableTerms = sp.trainable(e)
		out.keptTerms = sp.kept(e)
		out.TrainablePer = out.trainableTerms.value
		out.Trainable = out.TrainablePer * out.Layers
		out.KeptPer = out.keptTerms.value
	} else {
		out.Trainable = out.Footprint.Trainable
	}
	return out
}

// countable reports whether the shapes are within the lab's limits, so the
// formulas can be evaluated (even if the method would reject the settings).
func countable(c lab.Config, usesRank bool) bool {
	return c.Depth >= 1 && c.Depth <= lab.MaxDepth && c.Width >= 1 && c.Width <= lab.MaxWidth &&
		c.Batch >= 1 && c.Batch <= lab.MaxBatch && (!usesRank || c.Rank >= 1 && c.Rank <= lab.MaxVeraRank)
}

func newEnv(info lab.MethodInfo, cfg lab.Config) env {
	e := env{cfg: cfg, r: cfg.Rank, n: cfg.Batch, info: info}
	layers := cfg.Layers()
	e.l = len(layers)
	for i, s := range layers {
		if i == 0 {
			e.dIn, e.dOut = s.DIn, s.DOut
		}
		e.maxIn, e.mxO = max(e.maxIn, s.DIn), max(e.mxO, s.DOut)
	}
	return e
}

// Method explains method m at the settings cfg.
func Method(m lab.Method, cfg lab.Config, opts Options) string {
	info := m.Info()
	num := Evaluate(m, cfg)
	c := num.Config
	w := opts.width()
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	para := func(text, indent string) { b.WriteString(wrap(text, w, indent) + "\n") }
	t := func(s string) string {
		if opts.ASCII {
			return toASCII(s)
		}
		return s
	}

	para(info.Title+" — "+info.Summary, "")
	if num.Err != nil {
		para("These settings would not run: "+num.Err.Error(), "  ")
	}
	if !countable(c, info.UsesRank) {
		return t(b.String())
	}
	sp, known := specs[info.Name]
	e := newEnv(info, c)
	settings := fmt.Sprintf("width %d, depth %d, batch %d, lr %s", c.Width, c.Depth, c.Batch, g(c.LR))
	switch {
	case info.Name == "vera": // no α/r scaling
		settings = fmt.Sprintf("r = %d, ", c.Rank) + settings
	case info.UsesRank:
		settings = fmt.Sprintf("r = %d, α = %s, ", c.Rank, g(c.Alpha)) + settings
	}
	para("Settings: "+settings, "")
	b.WriteString("\n")

	if known {
		para(fmt.Sprintf("The layer (each of the %d; d_in = %d, d_out = %d)", e.l, e.dIn, e.dOut), "")
		d := sp.diagram(e)
		if opts.ASCII {
			d = asciiDiagram(d)
		}
		pic := d.draw()
		if pic.width()+2 <= w {
			for _, l := range strings.Split(pic.String(), "\n") {
				line("  %s", l)
			}
		} else {
			para(d.list(), "  ")
		}
		legend := "trains: updated by the optimiser; frozen: never changes"
		if info.Name == "vera" {
			legend += fmt.Sprintf("; shared: one copy for all %d layers", e.l)
		}
		if info.Name == "delta-lora" {
			legend += "; frozen*: no gradient, but moves with the change of B·A"
		}
		para(legend, "  ")
		b.WriteString("\n")

		line("Forward")
		for _, l := range sp.forward(e) {
			line("%s", formula(l, w, "  "))
		}
		line("Update (every step; G = ∂L/∂Y)")
		for _, l := range sp.update(e) {
			line("%s", formula(l, w, "  "))
		}
		b.WriteString("\n")
	}

	line("Trainable parameters")
	if num.formulasKnown {
		tt := num.trainableTerms
		para(fmt.Sprintf("%s = %s = %s per layer × %d layers = %s (%s of %s)",
			tt.symbols, tt.numbers, n(tt.value), num.Layers, n(num.Trainable), percent(num.Trainable, num.Total), n(num.Total)), "  ")
	} else {
		para(fmt.Sprintf("%s (%s of %s)", n(num.Trainable), percent(num.Trainable, num.Total), n(num.Total)), "  ")
	}
	para(fmt.Sprintf("Kept for the backward pass (batch N = %d)", c.Batch), "")
	if num.formulasKnown {
		kt := num.keptTerms
		para(fmt.Sprintf("%s: %s = %s = %s per layer × %d layers = %s",
			kt.what, kt.symbols, kt.numbers, n(kt.value), num.Layers, n(kt.value*num.Layers)), "  ")
		if num.KeptModel > 0 {
			para(fmt.Sprintf("+ the hidden layers' outputs, for %s′: %s", c.Activation, n(num.KeptModel)), "  ")
		}
	}
	para(fmt.Sprintf("= %s numbers = %s B at %d B each", n(num.Kept), n(num.Kept*lab.BytesPerNumber), lab.BytesPerNumber), "  ")
	para(fmt.Sprintf("Memory (what the engine's ledger holds at batch %d, in bytes)", c.Batch), "")
	for _, cat := range lab.Categories {
		if v := num.Footprint.Get(cat); v > 0 {
			line("  %-12s %12s", cat.String(), n(v*lab.BytesPerNumber))
		}
	}
	line("  %-12s %12s", "total", n64(num.Memory.Total))
	b.WriteString("\n")

	line("Paper")
	para(info.Paper, "  ")
	para("Claim: "+info.Claim, "  ")
	line("Caveats")
	para(sentence(info.Caveat), "  ")
	if known {
		for _, cv := range sp.caveats(e) {
			para(cv, "  ")
		}
	}
	return t(strings.TrimRight(b.String(), "\n") + "\n")
}

// asciiDiagram spells a diagram's labels in ASCII before it is drawn, so
// the boxes are sized for the text they will hold.
func asciiDiagram(d diagram) diagram {
	conv := func(bs []block) []block {
		out := make([]block, len(bs))
		for i, b := range bs {
			out[i].lines = make([]string, len(b.lines))
			for j, l := range b.lines {
				out[i].lines[j] = toASCII(l)
			}
		}
		return out
	}
	return diagram{main: conv(d.main), side: conv(d.side), op: toASCII(strings.ReplaceAll(d.op, "×", "*"))}
}

// rankOf is a method's rank for the table: "–" for methods without one.
func rankOf(info lab.MethodInfo, c lab.Config) string {
	if !info.UsesRank {
		return "–"
	}
	return fmt.Sprint(c.Rank)
}

// Compare explains every method in one table at the settings cfg: what
// trains, trainable parameters, the activations kept for backward and the
// total memory, each method resolved as it would run (its own default lr).
func Compare(cfg lab.Config, opts ...Options) string {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	type row struct{ cells []string }
	head := []string{"method", "r", "trains", "trainable", "share", "activations", "memory", "lr"}
	rows := [][]string{head}
	var notes []string
	for _, m := range adapters.All() {
		info := m.Info()
		num := Evaluate(m, cfg)
		trains := "?"
		if sp, ok := specs[info.Name]; ok {
			trains = sp.trains
		}
		if !countable(num.Config, info.UsesRank) {
			rows = append(rows, []string{info.Title, rankOf(info, num.Config), trains, "–", "–", "–", "–", g(info.DefaultLR)})
			notes = append(notes, info.Title+": "+num.Err.Error())
			continue
		}
		rows = append(rows, []string{
			info.Title, rankOf(info, num.Config), trains, n(num.Trainable), percent(num.Trainable, num.Total),
			n(num.Kept*lab.BytesPerNumber) + " B", n64(num.Memory.Total) + " B", g(info.DefaultLR),
		})
		if num.Err != nil {
			notes = append(notes, info.Title+" would not run: "+num.Err.Error())
		}
	}
	ws := make([]int, len(head))
	for _, r := range rows {
		for i, c := range r {
			ws[i] = max(ws[i], width(c))
		}
	}
	right := map[int]bool{1: true, 3: true, 4: true, 5: true, 6: true}
	var b strings.Builder
	rank := "each method's default rank"
	if cfg.Rank != 0 {
		rank = fmt.Sprintf("r = %d", cfg.Rank)
	}
	b.WriteString(wrap(fmt.Sprintf("All methods at %s, width %d, depth %d, batch %d; bytes at 8 per number, from the formulas the engine's memory ledger is tested against.",
		rank, cfg.Width, cfg.Depth, cfg.Batch), o.width(), "") + "\n\n")
	for i, r := range rows {
		var cells []string
		for j, c := range r {
			if right[j] {
				cells = append(cells, padLeft(c, ws[j]))
			} else {
				cells = append(cells, pad(c, ws[j]))
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(cells, "  "), " ") + "\n")
		if i == 0 {
			total := 0
			for _, x := range ws {
				total += x
			}
			b.WriteString(strings.Repeat("─", total+2*(len(ws)-1)) + "\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(wrap("trains: what the optimiser updates (LoRA-FA's A and VeRA's shared A and B stay frozen; Delta-LoRA's W also moves, without a gradient; LoRA+ trains B at λ·lr). share: trainable parameters as a share of all the model holds. activations: what the forward pass keeps for the backward pass. memory: weights, gradients, AdamW state, activations and scratch, in bytes. lr: the method's default learning rate.", o.width(), "") + "\n")
	for _, note := range notes {
		b.WriteString(wrap(note, o.width(), "") + "\n")
	}
	if o.ASCII {
		return toASCII(b.String())
	}
	return b.String()
}
