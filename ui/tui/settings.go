package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// settingRow is one row of the settings pane: a setting the cursor's
// method reads on its task, or (compare) one of how races and sweeps
// compare (Lab.Compare), with the label people read.
type settingRow struct {
	name    string
	label   string
	set     lab.Setting
	compare bool
}

// settingLabels are the labels of the settings whose flag name is terse;
// the others are shown by their flag name, as the command line spells it.
var settingLabels = map[string]string{
	"rank": "rank r", "alpha": "α (alpha)", "rslora": "rsLoRA α/√r", "lr": "learning rate",
	"seeds": "race/sweep seeds", "tune-lr": "tuned race", "lr-grid": "tune: lr grid", "tune-steps": "tune: steps",
}

// settingRows lists the settings method m reads on task t, in display
// order (lab.SettingsFor), the method aside and the task last (switching it
// starts a new experiment on the task's defaults: Lab.SetTask); then how
// races and sweeps compare (seeds, the tuned race's search).
func settingRows(m lab.Method, t lab.Task) []settingRow {
	var rows []settingRow
	var task []settingRow
	for _, s := range lab.SettingsFor(m, t) {
		if s.Name == "task" {
			task = []settingRow{{name: s.Name, label: s.Name, set: s}}
			continue
		}
		if s.Name == "method" {
			continue
		}
		label := settingLabels[s.Name]
		if label == "" {
			label = s.Name
		}
		rows = append(rows, settingRow{name: s.Name, label: label, set: s})
	}
	rows = append(rows, task...)
	for _, s := range compareSettings {
		rows = append(rows, settingRow{name: s.Name, label: settingLabels[s.Name], set: s, compare: true})
	}
	return rows
}

// settingsShown is how many settings the pane shows at once in the wide
// layout (the rest scroll), so that the about pane keeps its rows.
const settingsShown = 13

// SettingsPane shows the settings of the method under the cursor — the
// common ones, the method's own and its task's (lab.SettingsFor) — and
// changes them: ←/→ step through each setting's ladder (or its choices),
// enter opens a text field for a typed value. Every change is validated
// with lab.Prepare for the methods it concerns and refused inline, with the
// reason, if invalid. The learning rate is live: a change reaches the
// cursor's method's run if it trains (A: every run's); the others apply
// to the next run. The last rows say how the next race or sweep compares:
// at how many seeds, and whether a race first searches each method's
// learning rate, over which grid and for how many steps (Lab.SetCompare).
type SettingsPane struct {
	basePane
	rows    []settingRow
	rowsFor string // the method and task the rows are for
	cur     int
	editing bool
	input   field
	errText string    // the last refusal, shown until the next change
	note    string    // the last accepted change
	normal  *KeyTable // the keys while the text field is closed
	typing  *KeyTable // the keys while it is open
}

// NewSettingsPane returns the settings pane.
func NewSettingsPane(c *Common) *SettingsPane {
	p := &SettingsPane{basePane: basePane{c: c}, input: newField(24)}
	p.sync()
	k := c.Keys
	p.typing = &KeyTable{Title: "Settings pane, typing a value", Rows: []KeyRow{
		row(k.Apply, p.enter),
		row(k.Cancel, func(tea.KeyMsg) { p.closeField() }),
	}}
	p.normal = &KeyTable{Title: "Settings pane", Rows: []KeyRow{
		row(k.Up, func(tea.KeyMsg) { p.move(-1) }),
		row(k.Down, func(tea.KeyMsg) { p.move(1) }),
		row(k.Left, func(tea.KeyMsg) { p.step(-1) }),
		row(k.Right, func(tea.KeyMsg) { p.step(1) }),
		{k.Edit, p.edit},
		row(k.LiveAll, func(tea.KeyMsg) { c.Lab.SetLiveAll(!c.Lab.LiveAll) }),
	}}
	p.keys = []*KeyTable{p.normal, p.typing}
	return p
}

// Title implements Component.
func (p *SettingsPane) Title() string { return "Settings" }

// Capturing implements Component: true while the text field is open.
func (p *SettingsPane) Capturing() bool { return p.editing }

// ShortHelp implements Component.
func (p *SettingsPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	if p.editing {
		return []key.Binding{k.Apply, k.Cancel}
	}
	return []key.Binding{k.Up, k.Left, k.Right, k.Edit}
}

