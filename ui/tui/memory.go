package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// categoryFill is the bar character of each memory category (lab.Categories
// order): different shapes, so the bars read without colour too.
var categoryFill = [7]string{"█", "▓", "▒", "░", "▞", "▪", "·"}

// categoryShort names the categories in the legend.
var categoryShort = [7]string{"frozen", "trainable", "grads", "optim", "activ", "other", "work"}

// MemoryPane shows, for each run, its memory by category as a stacked bar
// with the total bytes and the trainable parameters, scaled to the largest
// run so sizes compare. Numbers come from the engine's ledger (progress
// events carry them; marked ✓) as soon as a run has built its model; before
// that (queued, or no run yet) from the method's formula, which the engine's
// tests prove equal to the ledger (marked ≈).
// Below, if there is room, a table of bytes per category and a live chart of
// the process's heap, sampled while runs train.
type MemoryPane struct {
	basePane
}

// NewMemoryPane returns the memory pane.
func NewMemoryPane(c *Common) *MemoryPane { return &MemoryPane{basePane{c: c}} }

// Title implements Component.
func (p *MemoryPane) Title() string { return "Memory · ✓ ledger · ≈ formula" }

// View implements Component.
func (p *MemoryPane) View() string {
	v := p.c.Lab.Version()
	return p.memo.get([8]int{p.w, p.h, v.Runs, v.Config, v.Selection, v.Memory}, p.render)
}

// memRow is one bar of the pane.
type memRow struct {
	info      lab.MethodInfo
	mem       lab.Memory
	trainable int
	source    string // "ledger", "formula" or "predicted"
}

func (p *MemoryPane) rows() ([]memRow, bool) {
	l := p.c.Lab
	var rows []memRow
	for _, r := range l.Runs {
		if r == nil {
			continue
		}
		src := "formula"
		if r.Measured {
			src = "ledger"
		}
		rows = append(rows, memRow{r.Info, r.Memory, r.Trainable, src})
	}
	if len(rows) > 0 {
		return rows, false
	}
	// No runs yet: what each method would hold with the current settings.
	for i, m := range l.Methods {
		if !l.Marked[i] && i != l.Cursor {
			continue
		}
		cfg, err := l.ConfigFor(i)
		if err == nil {
			cfg, err = prepare(m, cfg)
		}
		if err != nil {
			continue
		}
		mem, tr := formulaMemory(m, cfg)
		rows = append(rows, memRow{l.Infos[i], mem, tr, "predicted"})
	}
	return rows, true
}

func (p *MemoryPane) render() string {
	st, l := p.c.Styles, p.c.Lab
	rows, predicted := p.rows()
	var out []string
	// Legend.
	var leg []string
	for i := range lab.Categories {
		leg = append(leg, st.Category[i].Render(categoryFill[i])+" "+categoryShort[i])
	}
	out = append(out, strings.Join(leg, " "))
	if predicted {
		out = append(out, st.Muted.Render("no run yet: what each method will hold, by its formula"))
	}
	var biggest int64 = 1
	for _, r := range rows {
		biggest = max(biggest, r.mem.Total)
	}
	nameW := 13
	tail := func(r memRow) string {
		mark := "≈"
		if r.source == "ledger" {
			mark = "✓"
		}
		return fmt.Sprintf(" %9s %s %6s trainable", text.Bytes(r.mem.Total), st.Muted.Render(mark), text.ShortCount(float64(r.trainable)))
	}
	tailW := 29
	barW := max(4, p.w-nameW-tailW)
	for _, r := range rows {
		name := st.Method(r.info.Name).Render(r.info.Glyph) + " " + fmt.Sprintf("%-10s", r.info.Title)
		full := int(math.Round(float64(barW) * float64(r.mem.Total) / float64(biggest)))
		out = append(out, text.Fit(name, nameW)+text.Fit(p.bar(r.mem, full), barW)+tail(r))
	}
	if notes := p.notes(rows); p.h-len(out) >= len(notes) {
		out = append(out, notes...)
	}
	room := p.h - len(out)
	// Table of bytes per category, when tall and wide enough.
	if len(rows) > 0 && room >= len(lab.Categories)+2+6 && p.w >= 20+10*len(rows) {
		out = append(out, "")
		head := fmt.Sprintf("%-13s", "bytes")
		for _, r := range rows {
			head += " " + st.Method(r.info.Name).Render(fmt.Sprintf("%9s", r.info.Glyph+" "+shortTitle(r.info.Title)))
		}
		out = append(out, head)
		for i, c := range lab.Categories {
			line := st.Category[i].Render(categoryFill[i]) + fmt.Sprintf(" %-11s", c.String())
			for _, r := range rows {
				line += fmt.Sprintf(" %9s", text.Bytes(r.mem.Get(c)))
			}
			out = append(out, line)
		}
		room = p.h - len(out)
	}
	// The process's heap over time: a chart if there is room, else a sparkline.
	if room >= 1 && room < 6 {
		out = append(out, p.sparkline())
	}
	if room >= 6 {
		out = append(out, "")
		heap := 0.0
		if n := len(l.Proc.Heap); n > 0 {
			heap = l.Proc.Heap[n-1]
		}
		title := "process heap (runtime/metrics; sampled while runs train)"
		if len(l.Proc.Heap) > 0 {
			title = fmt.Sprintf("process heap %s · runtime total %s", text.Bytes(int64(heap)), text.Bytes(int64(l.Proc.Total)))
		}
		out = append(out, st.Muted.Render(title))
		// x: the sample's time in milliseconds, so the ticks fall on round
		// times (0s 5s 10s …).
		every := max(1, int(l.Proc.Every/time.Millisecond))
		xs := make([]int, len(l.Proc.Heap))
		for i := range xs {
			xs[i] = i * every
		}
		chart := drawChart([]Series{{X: xs, Y: l.Proc.Heap, Paint: st.Accent, Chars: asciigraph.DefaultCharSet}},
			ChartOpts{Width: p.w, Height: p.h - len(out), XMax: max(1, (len(xs)-1)*every), Colour: st.Colour,
				YFormat: shortBytes, YUnit: 1 << 20, XLabel: "time", YLabel: "heap", Empty: "  (no samples yet)",
				XFormat: func(v float64) string { return strconv.FormatFloat(v/1000, 'f', -1, 64) + "s" }})
		out = append(out, chart...)
	}
	return strings.Join(out, "\n")
}

