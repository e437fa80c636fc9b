package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
	"github.com/loralab/loralab/ui/text"
)

// ScalePane is the memory-at-scale dialog (M): what the marked methods
// would cost on a real model (lab/scale, the same per-layer formulas the
// toy's ledger is checked against), each with its rank and own settings
// from the lab, and whether a training step fits on a GPU. It opens on
// scale.DefaultOptions (targets q,v, batch 1 × seq 512, bf16 base, fp32
// adapters, AdamW, no checkpointing) and an RTX 4090; keys step the model
// (←/→), the targets (a), the base dtype (d), the batch (b/B), the
// sequence length (s/S), checkpointing (c) and the GPU (g/G), and a
// compact line shows the choices. A table compares trainable parameters,
// the total, the predicted peak of a step and its fit verdict per method,
// with what the peak was checked against; a chart shows memory against
// the rank, one series per method (full fine-tuning has no rank: a flat
// line); t switches it between the total, the memory above the frozen base
// weights and the peak.
type ScalePane struct {
	basePane
	models []scale.Model
	cur    int
	chart  int // index in scaleCharts
	choice scaleChoice
	gpus   []scale.GPU
	// known holds every estimate made: they depend on the model, the
	// method, its rank and settings and the choices other than the GPU, so
	// each is made once.
	known map[scaleKey]scaleEstimate
}

// scaleChoice is what the dialog's keys choose besides the model: indices
// in the ladders below, and checkpointing.
type scaleChoice struct {
	targets, dtype, batch, seq, gpu int
	ckpt                            bool
}

// The choices the keys step through. The first of each that equals
// scale.DefaultOptions is where the dialog opens.
var (
	scaleTargets = [][]string{{"q", "v"}, {"q", "k", "v", "o"}, {scale.AllLinear}}
	scaleDTypes  = []scale.DType{scale.BF16, scale.FP16, scale.FP32, scale.Int8, scale.NF4}
	scaleBatches = []int{1, 2, 4, 8, 16, 32, 64}
	scaleSeqs    = []int{128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768}
)

// scaleCharts are the chart's quantities, in the order t steps through them.
var scaleCharts = []struct {
	title string
	value func(scale.Report) int64
}{
	{"total memory", func(r scale.Report) int64 { return r.Bytes.Total }},
	{"memory above the frozen base", func(r scale.Report) int64 { return r.Bytes.Total - r.Bytes.FrozenBase }},
	{"predicted peak", func(r scale.Report) int64 { return r.Bytes.Peak }},
}

type scaleKey struct {
	model, method, settings string
	rank                    int
	choice                  scaleChoice // its gpu is always 0: the GPU changes no estimate
}

type scaleEstimate struct {
	rep scale.Report
	err error
}

// DefaultScaleModel is the model the dialog opens on.
const DefaultScaleModel = "llama-2-7b"

// DefaultScaleGPU is the GPU the dialog opens on.
const DefaultScaleGPU = "rtx-4090"

