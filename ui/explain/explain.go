// Package explain renders LoRA Lab's explanation of a fine-tuning method as
// text: a diagram of the adapted layer (what is frozen, what trains, what is
// shared), the forward formula, the update rule, the trainable-parameter
// count and the memory kept for the backward pass with the current settings
// plugged in, the paper and its claim, and the honest caveats. The numbers
// come from the same formulas the engine's memory ledger is tested against
// (lab.Method.Footprint and lab.Task.Footprint); the words are the method's
// own (lab.MethodInfo.Explain) and the task's (lab.TaskInfo.Explain). `loralab explain` prints it;
// the TUI shows it in a pane.
package explain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
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
// its own Footprint plus the network's buffers, and what they add up to.
type Numbers struct {
	Config       lab.Config    // resolved for the method
	Layers       int           // adapted layers
	TrainablePer int           // trainable numbers of the first adapted layer: the method's Footprint on it
	Trainable    int           // over all layers
	Total        int           // every parameter the model holds: frozen + trainable
	KeptPer      int           // the method's own tensors kept for backward, on the first layer
	KeptModel    int           // the network's own kept activations
	Kept         int           // all activations kept for backward
	Footprint    lab.Footprint // method.Footprint + the task's Footprint, numbers by category
	Memory       lab.Memory    // Footprint in bytes
	Err          error         // why these settings would not run (nil if they would)
	layers       []lab.Shape
	uniform      bool // every adapted layer has the first one's shape
}

// Evaluate computes what an explanation of m on task t states at cfg. cfg
// is resolved for m (lab.Prepare); if it would not run, Err says why and
// the counts are still computed when the shapes allow it.
func Evaluate(m lab.Method, t lab.Task, cfg lab.Config) Numbers {
	info := m.Info()
	job, err := lab.Prepare(lab.Job{Method: m, Task: t, Config: cfg})
	resolved := job.Config
	out := Numbers{Config: resolved, Err: err}
	if !countable(m, t, resolved) {
		if out.Err == nil {
			out.Err = fmt.Errorf("settings out of range")
		}
		return out
	}
	layers := t.Layers(resolved, info.TrainsBase)
	n := t.Rows(resolved)
	own := m.Footprint(resolved, layers, n)
	net := t.Footprint(resolved, info.TrainsBase)
	first := m.Footprint(resolved, layers[:1], n)
	out.layers, out.uniform = layers, true
	for _, s := range layers {
		out.uniform = out.uniform && s.DIn == layers[0].DIn && s.DOut == layers[0].DOut
	}
	out.Layers = len(layers)
	out.Footprint = own.Plus(net)
	out.Memory = out.Footprint.Bytes(lab.BytesPerNumber)
	out.Total = out.Footprint.Frozen + out.Footprint.Trainable
	out.KeptModel = net.Activations
	out.Kept = out.Footprint.Activations
	out.Trainable = own.Trainable
	out.TrainablePer = first.Trainable
	out.KeptPer = first.Activations
	return out
}

// countable reports whether the shapes are within the lab's limits, so the
// formulas can be evaluated (even if the method would reject the settings):
// the task's options within their ranges, a batch and, for methods with
// one, a rank the lab could hold.
func countable(m lab.Method, t lab.Task, c lab.Config) bool {
	for _, s := range t.Info().Settings {
		if s.Check != nil && s.Check(settingValue(s, c)) != nil {
			return false
		}
	}
	return c.Batch >= 1 && c.Batch <= lab.MaxBatch && (!m.Info().UsesRank() || c.Rank >= 1 && c.Rank <= lab.MaxVeraRank)
}

// settingValue is s's value in c as its Check takes it.
func settingValue(s lab.Setting, c lab.Config) any {
	switch s.Kind {
	case lab.IntSetting:
		return s.Int(c)
	case lab.FloatSetting:
		return s.Float(c)
	case lab.BoolSetting:
		return s.Bool(c)
	}
	return s.Text(c)
}

