package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/text"
)

// PresetPicker is the preset dialog (p): every preset, built-in and from
// the user folder, with its mode and title; ↑/↓ choose, enter loads the
// chosen one as opening the lab with --preset does, esc closes. A user
// preset file that does not load is listed with its one-line error (the
// others still load). Below the list, the chosen preset's question, notes
// and settings.
type PresetPicker struct {
	basePane
	dir     string
	list    []presets.Preset
	errs    []string
	cur     int
	errText string
	done    bool
	reading bool // the presets are being read
}

// NewPresetPicker returns the picker over the built-in presets and those
// in dir (the user folder; "" for none).
func NewPresetPicker(c *Common, dir string) *PresetPicker {
	p := &PresetPicker{basePane: basePane{c: c}, dir: dir}
	k := c.Keys
	p.keys = []*KeyTable{{Title: "Presets (p)", Rows: []KeyRow{
		row(k.Up, func(tea.KeyMsg) { p.moveTo(p.cur - 1) }),
		row(k.Down, func(tea.KeyMsg) { p.moveTo(p.cur + 1) }),
		row(k.Home, func(tea.KeyMsg) { p.moveTo(0) }),
		row(k.End, func(tea.KeyMsg) { p.moveTo(-1) }),
		row(k.Load, p.load),
	}}}
	return p
}

// Open implements opener: the presets are read again (files may have
// changed) by the command it returns; until they arrive the picker says so.
func (p *PresetPicker) Open() tea.Cmd {
	p.list, p.errs, p.done, p.errText, p.cur, p.reading = nil, nil, false, "", 0, true
	p.memo.drop()
	return readPresetsCmd(p.dir)
}

// Update implements Component: the presets read, with the cursor on the
// current preset.
func (p *PresetPicker) Update(msg tea.Msg) tea.Cmd {
	pm, ok := msg.(presetsMsg)
	if !ok {
		return nil
	}
	p.list, p.errs, p.cur, p.reading = pm.list, nil, 0, false
	for _, e := range pm.errs {
		p.errs = append(p.errs, firstLine(e.Error()))
	}
	for i, pr := range pm.list {
		if pr.Name == p.c.Lab.Preset.Name {
			p.cur = i
		}
	}
	p.memo.drop()
	return nil
}

// Done implements doner: a preset was loaded.
func (p *PresetPicker) Done() bool { return p.done }

// Title implements Component: where the list is scrolled, when it does
// not all show (" · 1–11 of 15 ↓").
func (p *PresetPicker) Title() string {
	if p.reading || len(p.list) == 0 {
		return "Presets"
	}
	top, listH := p.window()
	return "Presets" + scrollTag(top, listH, len(p.list))
}

// window is the part of the list on screen: its first row and its height,
// the cursor kept in sight.
func (p *PresetPicker) window() (top, listH int) {
	errH := min(len(p.errs), max(1, p.h/5))
	listH = min(len(p.list), max(3, p.h-errH-8))
	top = max(0, min(p.cur-listH/2, len(p.list)-listH))
	return top, listH
}

// ShortHelp implements Component.
func (p *PresetPicker) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Up, k.Down, k.Load, k.Close}
}

// Errors returns the one-line errors of the preset files that did not load.
func (p *PresetPicker) Errors() []string { return p.errs }

// HandleKey implements Component: the picker's keys, once it lists presets.
func (p *PresetPicker) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	if len(p.list) == 0 {
		return false, nil
	}
	return p.basePane.HandleKey(msg)
}

// moveTo puts the cursor on preset i, round the list (-1: the last).
func (p *PresetPicker) moveTo(i int) {
	n := len(p.list)
	p.cur = (i + n) % n
	p.errText = ""
}

// load loads the preset under the cursor as opening the lab with --preset
// does; a preset that would not run is refused, with the reason.
func (p *PresetPicker) load(tea.KeyMsg) {
	if err := p.c.Lab.LoadPreset(p.list[p.cur]); err != nil {
		p.errText = "refused: " + err.Error()
	} else {
		p.done = true
	}
}

// View implements Component.
func (p *PresetPicker) View() string {
	v := p.c.Lab.Version()
	return p.memo.get([8]int{p.w, p.h, v.Preset, v.Runs, v.Sweep}, p.render)
}