// NewScalePane returns the memory-at-scale dialog.
func NewScalePane(c *Common) *ScalePane {
	p := &ScalePane{basePane: basePane{c: c}, models: scale.Models(), gpus: scale.GPUs(), known: map[scaleKey]scaleEstimate{}}
	for i, m := range p.models {
		if m.Name == DefaultScaleModel {
			p.cur = i
		}
	}
	d := scale.DefaultOptions()
	p.choice = scaleChoice{
		targets: indexWhere(len(scaleTargets), func(i int) bool { return strings.Join(scaleTargets[i], ",") == strings.Join(d.Targets, ",") }),
		dtype:   indexWhere(len(scaleDTypes), func(i int) bool { return scaleDTypes[i] == d.DType }),
		batch:   indexWhere(len(scaleBatches), func(i int) bool { return scaleBatches[i] == d.Batch }),
		seq:     indexWhere(len(scaleSeqs), func(i int) bool { return scaleSeqs[i] == d.Seq }),
		gpu:     indexWhere(len(p.gpus), func(i int) bool { return p.gpus[i].Name == DefaultScaleGPU }),
		ckpt:    d.Checkpointing,
	}
	k := c.Keys
	// step moves *i one place (back with the binding's second, shifted key), wrapping.
	step := func(i *int, n int) func(tea.KeyMsg) {
		return func(msg tea.KeyMsg) {
			if s := msg.String(); s != strings.ToLower(s) {
				*i = (*i + n - 1) % n
			} else {
				*i = (*i + 1) % n
			}
		}
	}
	// climb moves *i one rung up (back with the shifted key), stopping at the ends.
	climb := func(i *int, n int) func(tea.KeyMsg) {
		return func(msg tea.KeyMsg) {
			if s := msg.String(); s != strings.ToLower(s) {
				*i = max(*i-1, 0)
			} else {
				*i = min(*i+1, n-1)
			}
		}
	}
	p.keys = []*KeyTable{{Title: "Memory at LLM scale (M)", Rows: []KeyRow{
		row(k.Model, func(msg tea.KeyMsg) {
			n := len(p.models)
			if key.Matches(msg, k.Left) {
				p.cur = (p.cur + n - 1) % n
			} else {
				p.cur = (p.cur + 1) % n
			}
		}),
		row(k.ScaleTargets, step(&p.choice.targets, len(scaleTargets))),
		row(k.ScaleDType, step(&p.choice.dtype, len(scaleDTypes))),
		row(k.ScaleBatch, climb(&p.choice.batch, len(scaleBatches))),
		row(k.ScaleSeq, climb(&p.choice.seq, len(scaleSeqs))),
		row(k.ScaleCkpt, func(tea.KeyMsg) { p.choice.ckpt = !p.choice.ckpt }),
		row(k.ScaleGPU, step(&p.choice.gpu, len(p.gpus))),
		row(k.ScaleChart, func(tea.KeyMsg) { p.chart = (p.chart + 1) % len(scaleCharts) }),
	}}}
	return p
}

// indexWhere is the first i below n with ok(i), or 0.
func indexWhere(n int, ok func(int) bool) int {
	for i := range n {
		if ok(i) {
			return i
		}
	}
	return 0
}

// Title implements Component.
func (p *ScalePane) Title() string { return "Memory at LLM scale · " + p.models[p.cur].Name }

// ShortHelp implements Component.
func (p *ScalePane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Model, k.ScaleChart, k.Close}
}

// Model returns the model shown.
func (p *ScalePane) Model() scale.Model { return p.models[p.cur] }

// Options returns the estimate options the choices make (the rank and the
// method's own settings come from the lab, per method).
func (p *ScalePane) Options() scale.Options {
	o := scale.DefaultOptions()
	o.Targets = scaleTargets[p.choice.targets]
	o.DType = scaleDTypes[p.choice.dtype]
	o.Batch = scaleBatches[p.choice.batch]
	o.Seq = scaleSeqs[p.choice.seq]
	o.Checkpointing = p.choice.ckpt
	return o
}

// GPU returns the GPU the fit verdicts are for.
func (p *ScalePane) GPU() scale.GPU { return p.gpus[p.choice.gpu] }

// View implements Component.
func (p *ScalePane) View() string {
	v := p.c.Lab.Version()
	return p.memo.get([8]int{p.w, p.h, v.Selection, v.Config}, p.render)
}

// scaleRow is one method's estimate at its rank.
type scaleRow struct {
	info lab.MethodInfo
	idx  int        // the method's index in the lab
	cfg  lab.Config // its settings in the lab
	own  string     // its own settings in cfg (ownSettings)
	rank int        // 0: no rank
	rep  scale.Report
	err  error
}

// ranks are the chart's x positions: powers of two up to 256, or up to four
// times the highest default rank shown (VeRA's 256: 1024).
func scaleRanks(rows []scaleRow) []int {
	top := 256
	for _, r := range rows {
		top = max(top, 4*r.info.DefaultRank)
	}
	var out []int
	for r := 1; r <= top; r *= 2 {
		out = append(out, r)
	}
	return out
}