// vars are the values an explanation's {placeholders} stand for.
func vars(m lab.Method, t lab.Task, c lab.Config, num Numbers) map[string]string {
	v := map[string]string{}
	for _, s := range lab.SettingsFor(m, t) {
		switch s.Kind {
		case lab.FloatSetting:
			v[s.Name] = g(s.Float(c))
		default:
			v[s.Name] = s.Get(c)
		}
	}
	if len(num.layers) > 0 {
		first := num.layers[0]
		maxIn, maxOut := 0, 0
		for _, s := range num.layers {
			maxIn, maxOut = max(maxIn, s.DIn), max(maxOut, s.DOut)
		}
		v["d_in"], v["d_out"] = fmt.Sprint(first.DIn), fmt.Sprint(first.DOut)
		v["max_in"], v["max_out"] = fmt.Sprint(maxIn), fmt.Sprint(maxOut)
	}
	v["r"], v["N"], v["layers"] = fmt.Sprint(c.Rank), fmt.Sprint(t.Rows(c)), fmt.Sprint(num.Layers)
	v["scaling"] = fmt.Sprintf("α/r = %s/%d = %s", g(c.Alpha), c.Rank, g(lab.Scale(c)))
	if c.RSLoRA {
		v["scaling"] = fmt.Sprintf("α/√r = %s/√%d = %s (rsLoRA)", g(c.Alpha), c.Rank, g(lab.Scale(c)))
	}
	return v
}

var placeholderRE = regexp.MustCompile(`\{[a-z_A-Z-]+\}`)

// fill replaces every {name} in text with its value in v (unknown names stay).
func fill(text string, v map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(p string) string {
		if x, ok := v[p[1:len(p)-1]]; ok {
			return x
		}
		return p
	})
}

var symbolRE = regexp.MustCompile(`[A-Za-z_]+`)

// numbers writes a count's symbols with the values plugged in:
// "r·(d_in + d_out)" → "8·(64 + 64)".
func numbers(symbols string, v map[string]string) string {
	return symbolRE.ReplaceAllStringFunc(symbols, func(name string) string {
		if x, ok := v[name]; ok {
			return x
		}
		return name
	})
}

// Method explains method m on task t at the settings cfg.
func Method(m lab.Method, t lab.Task, cfg lab.Config, opts Options) string {
	info := m.Info()
	ex := info.Explain
	num := Evaluate(m, t, cfg)
	c := num.Config
	w := opts.width()
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	para := func(text, indent string) { b.WriteString(wrap(text, w, indent) + "\n") }
	out := func(s string) string {
		if opts.ASCII {
			return toASCII(s)
		}
		return s
	}

	para(info.Title+" — "+info.Summary, "")
	if num.Err != nil {
		para("These settings would not run: "+num.Err.Error(), "  ")
	}
	if !countable(m, t, c) {
		return out(b.String())
	}
	v := vars(m, t, c, num)
	tex := t.Info().Explain
	settings := fmt.Sprintf("batch %d, lr %s", c.Batch, g(c.LR))
	if tex.Describe != nil {
		settings = tex.Describe(c) + ", " + settings
	}
	switch {
	case info.UsesAlpha():
		settings = fmt.Sprintf("r = %d, α = %s, ", c.Rank, g(c.Alpha)) + settings
	case info.UsesRank(): // no α/r scaling
		settings = fmt.Sprintf("r = %d, ", c.Rank) + settings
	}
	para("Settings: "+settings, "")
	b.WriteString("\n")

	first := num.layers[0]
	if num.uniform {
		para(fmt.Sprintf("The layer (each of the %d; d_in = %d, d_out = %d)", num.Layers, first.DIn, first.DOut), "")
	} else {
		para(fmt.Sprintf("The layer (%s, the first of the %d adapted; d_in = %d, d_out = %d)", first.Name, num.Layers, first.DIn, first.DOut), "")
	}
	d := diagramOf(ex.Diagram, v)
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
	for _, l := range ex.Legend {
		legend += "; " + fill(l, v)
	}
	para(legend, "  ")
	b.WriteString("\n")

	var moreUpdate, moreCaveats []string
	if ex.More != nil {
		moreUpdate, moreCaveats = ex.More(c, num.layers)
	}
	line("Forward")
	for _, l := range ex.Forward {
		line("%s", formula(fill(l, v), w, "  "))
	}
	line("Update (every step; G = ∂L/∂Y)")
	for _, l := range append(slices.Clone(ex.Update), moreUpdate...) {
		line("%s", formula(fill(l, v), w, "  "))
	}
	b.WriteString("\n")

	line("Trainable parameters")
	per := "per layer"
	if !num.uniform {
		per = "in " + first.Name
	}
	if num.uniform {
		para(fmt.Sprintf("%s = %s = %s %s × %d layers = %s (%s of %s)",
			ex.Trainable, numbers(ex.Trainable, v), n(num.TrainablePer), per, num.Layers, n(num.Trainable), percent(num.Trainable, num.Total), n(num.Total)), "  ")
	} else {
		para(fmt.Sprintf("%s = %s = %s %s; over the %d adapted layers %s (%s of %s)",
			ex.Trainable, numbers(ex.Trainable, v), n(num.TrainablePer), per, num.Layers, n(num.Trainable), percent(num.Trainable, num.Total), n(num.Total)), "  ")
	}
	para(fmt.Sprintf("Kept for the backward pass (batch N = %d)", t.Rows(c)), "")
	if num.uniform {
		para(fmt.Sprintf("%s: %s = %s = %s per layer × %d layers = %s",
			ex.Kept, ex.KeptSymbols, numbers(ex.KeptSymbols, v), n(num.KeptPer), num.Layers, n(num.Kept-num.KeptModel)), "  ")
	} else {
		para(fmt.Sprintf("%s: %s = %s = %s %s; over the %d adapted layers %s",
			ex.Kept, ex.KeptSymbols, numbers(ex.KeptSymbols, v), n(num.KeptPer), per, num.Layers, n(num.Kept-num.KeptModel)), "  ")
	}
	if num.KeptModel > 0 {
		what := "the network's own"
		if tex.Kept != nil {
			what = tex.Kept(c)
		}
		para(fmt.Sprintf("+ %s: %s", what, n(num.KeptModel)), "  ")
	}
	para(fmt.Sprintf("= %s numbers = %s B at %d B each", n(num.Kept), n(num.Kept*lab.BytesPerNumber), lab.BytesPerNumber), "  ")
	para(fmt.Sprintf("Memory (what the engine's ledger holds at batch %d, in bytes)", c.Batch), "")
	for _, cat := range lab.Categories {
		if x := num.Footprint.Get(cat); x > 0 {
			line("  %-12s %12s", cat.String(), n(x*lab.BytesPerNumber))
		}
	}
	line("  %-12s %12s", "total", n64(num.Memory.Total))
	b.WriteString("\n")

	line("Paper")
	para(info.Paper, "  ")
	para("Claim: "+info.Claim, "  ")
	line("Caveats")
	para(sentence(info.Caveat), "  ")
	var caveats []string
	if tex.Caveats != nil {
		caveats = tex.Caveats(info, c)
	}
	caveats = append(caveats, moreCaveats...)
	caveats = append(caveats, ex.Caveats...)
	for _, cv := range caveats {
		para(fill(cv, v), "  ")
	}
	return out(strings.TrimRight(b.String(), "\n") + "\n")
}