// Current returns the name of the setting under the cursor.
func (p *SettingsPane) Current() string {
	p.sync()
	return p.rows[p.cur].name
}

// sync lists the settings of the method under the cursor, if it changed,
// keeping the cursor on the same setting where the new method has it.
func (p *SettingsPane) sync() {
	l := p.c.Lab
	key := l.Infos[l.Cursor].Name + " on " + l.Config.Task
	if p.rowsFor == key && p.rows != nil {
		return
	}
	name := ""
	if p.rows != nil {
		name = p.rows[p.cur].name
	}
	p.rows, p.rowsFor = settingRows(l.Methods[l.Cursor], taskOf(l.Config)), key
	p.cur = min(p.cur, len(p.rows)-1)
	for i, r := range p.rows {
		if r.name == name {
			p.cur = i
		}
	}
}

// Err returns the last refusal, or "".
func (p *SettingsPane) Err() string { return p.errText }

// HandleKey implements Component: while the field is open, its table's keys
// and, for any other key, the field; else the pane's table.
func (p *SettingsPane) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	p.sync()
	if !p.editing {
		ok, cmd := p.normal.Handle(msg)
		if ok {
			p.memo.drop()
		}
		return ok, cmd
	}
	p.memo.drop()
	if ok, cmd := p.typing.Handle(msg); ok {
		return true, cmd
	}
	return true, p.input.Update(msg)
}

// move moves the cursor by d rows, round the list.
func (p *SettingsPane) move(d int) {
	p.cur = (p.cur + len(p.rows) + d) % len(p.rows)
	p.errText, p.note = "", ""
}

// step sets the setting under the cursor to the next value of its ladder
// up (dir 1) or down (-1).
func (p *SettingsPane) step(dir int) {
	row := p.rows[p.cur]
	cfg := p.effective()
	if row.compare {
		cfg = p.c.Lab.CompareConfig()
	}
	v, ok := row.set.Step(cfg, dir)
	switch {
	case row.name == "schedule":
		v, ok = cycle(lab.Schedules, row.set.Get(cfg), dir), true
	case row.name == "task":
		v, ok = cycle(catalog.TaskNames(), row.set.Get(cfg), dir), true
	}
	if !ok {
		p.errText = fmt.Sprintf("%s: no %s value on its ladder; press enter to type one", row.name, map[int]string{1: "larger", -1: "smaller"}[dir])
		return
	}
	p.apply(v)
}

// cycle is the choice after (dir 1) or before (-1) cur in choices, round
// the list.
func cycle(choices []string, cur string, dir int) string {
	i := 0
	for k, c := range choices {
		if c == cur {
			i = k
		}
	}
	return choices[(i+dir+len(choices))%len(choices)]
}

// edit opens the text field on the setting under the cursor, offering the
// current value (field.Offer): what is typed replaces it rather than being
// appended to it; ←/→ keep it to edit.
func (p *SettingsPane) edit(tea.KeyMsg) tea.Cmd {
	p.editing = true
	p.errText = ""
	if row := p.rows[p.cur]; row.compare {
		p.input.Offer(row.set.Get(p.c.Lab.CompareConfig()))
	} else {
		p.input.Offer(row.set.Get(p.effective()))
	}
	return p.input.Focus()
}

// enter applies the typed value (nothing typed, or the field emptied: the
// value stays as it was) and closes the field, unless the value is refused.
func (p *SettingsPane) enter(tea.KeyMsg) {
	if !p.input.Edited() || strings.TrimSpace(p.input.Value()) == "" {
		p.closeField()
		return
	}
	if p.apply(p.input.Value()) {
		p.editing = false
		p.input.Blur()
	}
}

// closeField closes the text field, forgetting a refusal.
func (p *SettingsPane) closeField() {
	p.editing = false
	p.input.Blur()
	p.errText = ""
}

// effective is the config with "0 means default" values resolved for the
// method under the cursor, so stepping starts from the value in use.
func (p *SettingsPane) effective() lab.Config {
	l := p.c.Lab
	cfg, err := l.ConfigFor(l.Cursor)
	if err != nil {
		cfg = l.Config
	}
	r := cfg.Resolve(l.Methods[l.Cursor], taskOf(cfg))
	r.Method = cfg.Method
	return r
}