// ownSettings writes method i's own settings (its options) in cfg as one
// string, for the estimates' keys.
func (p *ScalePane) ownSettings(i int, cfg lab.Config) string {
	var settings []string
	for _, s := range p.c.Lab.Infos[i].Settings {
		if s.Option() {
			settings = append(settings, s.Name+"="+s.Get(cfg))
		}
	}
	return strings.Join(settings, " ")
}

// estimate is the report of method i with its lab settings cfg (written
// as own, see ownSettings) on model at rank r under the current choices.
func (p *ScalePane) estimate(i int, cfg lab.Config, own string, model scale.Model, rank int) (scale.Report, error) {
	m := p.c.Lab.Methods[i]
	choice := p.choice
	choice.gpu = 0
	k := scaleKey{model.Name, p.c.Lab.Infos[i].Name, own, rank, choice}
	if e, ok := p.known[k]; ok {
		return e.rep, e.err
	}
	o := p.Options()
	o.Rank, o.Config = rank, cfg
	rep, err := scale.Estimate(model, m, o)
	p.known[k] = scaleEstimate{rep, err}
	return rep, err
}

func (p *ScalePane) render() string {
	st, l := p.c.Styles, p.c.Lab
	model := p.models[p.cur]
	var rows []scaleRow
	for _, i := range l.RaceMethods() {
		info := l.Infos[i]
		cfg, err := l.ConfigFor(i)
		if err != nil {
			cfg = l.Config
		}
		rank := 0
		if info.UsesRank() {
			rank = cfg.Resolve(l.Methods[i], taskOf(cfg)).Rank
		}
		own := p.ownSettings(i, cfg)
		rep, err := p.estimate(i, cfg, own, model, max(rank, 1))
		rows = append(rows, scaleRow{info: info, idx: i, cfg: cfg, own: own, rank: rank, rep: rep, err: err})
	}
	var out []string
	out = append(out, "model  "+st.Accent.Render("‹ "+model.Name+" ›")+st.Muted.Render(fmt.Sprintf(" %d/%d · %s, %d layers, hidden %s · %s parameters",
		p.cur+1, len(p.models), model.Arch, model.Layers, text.Count(int64(model.Hidden)), fmtParams(model.Params()))))
	out = append(out, p.choices())
	out = append(out, p.table(rows)...)
	out = append(out, st.Muted.Render(p.checked(model)))

	room := p.h - len(out)
	if room < 6 {
		return strings.Join(out, "\n")
	}
	out = append(out, "")
	chartW := p.w
	var side []string
	if p.w >= 150 {
		chartW = p.w * 64 / 100
		side = p.assumptions(rows, p.w-chartW-2, p.h-len(out))
	}
	chart := p.chartView(rows, chartW, p.h-len(out))
	if side != nil {
		chart = hjoin(fitLines(strings.Join(chart, "\n"), chartW+2, len(chart)), fitLines(strings.Join(side, "\n"), p.w-chartW-2, len(chart)))
	}
	out = append(out, chart...)
	return strings.Join(out, "\n")
}

// choices is the compact line of the current choices, each after the key
// that steps it; what fits of the fixed options and the GPU's usable
// memory follows when there is room.
func (p *ScalePane) choices() string {
	st := p.c.Styles
	o, g := p.Options(), p.GPU()
	ckpt := "off"
	if o.Checkpointing {
		ckpt = "on"
	}
	item := func(k, v string) string { return st.Key.Render(k) + " " + v }
	parts := []string{
		item("a", "targets "+strings.Join(o.Targets, ",")), item("d", string(o.DType)),
		item("b", "batch "+strconv.Itoa(o.Batch)), item("s", "seq "+text.Count(int64(o.Seq))),
		item("c", "ckpt "+ckpt), item("g", g.Name),
	}
	line := strings.Join(parts, st.Muted.Render(" · "))
	for _, more := range []string{
		fmt.Sprintf(" (%s usable)", text.Bytes(g.Usable())),
		fmt.Sprintf(" · %s adapters · %s · lab ranks", o.AdapterDType, o.Optimizer),
	} {
		if text.Width(line)+text.Width(more) <= p.w {
			line += st.Muted.Render(more)
		}
	}
	return text.Fit(line, p.w)
}