func (p *PresetPicker) render() string {
	st, l := p.c.Styles, p.c.Lab
	var out []string
	if p.reading {
		return st.Muted.Render("Reading the presets…")
	}
	if len(p.list) == 0 {
		return st.Muted.Render("No presets.")
	}
	nameW := 0
	for _, pr := range p.list {
		nameW = max(nameW, text.Width(pr.Name))
	}
	nameW = min(nameW, 20)
	// The list, scrolled to keep the cursor in sight.
	errH := min(len(p.errs), max(1, p.h/5))
	top, listH := p.window()
	for i := top; i < top+listH; i++ {
		pr := p.list[i]
		pointer, cur := "  ", "  "
		if i == p.cur {
			pointer = "› "
		}
		if pr.Name == l.Preset.Name {
			cur = st.OK.Render("●") + " "
		}
		name := fmt.Sprintf("%-*s", nameW, text.Fit(pr.Name, nameW))
		if i == p.cur {
			name = st.Selected.Render(name)
		}
		title := firstLine(pr.Title)
		if pr.Source != presets.BuiltInSource {
			title += st.Muted.Render(" · user")
		}
		out = append(out, text.Fit(pointer+cur+name+"  "+st.Accent.Render(fmt.Sprintf("%-6s", pr.Mode))+"  "+title, p.w))
	}
	for i, e := range p.errs {
		if i == errH-1 && len(p.errs) > errH {
			out = append(out, st.Error.Render(text.Fit(fmt.Sprintf("✗ %d more preset files did not load (loralab presets check FILE)", len(p.errs)-i), p.w)))
			break
		}
		out = append(out, st.Error.Render(text.Fit("✗ "+e, p.w)))
	}
	if p.errText != "" {
		for _, w := range wrap("✗ "+p.errText, p.w, 2) {
			out = append(out, st.Error.Render(w))
		}
	}
	// The chosen preset.
	pr := p.list[p.cur]
	room := p.h - len(out) - 1
	if room < 2 {
		return strings.Join(out, "\n")
	}
	out = append(out, st.Muted.Render(strings.Repeat("─", p.w)))
	var prev []string
	add := func(label, body string) {
		if body == "" {
			return
		}
		lines := wrap(label+body, p.w, 1000)
		if len(lines) > 0 && label != "" {
			lines[0] = st.Accent.Render(label) + strings.TrimPrefix(lines[0], label)
		}
		prev = append(prev, lines...)
	}
	add("", st.Selected.Render(pr.Name)+" · "+pr.Title)
	add("Runs: ", presetSummary(l, pr))
	if n := l.RunCount(); n > 0 {
		add("", st.Warn.Render(fmt.Sprintf("enter starts a new experiment: the %s on the board now %s cleared", plural(n, "run"), map[bool]string{true: "is", false: "are"}[n == 1])))
	}
	add("Question: ", pr.Question)
	for i, n := range paragraphs(pr.Notes) {
		label := ""
		if i == 0 {
			label = "Notes: "
		}
		add(label, n)
	}
	if len(prev) > room {
		prev = prev[:room]
		prev[room-1] = text.Fit(prev[room-1]+" …", p.w)
	}
	out = append(out, prev...)
	return strings.Join(out, "\n")
}

// presetSummary says in one sentence what a preset runs: its mode and
// methods, its settings and its per-method overrides.
func presetSummary(l *Lab, pr presets.Preset) string {
	s := pr.Mode + " of " + strings.Join(titles(l, pr.Methods), ", ")
	if pr.Sweep != nil {
		s += " over " + pr.Sweep.Setting + " = " + strings.Join(pr.Sweep.Values, ", ")
	}
	if kv := settingList(pr.Settings); kv != "" {
		s += "; " + kv
	}
	var ms []string
	for m := range pr.Overrides {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	for _, m := range ms {
		if kv := settingList(pr.Overrides[m]); kv != "" {
			s += "; " + m + ": " + kv
		}
	}
	return s
}

// settingList is "name=value, …" in the lab's display order.
func settingList(kv map[string]string) string {
	var out []string
	for _, s := range catalog.Settings() {
		if v, ok := kv[s.Name]; ok {
			out = append(out, s.Name+"="+v)
		}
	}
	return strings.Join(out, ", ")
}