// apply sets the current setting to v if the result is valid for every
// method it concerns, and reports whether it did. A refusal leaves the
// settings as they were and says why.
func (p *SettingsPane) apply(v string) bool {
	row := p.rows[p.cur]
	if row.compare {
		return p.applyCompare(row, v)
	}
	if row.name == "task" {
		if err := p.c.Lab.SetTask(v); err != nil {
			p.errText = "refused: " + err.Error()
			return false
		}
		p.errText, p.note = "", ""
		p.sync()
		return true
	}
	ch, err := p.c.Lab.SetSetting(row.set, v)
	if err != nil {
		p.errText = "refused: " + err.Error()
		return false
	}
	p.errText = ""
	switch {
	case row.set.Live && ch.Active > 0 && p.c.Lab.LiveAll:
		p.note = fmt.Sprintf("%s = %s: applied live to every run (%d; A: the cursor's only)", row.name, ch.Value, ch.Live)
	case row.set.Live && ch.LiveTo != "":
		p.note = fmt.Sprintf("%s = %s: applied live to %s only (A: to every run)", row.name, ch.Value, ch.LiveTo)
	case row.set.Live && ch.Active > 0:
		p.note = fmt.Sprintf("%s = %s: %s has no run training; applies to the next run (A: live to every run)", row.name, ch.Value, p.c.Lab.Infos[p.c.Lab.Cursor].Title)
	case ch.Active > 0:
		p.note = fmt.Sprintf("%s = %s: applies to the next run", row.name, ch.Value)
	default:
		p.note = fmt.Sprintf("%s = %s", row.name, ch.Value)
	}
	if len(ch.Dropped) > 0 {
		p.note += " (preset value for " + strings.Join(ch.Dropped, ", ") + " dropped)"
	}
	return true
}

// applyCompare sets a comparison setting, as apply does a run's.
func (p *SettingsPane) applyCompare(row settingRow, v string) bool {
	l := p.c.Lab
	value, err := l.SetCompare(row.set, v)
	if err != nil {
		p.errText = "refused: " + err.Error()
		return false
	}
	p.errText = ""
	c := l.Compare
	switch row.name {
	case "seeds":
		if c.SeedCount() > 1 {
			p.note = fmt.Sprintf("seeds = %s: the next race or sweep runs every configuration at seeds %d … %d", value, l.Config.Seed, l.Config.Seed+uint64(c.SeedCount()-1))
		} else {
			p.note = "seeds = 1: one run per configuration"
		}
	case "tune-lr":
		if c.Tune {
			p.note = fmt.Sprintf("tuned race on: r searches each method's lr first (%s, %s steps)", c.GridShort(), text.ShortCount(float64(c.Horizon(p.effective().Steps))))
		} else {
			p.note = "tuned race off: each method races at its lr as set"
		}
	default:
		p.note = fmt.Sprintf("%s = %s: for the next tuned race", row.name, p.compareValue(row))
	}
	return true
}

// compareValue is a comparison setting's value as shown.
func (p *SettingsPane) compareValue(row settingRow) string {
	c := p.c.Lab.Compare
	switch row.name {
	case "tune-lr":
		return onOff(c.Tune)
	case "lr-grid":
		return c.GridShort()
	case "tune-steps":
		if c.TuneSteps == 0 {
			return fmt.Sprintf("auto (%s)", text.ShortCount(float64(c.Horizon(p.effective().Steps))))
		}
	}
	return row.set.Get(p.c.Lab.CompareConfig())
}