// checked is what the peak was checked against: the calibration's line
// when it fits, else its short form.
func (p *ScalePane) checked(model scale.Model) string {
	if long := "checked: " + checkedLine(model); text.Width(long) <= p.w {
		return long
	}
	return text.Fit("checked: "+scale.CheckedShort(model), p.w)
}

// checkedLine is Report.Checked for model, without an estimate.
func checkedLine(model scale.Model) string {
	if model.Arch == scale.Llama {
		return scale.Calibration.String()
	}
	return scale.CheckedShort(model)
}

// scaleCol is a column of the table.
type scaleCol struct {
	head string
	w    int
	cell func(r scale.Report) string
}

// table is a header and one row per method: rank, trainable parameters and
// their share, the total, the peak and its verdict on the GPU, then the
// parts of the total: every part when wide, else the main groups (weights
// held frozen, what training adds, activations).
func (p *ScalePane) table(rows []scaleRow) []string {
	st := p.c.Styles
	g := p.GPU()
	b := func(f func(scale.Parts) int64) func(scale.Report) string {
		return func(r scale.Report) string { return text.Bytes(f(r.Bytes)) }
	}
	verdict := func(r scale.Report) string {
		f := scale.CheckFit(r.Bytes.Peak, g)
		paint := map[scale.Verdict]Paint{scale.Fits: st.OK, scale.Tight: st.Warn, scale.DoesNotFit: st.Error}[f.Verdict]
		return paint.Render(string(f.Verdict))
	}
	cols := []scaleCol{
		{"trainable", 9, func(r scale.Report) string { return fmtParams(r.Params.Trainable) }},
		{"% params", 10, func(r scale.Report) string { return text.Percent(r.Params.Trainable, r.Params.Model) }},
		{"total", 10, b(func(x scale.Parts) int64 { return x.Total })},
		{"peak", 10, b(func(x scale.Parts) int64 { return x.Peak })},
		{"on " + g.Name, max(14, text.Width(g.Name)+5), verdict},
	}
	full := []scaleCol{
		{"resting", 10, b(func(x scale.Parts) int64 { return x.Resting })},
		{"frozen base", 12, b(func(x scale.Parts) int64 { return x.FrozenBase })},
		{"frozen adapt", 13, b(func(x scale.Parts) int64 { return x.FrozenAdapter })},
		{"trainable", 10, b(func(x scale.Parts) int64 { return x.Trainable })},
		{"gradients", 10, b(func(x scale.Parts) int64 { return x.Gradients })},
		{"optimizer", 10, b(func(x scale.Parts) int64 { return x.Optimizer })},
		{"extras", 10, b(func(x scale.Parts) int64 { return x.Other })},
		{"activ: net", 11, b(func(x scale.Parts) int64 { return x.ActivationsNetwork })},
		{"activ: method", 14, b(func(x scale.Parts) int64 { return x.ActivationsMethod })},
		{"peak at", 16, func(r scale.Report) string { return text.Fit(r.PeakAt, 15) }},
	}
	compact := []scaleCol{
		{"frozen", 10, b(func(x scale.Parts) int64 { return x.FrozenBase + x.FrozenAdapter })},
		{"w+grad+opt", 11, b(func(x scale.Parts) int64 { return x.Trainable + x.Gradients + x.Optimizer + x.Other })},
		{"activations", 12, b(func(x scale.Parts) int64 { return x.ActivationsNetwork + x.ActivationsMethod })},
	}
	nameW := 16
	sum := func(cs []scaleCol) int {
		n := nameW
		for _, c := range cs {
			n += c.w
		}
		return n
	}
	switch {
	case sum(cols)+sum(full)-nameW <= p.w:
		cols = append(cols, full...)
	case sum(cols)+sum(compact)-nameW <= p.w:
		cols = append(cols, compact...)
	}
	for sum(cols) > p.w && len(cols) > 1 {
		cols = cols[:len(cols)-1]
	}
	head := fmt.Sprintf("%-*s", nameW, "method (rank)")
	for _, c := range cols {
		head += text.PadLeft(c.head, c.w)
	}
	out := []string{st.Muted.Render(head)}
	for _, r := range rows {
		label := r.info.Title
		if r.rank > 0 {
			label += " (" + strconv.Itoa(r.rank) + ")"
		}
		line := st.Method(r.info.Name).Render(r.info.Glyph) + " " + text.Fit(label, nameW-2)
		if r.err != nil {
			line += st.Error.Render(r.err.Error())
		} else {
			for _, c := range cols {
				line += text.PadLeft(c.cell(r.rep), c.w)
			}
		}
		out = append(out, text.Fit(line, p.w))
	}
	return out
}

