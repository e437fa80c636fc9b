package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
)

// SweepPane is the sweep dialog (w): pick a sweepable setting (↑/↓), type
// its values (a list like 1,2,4,8 or a range like 1e-4..1e-1:log:7, parsed
// by lab.ParseValues), and enter runs lab.Sweep's jobs for the marked
// methods with the current settings. Below, the final eval loss against the
// value, one curve per method, and a table. It is modal: it takes every key
// until esc closes it (the sweep goes on training).
type SweepPane struct {
	c       *Common
	w, h    int
	names   []string
	cur     int
	input   textinput.Model
	errText string
	memo    cache
	ver     int
}

// NewSweepPane returns the sweep dialog.
func NewSweepPane(c *Common) *SweepPane {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = 200
	ti.Cursor.SetMode(cursor.CursorStatic)
	p := &SweepPane{c: c, names: lab.SweepableNames(), input: ti}
	p.input.SetValue(c.Lab.sweepDefault(p.names[0]))
	p.input.Focus()
	return p
}

// Init implements Component.
func (p *SweepPane) Init() tea.Cmd { return nil }

// Update implements Component.
func (p *SweepPane) Update(tea.Msg) tea.Cmd { return nil }

// SetSize implements Component.
func (p *SweepPane) SetSize(w, h int) { p.w, p.h = w, h }

// Title implements Component.
func (p *SweepPane) Title() string { return "Sweep" }

// Capturing implements Component: the dialog takes every key.
func (p *SweepPane) Capturing() bool { return true }

// ShortHelp implements Component.
func (p *SweepPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	pick := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "setting"))
	closeKey := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close"))
	return []key.Binding{pick, k.Apply, closeKey}
}

// HandleKey implements Component: ↑/↓ pick the setting, enter starts the
// sweep, other keys edit the values. Esc is the root's (it closes).
func (p *SweepPane) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	k := p.c.Keys
	p.ver++
	switch {
	case msg.Type == tea.KeyUp || msg.Type == tea.KeyDown:
		d := 1
		if msg.Type == tea.KeyUp {
			d = -1
		}
		p.cur = (p.cur + d + len(p.names)) % len(p.names)
		p.input.SetValue(p.c.Lab.sweepDefault(p.names[p.cur]))
		p.input.CursorEnd()
		p.errText = ""
	case key.Matches(msg, k.Apply):
		if err := p.c.Lab.StartSweep(p.names[p.cur], p.input.Value()); err != nil {
			p.errText = "refused: " + err.Error()
		} else {
			p.errText = ""
		}
	default:
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return true, cmd
	}
	return true, nil
}

// View implements Component.
func (p *SweepPane) View() string {
	l := p.c.Lab
	return p.memo.get([8]int{p.w, p.h, p.ver, l.SweepVer, l.SelVer, l.CfgVer}, p.render)
}

