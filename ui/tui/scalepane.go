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
)

// ScalePane is the memory-at-scale dialog (M): what the marked methods
// would cost on a real model (lab/scale, the same per-layer formulas the
// toy's ledger is checked against), with scale.DefaultOptions (targets q,v,
// batch 1 × seq 512, bf16 base, fp32 adapters, AdamW) and each method's
// rank from the lab's settings. A table compares trainable parameters and
// memory by part; a chart shows memory against the rank, one series per
// method (full fine-tuning has no rank: a flat line). ←/→ choose the model
// (llama-2-7b first), t switches the chart between the total and the
// memory above the frozen base weights.
type ScalePane struct {
	basePane
	models []scale.Model
	cur    int
	above  bool // chart the memory above the frozen base weights
	// known holds every estimate made: they depend on the model, the method
	// and the rank only (the options are fixed), so each is made once.
	known map[scaleKey]scaleEstimate
}

type scaleKey struct {
	model, method string
	rank          int
}

type scaleEstimate struct {
	rep scale.Report
	err error
}

// DefaultScaleModel is the model the dialog opens on.
const DefaultScaleModel = "llama-2-7b"

// NewScalePane returns the memory-at-scale dialog.
func NewScalePane(c *Common) *ScalePane {
	p := &ScalePane{basePane: basePane{c: c}, models: scale.Models(), known: map[scaleKey]scaleEstimate{}}
	for i, m := range p.models {
		if m.Name == DefaultScaleModel {
			p.cur = i
		}
	}
	k := c.Keys
	p.keys = []*KeyTable{{Title: "Memory at LLM scale (M)", Rows: []KeyRow{
		row(k.Model, func(msg tea.KeyMsg) {
			n := len(p.models)
			if key.Matches(msg, k.Left) {
				p.cur = (p.cur + n - 1) % n
			} else {
				p.cur = (p.cur + 1) % n
			}
		}),
		row(k.ScaleChart, func(tea.KeyMsg) { p.above = !p.above }),
	}}}
	return p
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

// View implements Component.
func (p *ScalePane) View() string {
	v := p.c.Lab.Version()
	return p.memo.get([8]int{p.w, p.h, v.Selection, v.Config}, p.render)
}

// scaleRow is one method's estimate at its rank.
type scaleRow struct {
	info lab.MethodInfo
	rank int // 0: no rank
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

// estimate is method i's report on model at rank r (0: the lab's rank).
func (p *ScalePane) estimate(i int, model scale.Model, rank int) (scale.Report, error) {
	k := scaleKey{model.Name, p.c.Lab.Infos[i].Name, rank}
	if e, ok := p.known[k]; ok {
		return e.rep, e.err
	}
	o := scale.DefaultOptions()
	o.Rank = rank
	rep, err := scale.Estimate(model, p.c.Lab.Methods[i], o)
	p.known[k] = scaleEstimate{rep, err}
	return rep, err
}

func (p *ScalePane) render() string {
	st, l := p.c.Styles, p.c.Lab
	model := p.models[p.cur]
	opts := scale.DefaultOptions()
	var rows []scaleRow
	idx := l.RaceMethods()
	for _, i := range idx {
		info := l.Infos[i]
		cfg, err := l.ConfigFor(i)
		if err != nil {
			cfg = l.Config
		}
		rank := 0
		if info.UsesRank() {
			rank = cfg.Resolve(l.Methods[i], taskOf(cfg)).Rank
		}
		rep, err := p.estimate(i, model, max(rank, 1))
		rows = append(rows, scaleRow{info: info, rank: rank, rep: rep, err: err})
	}
	var out []string
	out = append(out, "model  "+st.Accent.Render("‹ "+model.Name+" ›")+st.Muted.Render(fmt.Sprintf(" %d/%d · %s, %d layers, hidden %s · %s parameters",
		p.cur+1, len(p.models), model.Arch, model.Layers, lab.Thousands(int64(model.Hidden)), fmtParams(model.Params()))))
	out = append(out, st.Muted.Render(fit(fmt.Sprintf("targets %s · batch %d×seq %d · %s base · %s adapters · %s · lab ranks",
		strings.Join(opts.Targets, ","), opts.Batch, opts.Seq, opts.DType, opts.AdapterDType, opts.Optimizer), p.w)))
	out = append(out, p.table(rows)...)

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
	chart := p.chart(rows, chartW, p.h-len(out))
	if side != nil {
		chart = hjoin(fitLines(strings.Join(chart, "\n"), chartW+2, len(chart)), fitLines(strings.Join(side, "\n"), p.w-chartW-2, len(chart)))
	}
	out = append(out, chart...)
	return strings.Join(out, "\n")
}

// scaleCol is a column of the table.
type scaleCol struct {
	head string
	w    int
	cell func(r scale.Report) string
}

// table is a header and one row per method: rank, trainable parameters and
// their share, total memory and its parts: every part when wide, else the
// main groups (weights held frozen, what training adds, activations).
func (p *ScalePane) table(rows []scaleRow) []string {
	st := p.c.Styles
	b := func(f func(scale.Parts) int64) func(scale.Report) string {
		return func(r scale.Report) string { return fmtBytes(float64(f(r.Bytes))) }
	}
	cols := []scaleCol{
		{"trainable", 9, func(r scale.Report) string { return fmtParams(r.Params.Trainable) }},
		{"% params", 10, func(r scale.Report) string { return percentText(r.Params.TrainablePercent) }},
		{"total", 10, b(func(x scale.Parts) int64 { return x.Total })},
	}
	full := []scaleCol{
		{"frozen base", 12, b(func(x scale.Parts) int64 { return x.FrozenBase })},
		{"frozen adapt", 13, b(func(x scale.Parts) int64 { return x.FrozenAdapter })},
		{"trainable", 10, b(func(x scale.Parts) int64 { return x.Trainable })},
		{"gradients", 10, b(func(x scale.Parts) int64 { return x.Gradients })},
		{"optimizer", 10, b(func(x scale.Parts) int64 { return x.Optimizer })},
		{"extras", 10, b(func(x scale.Parts) int64 { return x.Other })},
		{"activ: net", 11, b(func(x scale.Parts) int64 { return x.ActivationsNetwork })},
		{"activ: method", 14, b(func(x scale.Parts) int64 { return x.ActivationsMethod })},
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
		head += fmt.Sprintf("%*s", c.w, c.head)
	}
	out := []string{st.Muted.Render(head)}
	for _, r := range rows {
		label := r.info.Title
		if r.rank > 0 {
			label += " (" + strconv.Itoa(r.rank) + ")"
		}
		line := st.Method(r.info.Name).Render(r.info.Glyph) + " " + fit(label, nameW-2)
		if r.err != nil {
			line += st.Error.Render(r.err.Error())
		} else {
			for _, c := range cols {
				line += fmt.Sprintf("%*s", c.w, c.cell(r.rep))
			}
		}
		out = append(out, fit(line, p.w))
	}
	return out
}

// chart draws memory against rank in w × h: a title, the chart, a legend.
func (p *ScalePane) chart(rows []scaleRow, w, h int) []string {
	st, l := p.c.Styles, p.c.Lab
	model := p.models[p.cur]
	ranks := scaleRanks(rows)
	xs := make([]int, len(ranks))
	labels := make([]string, len(ranks))
	for i := range xs {
		xs[i], labels[i] = i, "r="+strconv.Itoa(ranks[i])
	}
	what, other := "total memory", "t: above frozen base"
	if p.above {
		what, other = "memory above the frozen base", "t: total"
	}
	var series []Series
	var legend []string
	idx := l.RaceMethods()
	for k, r := range rows {
		ys := make([]float64, len(ranks))
		for j, rank := range ranks {
			rep, err := r.rep, r.err
			if r.info.UsesRank() {
				rep, err = p.estimate(idx[k], model, rank)
			}
			ys[j] = nan()
			if err == nil {
				v := rep.Bytes.Total
				if p.above {
					v -= rep.Bytes.FrozenBase
				}
				ys[j] = float64(v)
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
	out := []string{fit(st.Accent.Render(what)+st.Muted.Render(" (bytes, log) against rank (full FT has none) · "+other), w)}
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

// assumptions lists what the estimates assume (from scale.Report), wrapped
// to w × h.
func (p *ScalePane) assumptions(rows []scaleRow, w, h int) []string {
	st := p.c.Styles
	out := []string{st.Accent.Render("assumptions")}
	seen := map[string]bool{}
	for _, r := range rows {
		for _, a := range r.rep.Assumptions {
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
	}
	if len(out) > h {
		out = out[:h]
		out[h-1] = st.Muted.Render(fit("  … (loralab memory prints them all)", w))
	}
	return out
}

// fmtParams formats a parameter count: 950, 4.2M, 6.74B.
func fmtParams(n int64) string {
	if n >= 1e9 {
		return strconv.FormatFloat(float64(n)/1e9, 'g', 3, 64) + "B"
	}
	return fmtCount(float64(n))
}

// percentText formats a percentage with 3 significant digits.
func percentText(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) + " %" }