// diagramOf is the method's diagram with its placeholders filled in.
func diagramOf(d lab.Diagram, v map[string]string) diagram {
	conv := func(bs []lab.Block) []block {
		out := make([]block, len(bs))
		for i, b := range bs {
			for _, l := range b {
				out[i].lines = append(out[i].lines, fill(l, v))
			}
		}
		return out
	}
	return diagram{main: conv(d.Main), side: conv(d.Side), op: d.Op, out: d.Out}
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
	return diagram{main: conv(d.main), side: conv(d.side), op: toASCII(strings.ReplaceAll(d.op, "×", "*")), out: toASCII(d.out)}
}

// rankOf is a method's rank for the table: "–" for methods without one.
func rankOf(info lab.MethodInfo, c lab.Config) string {
	if !info.UsesRank() {
		return "–"
	}
	return fmt.Sprint(c.Rank)
}

// Compare explains every method in one table at the settings cfg: what
// trains, trainable parameters, the activations kept for backward and the
// total memory, each method resolved as it would run (its own default lr).
func Compare(methods []lab.Method, t lab.Task, cfg lab.Config, opts ...Options) string {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	head := []string{"method", "r", "trains", "trainable", "share", "activations", "memory", "lr"}
	rows := [][]string{head}
	var notes []string
	for _, m := range methods {
		info := m.Info()
		num := Evaluate(m, t, cfg)
		trains := info.Explain.Trains
		if !countable(m, t, num.Config) {
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
	var b strings.Builder
	rank := "each method's default rank"
	if cfg.Rank != 0 {
		rank = fmt.Sprintf("r = %d", cfg.Rank)
	}
	shape := ""
	if d := t.Info().Explain.Describe; d != nil {
		shape = d(cfg) + ", "
	}
	b.WriteString(wrap(fmt.Sprintf("All methods at %s, %sbatch %d; bytes at 8 per number, from the formulas the engine's memory ledger is tested against.",
		rank, shape, cfg.Batch), o.width(), "") + "\n\n")
	b.WriteString(text.Table(rows, map[int]bool{1: true, 3: true, 4: true, 5: true, 6: true}, true))
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