func (p *SweepPane) render() string {
	st, l := p.c.Styles, p.c.Lab
	var out []string
	// The setting picker: the chosen setting, its place and its help.
	name := p.names[p.cur]
	set, _ := lab.LookupSetting(name)
	out = append(out, "setting  "+st.Accent.Render("‹ "+name+" ›")+st.Muted.Render(fmt.Sprintf(" %d/%d · %s", p.cur+1, len(p.names), set.Help)))
	p.input.Width = max(10, p.w-12)
	out = append(out, "values   "+p.input.View())
	var ms []string
	for _, i := range l.RaceMethods() {
		ms = append(ms, st.Method(l.Infos[i].Name).Render(l.Infos[i].Glyph)+" "+l.Infos[i].Title)
	}
	out = append(out, "methods  "+strings.Join(ms, "  "))
	switch {
	case p.errText != "":
		for _, w := range wrap("✗ "+p.errText, p.w, 2) {
			out = append(out, st.Error.Render(w))
		}
	default:
		for _, w := range wrap("values: a list (1,2,4,8) or a range (1e-4..1e-1:log:7) · methods: the marked ones · enter runs it with the other settings as they are · esc closes, the sweep goes on", p.w, 2) {
			out = append(out, st.Muted.Render(w))
		}
	}
	sw := l.Sweep
	if sw == nil {
		out = append(out, "", st.Muted.Render("No sweep yet."))
		return strings.Join(out, "\n")
	}
	out = append(out, "", fmt.Sprintf("sweep of %s: %d of %d runs ended", st.Accent.Render(sw.Setting), sw.Done(), len(sw.Runs)))
	// Table: a row per method, a column per value, if it fits.
	tableH := len(sw.Methods) + 1
	colW := 9
	table := p.w >= 14+colW*len(sw.Values) && p.h-len(out) >= tableH+8
	chartH := p.h - len(out) - 1
	if table {
		chartH -= tableH + 1
	}
	xs := make([]int, len(sw.Values))
	for i := range xs {
		xs[i] = i
	}
	var series []Series
	var legend []string
	for mi, i := range sw.Methods {
		info := l.Infos[i]
		ys := make([]float64, len(sw.Values))
		best, bestV := math.Inf(1), ""
		for vi := range sw.Values {
			ys[vi] = sw.Final(mi, vi)
			if finite(ys[vi]) && ys[vi] < best {
				best, bestV = ys[vi], sw.Values[vi]
			}
		}
		chars := asciigraph.DefaultCharSet
		if !st.Colour {
			chars = asciigraph.CreateCharSet(info.Glyph)
		}
		series = append(series, Series{X: xs, Y: ys, Colour: st.MethodANSI(info.Name), Chars: chars})
		item := st.Method(info.Name).Render(info.Glyph+" "+info.Title) + " "
		if bestV != "" {
			item += "best " + sw.Setting + "=" + bestV + " (" + fmtLoss(best) + ")"
		} else {
			item += st.Muted.Render("running")
		}
		legend = append(legend, item)
	}
	if chartH >= 5 {
		out = append(out, plotChart(series, ChartOpts{
			Width: p.w, Height: chartH - 1, XMax: max(1, len(sw.Values)-1), Log: true, Colour: st.Colour,
			XTicks: xticks(len(sw.Values), p.w-16),
			XFormat: func(v float64) string {
				i := int(math.Round(v))
				if i < 0 || i >= len(sw.Values) {
					return ""
				}
				return sw.Values[i]
			},
			Empty: "  final eval loss against " + sw.Setting + ": waiting for the first runs to end",
		})...)
		out = append(out, st.Muted.Render(fit("final eval loss (log) against "+sw.Setting, p.w)))
	}
	out = append(out, packLegend(legend, p.w)...)
	if table {
		out = append(out, "")
		head := fmt.Sprintf("%-13s", sw.Setting)
		for _, v := range sw.Values {
			if width(v) > colW-1 {
				v = fit(v, colW-1)
			}
			head += fmt.Sprintf("%*s", colW, v)
		}
		out = append(out, st.Muted.Render(head))
		for mi, i := range sw.Methods {
			info := l.Infos[i]
			line := st.Method(info.Name).Render(info.Glyph) + " " + fmt.Sprintf("%-11s", info.Title)
			for vi := range sw.Values {
				r := sw.Runs[mi*len(sw.Values)+vi]
				cell := statusIcon(&RunView{Status: r.Status})
				if r.Result != nil && r.Result.Status == lab.Done {
					cell = fmtLoss(r.Result.Final.Eval)
				} else if r.Status == lab.Running && r.Steps > 0 {
					cell = fmt.Sprintf("%d%%", r.Step*100/r.Steps)
				}
				line += fmt.Sprintf("%*s", colW, cell)
			}
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// xticks puts a tick on every value when there is room (6 columns each),
// else lets the chart choose.
func xticks(n, cols int) int {
	if n >= 2 && cols/n >= 6 {
		return n
	}
	return 0
}