// notes returns one line per method shown whose toy memory misleads at LLM
// scale (MethodInfo.MemoryNote): what the bars cannot show, on screen where
// the bars are. render shows them only if there is a row for each.
func (p *MemoryPane) notes(rows []memRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if r.info.MemoryNote == "" || seen[r.info.Name] {
			continue
		}
		seen[r.info.Name] = true
		out = append(out, p.c.Styles.Muted.Render(text.Fit(r.info.Glyph+" "+r.info.Title+": "+r.info.MemoryNote, p.w)))
	}
	return out
}

// bar draws a stacked bar of n cells (or more: one per category it holds),
// one segment per category in proportion to its bytes.
func (p *MemoryPane) bar(m lab.Memory, n int) string {
	st := p.c.Styles
	var sb strings.Builder
	for i, k := range segments(m, n) {
		if k > 0 {
			sb.WriteString(st.Category[i].Render(strings.Repeat(categoryFill[i], k)))
		}
	}
	return sb.String()
}

// segments splits n cells between the categories of m in proportion to
// their bytes (largest remainders), every category m holds at least one
// cell — a 6 KiB gradient next to a 400 KiB frozen base still shows, as the
// lesson needs — so the bar is at least as long as the number of
// categories m holds.
func segments(m lab.Memory, n int) []int {
	out := make([]int, len(lab.Categories))
	if m.Total <= 0 || n <= 0 {
		return out
	}
	held := 0
	for _, c := range lab.Categories {
		if m.Get(c) > 0 {
			held++
		}
	}
	n = max(n, held)
	// Each held category gets one cell; the rest go by bytes.
	rest := n - held
	type share struct {
		i    int
		frac float64
	}
	var buf [len(categoryFill)]share
	fr := buf[:0]
	given := 0
	for i, c := range lab.Categories {
		b := m.Get(c)
		if b <= 0 {
			continue
		}
		exact := float64(rest) * float64(b) / float64(m.Total)
		k := int(exact)
		out[i] = 1 + k
		given += k
		fr = append(fr, share{i, exact - float64(k)})
	}
	for a := 1; a < len(fr); a++ { // largest remainder first; stable
		for b := a; b > 0 && fr[b].frac > fr[b-1].frac; b-- {
			fr[b], fr[b-1] = fr[b-1], fr[b]
		}
	}
	for j := 0; given < rest && j < len(fr); j++ {
		out[fr[j].i]++
		given++
	}
	return out
}

// shortBytes formats bytes in at most 6 cells: 512B, 9.75M, 10.5M.
func shortBytes(b float64) string {
	units := "BKMGT"
	i := 0
	for math.Abs(b) >= 1000 && i < len(units)-1 { // 1000K is 0.977M: at most 3 digits
		b /= 1024
		i++
	}
	return strconv.FormatFloat(b, 'g', 3, 64) + units[i:i+1]
}

// shortTitle fits a method's title in 7 cells for table heads.
func shortTitle(t string) string {
	if text.Width(t) <= 7 {
		return t
	}
	return strings.TrimSuffix(text.Fit(t, 7), " ")
}

// sparkLevels are the eight heights of a sparkline.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// sparkline is one line: the process's heap over the last samples.
func (p *MemoryPane) sparkline() string {
	st, l := p.c.Styles, p.c.Lab
	heap := l.Proc.Heap
	if len(heap) == 0 {
		return st.Muted.Render("process heap: no samples yet")
	}
	label := fmt.Sprintf("heap %s ", text.Bytes(int64(heap[len(heap)-1])))
	n := max(0, min(len(heap), p.w-text.Width(label)))
	vals := heap[len(heap)-n:]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	var sb strings.Builder
	for _, v := range vals {
		i := 0
		if hi > lo {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(sparkLevels)-1)))
		}
		sb.WriteRune(sparkLevels[i])
	}
	return st.Muted.Render(label) + st.Accent.Render(sb.String())
}