// display is a setting's value as shown: defaults named.
func (p *SettingsPane) display(row settingRow) string {
	if row.compare {
		return p.compareValue(row)
	}
	cfg := p.c.Lab.Config
	info := p.c.Lab.Infos[p.c.Lab.Cursor]
	if v, ok := p.c.Lab.Override(p.c.Lab.Cursor, row.name); ok {
		return v + " (preset)"
	}
	resolved := cfg.Resolve(p.c.Lab.Methods[p.c.Lab.Cursor], taskOf(cfg))
	switch {
	case row.name == "rank" && cfg.Rank == 0:
		return fmt.Sprintf("default (%d)", resolved.Rank)
	case row.name == "alpha" && cfg.Alpha == 0:
		return fmt.Sprintf("%s (s = %s)", text.Float(resolved.Alpha), text.Number(lab.Scale(resolved)))
	case row.name == "lr" && cfg.LR == 0:
		return fmt.Sprintf("default (%s)", text.Float(info.DefaultLR))
	case row.set.Auto != "" && row.set.Resolve != nil && row.set.Get(cfg) == fmt.Sprint(row.set.Default):
		return fmt.Sprintf("%s (%v)", row.set.Auto, row.set.Resolve(cfg, row.set.Default))
	case row.set.Kind == lab.BoolSetting:
		if row.set.Value(cfg) != 0 {
			return "on"
		}
		return "off"
	}
	return row.set.Get(cfg)
}

// View implements Component.
func (p *SettingsPane) View() string {
	l := p.c.Lab
	v := l.Version()
	return p.memo.get([8]int{p.w, p.h, v.Config, v.Selection, l.Active()}, p.render)
}

func (p *SettingsPane) render() string {
	p.sync()
	l, st := p.c.Lab, p.c.Styles
	labelW := 0
	for _, row := range p.rows {
		labelW = max(labelW, text.Width(row.label))
	}
	labelW = min(labelW, 17)
	valW := max(8, min(16, p.w-labelW-9))
	liveTo := l.Infos[l.Cursor].Title
	if l.LiveAll {
		liveTo = "all runs"
	}
	var rows []string
	for i, row := range p.rows {
		cur := i == p.cur
		pointer := "  "
		if cur {
			pointer = "› "
		}
		label := text.Fit(row.label, labelW)
		var val string
		if cur && p.editing {
			p.input.Width = valW - 4 // the view is Width cells plus the cursor's
			val = "[" + text.Fit(p.input.View(), valW-2) + "]"
		} else {
			val = text.Fit(p.display(row), valW)
			if cur {
				val = st.Accent.Render(val)
			}
		}
		line := pointer + label + " " + val
		room := p.w - text.Width(line) - 1
		tag := ""
		switch {
		case row.set.Live && room >= text.Width("live → "+liveTo):
			tag = " " + st.Live.Render("live → "+liveTo)
		case row.set.Live && room >= 4:
			tag = " " + st.Live.Render("live")
		}
		if cur {
			line = pointer + st.Selected.Render(label) + " " + val
		}
		rows = append(rows, line+tag)
	}
	// The message area under the list: a refusal, the last change, or a hint.
	var msg []string
	switch {
	case p.errText != "":
		for _, m := range wrap("✗ "+p.errText, p.w, 2) {
			msg = append(msg, st.Error.Render(m))
		}
	case p.note != "":
		msg = []string{st.OK.Render(text.Fit("✓ "+p.note, p.w))}
	default:
		row := p.rows[p.cur]
		hint := row.set.Help
		if row.name == "lr-grid" {
			hint = "rates " + gridText(l.Compare.Rates()) + " · " + hint
		}
		if !row.set.Live && l.Active() > 0 {
			hint = "applies to the next run · " + hint
		}
		msg = []string{st.Muted.Render(text.Fit(hint, p.w))}
	}
	listH := max(1, p.h-len(msg)-1)
	if p.h < len(rows)+len(msg)+1 {
		listH = max(1, p.h-len(msg))
	}
	hidden := len(rows) > listH && listH > 2
	if hidden {
		listH-- // one line says what is out of view
	}
	top := 0
	if p.cur >= listH {
		top = p.cur - listH + 1
	}
	end := min(len(rows), top+listH)
	out := append([]string{}, rows[top:end]...)
	if hidden {
		var more []string
		if top > 0 {
			more = append(more, fmt.Sprintf("↑ %d above", top))
		}
		if below := len(rows) - end; below > 0 {
			more = append(more, fmt.Sprintf("↓ %d below", below))
		}
		out = append(out, st.Muted.Render(text.Fit("  "+strings.Join(more, " · "), p.w)))
	}
	for len(out) < p.h-len(msg) {
		out = append(out, "")
	}
	out = append(out, msg...)
	return strings.Join(out, "\n")
}