// chartView draws memory against rank in w × h: a title, the chart, a legend.
func (p *ScalePane) chartView(rows []scaleRow, w, h int) []string {
	st := p.c.Styles
	model := p.models[p.cur]
	ranks := scaleRanks(rows)
	xs := make([]int, len(ranks))
	labels := make([]string, len(ranks))
	for i := range xs {
		xs[i], labels[i] = i, "r="+strconv.Itoa(ranks[i])
	}
	what := scaleCharts[p.chart]
	other := "t: " + scaleCharts[(p.chart+1)%len(scaleCharts)].title
	var series []Series
	var legend []string
	for _, r := range rows {
		ys := make([]float64, len(ranks))
		for j, rank := range ranks {
			rep, err := r.rep, r.err
			if r.info.UsesRank() {
				rep, err = p.estimate(r.idx, r.cfg, r.own, model, rank)
			}
			ys[j] = math.NaN()
			if err == nil {
				ys[j] = float64(what.value(rep))
			}
		}
		chars := asciigraph.DefaultCharSet
		if !st.Colour {
			chars = asciigraph.CreateCharSet(r.info.Glyph)
		}
		series = append(series, Series{X: xs, Y: ys, Colour: st.MethodANSI(r.info.Name), Chars: chars})
		legend = append(legend, st.Method(r.info.Name).Render(r.info.Glyph+" "+r.info.Title))
	}
	legendLines := packLegend(legend, w)
	out := []string{text.Fit(st.Accent.Render(what.title)+st.Muted.Render(" (bytes, log) against rank (full FT has none) · "+other), w)}
	chartH := h - 1 - len(legendLines)
	if chartH < 4 {
		return out
	}
	out = append(out, plotChart(series, ChartOpts{
		Width: w, Height: chartH, XMax: max(1, len(ranks)-1), Log: true, Colour: st.Colour,
		YFormat: shortBytes, XTicks: xticks(labels, w-16),
		XFormat: func(v float64) string {
			i := int(math.Round(v))
			if i < 0 || i >= len(ranks) {
				return ""
			}
			return "r=" + strconv.Itoa(ranks[i])
		},
		Empty: "  no estimate for these methods on " + model.Name,
	})...)
	return append(out, legendLines...)
}

// assumptions lists what the estimates and the fit assume (from
// scale.Report and scale.FitAssumption), wrapped to w × h.
func (p *ScalePane) assumptions(rows []scaleRow, w, h int) []string {
	st := p.c.Styles
	out := []string{st.Accent.Render("assumptions")}
	seen := map[string]bool{}
	all := []string{scale.FitAssumption(p.GPU())} // first: the verdicts are the dialog's answer
	for _, r := range rows {
		all = append(all, r.rep.Assumptions...)
	}
	for _, a := range all {
		if seen[a] {
			continue
		}
		seen[a] = true
		for i, line := range wrap(a, w-2, 1000) {
			prefix := "- "
			if i > 0 {
				prefix = "  "
			}
			out = append(out, st.Muted.Render(prefix+line))
		}
	}
	if len(out) > h {
		out = out[:h]
		out[h-1] = st.Muted.Render(text.Fit("  … (loralab memory prints them all)", w))
	}
	return out
}

// fmtParams formats a parameter count: 950, 4.2M, 6.74B.
func fmtParams(n int64) string {
	if n >= 1e9 {
		return strconv.FormatFloat(float64(n)/1e9, 'g', 3, 64) + "B"
	}
	return text.ShortCount(float64(n))
}
