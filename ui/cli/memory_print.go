package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/loralab/loralab/lab/scale"
	"github.com/loralab/loralab/ui/text"
)

// memoryBytes is how the memory tables write bytes (ui/text's one format).
func memoryBytes(n int64) string { return text.Bytes(n) }

// memoryListModels prints the built-in catalogue.
func memoryListModels(w io.Writer, asJSON bool) int {
	type modelJSON struct {
		scale.Model
		Params int64          `json:"params"`
		Linear []scale.Linear `json:"linear"`
	}
	if asJSON {
		var out []modelJSON
		for _, m := range scale.Models() {
			out = append(out, modelJSON{m, m.Params(), m.Linears()})
		}
		return memoryJSON(w, out)
	}
	rows := [][]string{{"model", "arch", "layers", "hidden", "heads", "kv heads", "head dim", "mlp", "vocab", "tied", "parameters", "linear layers"}}
	for _, m := range scale.Models() {
		tied := "no"
		if m.TiedEmbeddings {
			tied = "yes"
		}
		rows = append(rows, []string{m.Name, string(m.Arch), fmt.Sprint(m.Layers), text.Count(int64(m.Hidden)), fmt.Sprint(m.Heads),
			fmt.Sprint(m.KVHeads), fmt.Sprint(m.HeadDim), text.Count(int64(m.MLP)), text.Count(int64(m.Vocab)), tied,
			text.Count(m.Params()), strings.Join(m.Roles(), ",")})
	}
	memoryTable(w, rows, "llrrrrrrrlrl")
	return exitOK
}

// memoryListGPUs prints the named cards: the memory PyTorch sees, what a
// training step may use of it, and where the figure comes from.
func memoryListGPUs(w io.Writer, asJSON bool) int {
	type gpuJSON struct {
		scale.GPU
		Usable int64 `json:"usable"`
	}
	if asJSON {
		var out []gpuJSON
		for _, g := range scale.GPUs() {
			out = append(out, gpuJSON{g, g.Usable()})
		}
		return memoryJSON(w, out)
	}
	rows := [][]string{{"gpu", "card", "memory", "usable", "also", "memory as PyTorch sees it"}}
	for _, g := range scale.GPUs() {
		rows = append(rows, []string{g.Name, g.Title, memoryBytes(g.Memory), memoryBytes(g.Usable()), strings.Join(g.Aliases, ","), g.Source})
	}
	memoryTable(w, rows, "llrrll")
	fmt.Fprintln(w)
	for _, line := range text.Wrap(fmt.Sprintf("usable: the memory less %s a training process holds besides PyTorch's allocations (CUDA context, cuBLAS workspaces); a size (--gpu 24GB) is taken as the memory PyTorch sees.", memoryBytes(scale.Headroom)), 96) {
		fmt.Fprintln(w, line)
	}
	return exitOK
}

// memoryJSON writes v as indented JSON.
func memoryJSON(w io.Writer, v any) int {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return exitFailed
	}
	w.Write(append(data, '\n')) // a failed write is Main's to report
	return exitOK
}

// memoryParts are the breakdown's rows: a label and how to read the part.
var memoryParts = []struct {
	label string
	get   func(scale.Parts) int64
}{
	{"frozen base weights", func(p scale.Parts) int64 { return p.FrozenBase }},
	{"frozen adapter matrices", func(p scale.Parts) int64 { return p.FrozenAdapter }},
	{"trainable weights", func(p scale.Parts) int64 { return p.Trainable }},
	{"gradients", func(p scale.Parts) int64 { return p.Gradients }},
	{"optimizer state", func(p scale.Parts) int64 { return p.Optimizer }},
	{"method extras", func(p scale.Parts) int64 { return p.Other }},
	{"activations: network", func(p scale.Parts) int64 { return p.ActivationsNetwork }},
	{"activations: method", func(p scale.Parts) int64 { return p.ActivationsMethod }},
	{"total", func(p scale.Parts) int64 { return p.Total }},
}

// The rows after the breakdown: two moments of a step, not parts.
const (
	memoryRestingRow = "resting (between steps)"
	memoryPeakRow    = "peak"
)

// printMemoryOne prints one estimate: header, breakdown, resting and peak
// with the peak's terms, the fit and solution on a GPU, what it was checked
// against and its assumptions.
func printMemoryOne(w io.Writer, r memoryResult) {
	fmt.Fprintf(w, "%s on %s: %s, targets %s (%s adapted layers)\n", r.MethodTitle, r.Model.Name, memoryRankText(r.Report), memoryTargetText(r.Report), text.Count(int64(r.AdaptedLayers)))
	printMemorySetting(w, r.Report)
	fmt.Fprintf(w, "trainable parameters: %s = %s of %s\n", text.Count(r.Params.Trainable), memoryPercent(r.Params.TrainablePercent), text.Count(r.Params.Model))
	if r.Params.FrozenAdapter > 0 {
		fmt.Fprintf(w, "  (excludes %s frozen adapter numbers; with them %s)\n", text.Count(r.Params.FrozenAdapter), text.Count(r.Params.Trainable+r.Params.FrozenAdapter))
	}
	fmt.Fprintln(w)
	rows := [][]string{{"part", "numbers", "bytes"}}
	for _, row := range memoryParts {
		rows = append(rows, []string{row.label, text.Count(row.get(r.Numbers)), memoryBytes(row.get(r.Bytes))})
	}
	rows = append(rows, []string{memoryRestingRow, "", memoryBytes(r.Bytes.Resting)}, []string{memoryPeakRow, "", memoryBytes(r.Bytes.Peak)})
	memoryTable(w, rows, "lrr")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "peak at: %s\n", r.PeakAt)
	var terms [][]string
	for _, t := range r.PeakTerms {
		terms = append(terms, []string{"  " + t.Name, memoryBytes(t.Bytes)})
	}
	memoryTable(w, terms, "lr")
	if r.Fit != nil {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "on %s (%s, %s usable): %s\n", r.Fit.GPU.Name, memoryBytes(r.Fit.GPU.Memory), memoryBytes(r.Fit.Usable), memoryFitText(*r.Fit))
	}
	if r.Solve != nil {
		fmt.Fprintf(w, "largest %s that fits: %s\n", r.Solve.Setting, memorySolveText(*r.Solve, true))
	}
	printMemoryFooter(w, []memoryResult{r})
}

// printMemoryCompare prints several methods side by side, one column each.
func printMemoryCompare(w io.Writer, rs []memoryResult) {
	fmt.Fprintf(w, "%s: targets %s\n", rs[0].Model.Name, memoryTargetText(rs[0].Report))
	printMemorySetting(w, rs[0].Report)
	head := []string{""}
	align := "l"
	for _, r := range rs {
		head = append(head, r.MethodTitle)
		align += "r"
	}
	rows := [][]string{head}
	add := func(label string, cell func(memoryResult) string) {
		row := []string{label}
		for _, r := range rs {
			row = append(row, cell(r))
		}
		rows = append(rows, row)
	}
	add("rank", func(r memoryResult) string { return memoryRankNumber(r.Report) })
	add("trainable parameters", func(r memoryResult) string { return text.Count(r.Params.Trainable) })
	add("trainable %", func(r memoryResult) string { return memoryPercent(r.Params.TrainablePercent) })
	add("frozen adapter numbers", func(r memoryResult) string { return text.Count(r.Params.FrozenAdapter) })
	for _, row := range memoryParts {
		add(row.label, func(r memoryResult) string { return memoryBytes(row.get(r.Bytes)) })
	}
	add(memoryRestingRow, func(r memoryResult) string { return memoryBytes(r.Bytes.Resting) })
	add(memoryPeakRow, func(r memoryResult) string { return memoryBytes(r.Bytes.Peak) })
	// The peak's terms beyond resting, one row per kind, "—" where a
	// method's peak has none of it.
	for _, short := range distinct(rs, func(r memoryResult) []string {
		var out []string
		for _, t := range r.PeakTerms {
			if t.Short != "resting" {
				out = append(out, t.Short)
			}
		}
		return out
	}) {
		add("  + "+short, func(r memoryResult) string {
			for _, t := range r.PeakTerms {
				if t.Short == short {
					return memoryBytes(t.Bytes)
				}
			}
			return "—"
		})
	}
	if fit := rs[0].Fit; fit != nil {
		add(fmt.Sprintf("on %s (%s usable)", fit.GPU.Name, memoryBytes(fit.Usable)), func(r memoryResult) string { return string(r.Fit.Verdict) })
		add("  to spare", func(r memoryResult) string { return memoryBytes(r.Fit.Spare) })
	}
	if s := rs[0].Solve; s != nil {
		add("largest "+string(s.Setting)+" that fits", func(r memoryResult) string { return memorySolveText(*r.Solve, false) })
		add("  tight up to", func(r memoryResult) string { return memorySolveNumber(r.Solve.Tight) })
	}
	memoryTable(w, rows, align)
	fmt.Fprintln(w)
	var at []string
	for _, moment := range distinct(rs, func(r memoryResult) []string { return []string{r.PeakAt} }) {
		var who []string
		for _, r := range rs {
			if r.PeakAt == moment {
				who = append(who, r.MethodTitle)
			}
		}
		at = append(at, strings.Join(who, ", ")+": "+moment)
	}
	printWrapped(w, "peak at: "+strings.Join(at, "; "), "", "  ")
	if s := rs[0].Solve; s != nil && s.Setting == scale.SolveSeq {
		printWrapped(w, fmt.Sprintf("a solved seq is rounded down to a multiple of %d", scale.SeqStep), "", "")
	}
	printMemoryFooter(w, rs)
}

// printMemoryVary prints one row per value of the varied setting and method.
func printMemoryVary(w io.Writer, rs []memoryResult, varied string) {
	titles := distinct(rs, func(r memoryResult) []string { return []string{r.MethodTitle} })
	fmt.Fprintf(w, "%s on %s against %s: targets %s\n", strings.Join(titles, ", "), rs[0].Model.Name, varied, memoryTargetText(rs[0].Report))
	printMemorySetting(w, rs[0].Report)
	head := []string{varied, "method", "trainable", "trainable %", "frozen", "weights+grads+optimizer", "activations", "total", "peak"}
	align := "rlrrrrrrr"
	if fit := rs[0].Fit; fit != nil {
		head, align = append(head, "on "+fit.GPU.Name), align+"r"
	}
	if s := rs[0].Solve; s != nil {
		head, align = append(head, "largest "+string(s.Setting)), align+"r"
	}
	rows := [][]string{head}
	for _, r := range rs {
		v := map[string]string{"rank": memoryRankNumber(r.Report), "batch": fmt.Sprint(r.Batch), "seq": fmt.Sprint(r.Seq)}[varied]
		b := r.Bytes
		row := []string{v, r.MethodTitle, text.Count(r.Params.Trainable), memoryPercent(r.Params.TrainablePercent),
			memoryBytes(b.FrozenBase + b.FrozenAdapter), memoryBytes(b.Trainable + b.Gradients + b.Optimizer + b.Other),
			memoryBytes(b.ActivationsNetwork + b.ActivationsMethod), memoryBytes(b.Total), memoryBytes(b.Peak)}
		if r.Fit != nil {
			row = append(row, string(r.Fit.Verdict))
		}
		if r.Solve != nil {
			row = append(row, memorySolveText(*r.Solve, false))
		}
		rows = append(rows, row)
	}
	memoryTable(w, rows, align)
	printMemoryFooter(w, rs)
}

// memoryFitText is a verdict with the room left or missing.
func memoryFitText(f scale.Fit) string {
	switch f.Verdict {
	case scale.DoesNotFit:
		return fmt.Sprintf("%s, %s short", f.Verdict, memoryBytes(-f.Spare))
	case scale.Tight:
		return fmt.Sprintf("%s, %s to spare, under the %d %% the allocator may need (%s)", f.Verdict, memoryBytes(f.Spare), scale.Allocator.MarginPercent, memoryBytes(f.Peak*scale.Allocator.MarginPercent/100))
	}
	return fmt.Sprintf("%s, %s to spare", f.Verdict, memoryBytes(f.Spare))
}

// memorySolveNumber writes a solved value, "none" for 0.
func memorySolveNumber(v int) string {
	if v == 0 {
		return "none"
	}
	return text.Count(int64(v))
}

// memorySolveText writes a solution: the largest value that fits, and
// (long) its peak, how far a tight step reaches, the limit and the rounding.
func memorySolveText(s scale.Solution, long bool) string {
	out := memorySolveNumber(s.Fits)
	if s.Fits > 0 && s.Fits == s.Limit {
		out += " (the limit)"
	}
	if !long {
		return out
	}
	var more []string
	if s.Fits > 0 {
		more = append(more, "peak "+memoryBytes(s.FitsPeak))
	}
	if s.Tight > s.Fits {
		more = append(more, fmt.Sprintf("tight up to %s", text.Count(int64(s.Tight))))
	}
	if s.Setting == scale.SolveSeq {
		more = append(more, fmt.Sprintf("rounded down to a multiple of %d", scale.SeqStep))
	}
	if len(more) > 0 {
		out += " (" + strings.Join(more, "; ") + ")"
	}
	return out
}

// printMemorySetting prints the settings shared by the reports and a blank line.
func printMemorySetting(w io.Writer, r scale.Report) {
	m := r.Model
	tied := "untied head"
	if m.TiedEmbeddings {
		tied = "tied head"
	}
	if !m.HasLMHead() {
		tied = "no LM head"
	}
	fmt.Fprintf(w, "model: %s, %d layers, hidden %s, %d heads (%d kv) of %d, mlp %s, vocab %s, %s; %s\n",
		m.Arch, m.Layers, text.Count(int64(m.Hidden)), m.Heads, m.KVHeads, m.HeadDim, text.Count(int64(m.MLP)), text.Count(int64(m.Vocab)), tied, m.Source)
	ckpt := "off"
	if r.Checkpointing {
		ckpt = "on"
	}
	extra := ""
	if r.MasterWeights {
		extra += " · fp32 master weights"
	}
	if r.KbitPrepare {
		extra += " · prepare_model_for_kbit_training"
	}
	fmt.Fprintf(w, "batch %s × seq %s = %s tokens · base %s · adapters %s · compute %s · %s · checkpointing %s%s\n\n",
		text.Count(int64(r.Batch)), text.Count(int64(r.Seq)), text.Count(int64(r.Tokens)), r.DType, r.AdapterDType, r.ComputeDType, r.Optimizer, ckpt, extra)
}

// printMemoryFooter ends every table: what the peak was checked against
// and every distinct assumption of the reports (the GPU's last), wrapped.
func printMemoryFooter(w io.Writer, rs []memoryResult) {
	fmt.Fprintln(w)
	for _, c := range distinct(rs, func(r memoryResult) []string { return []string{r.Checked} }) {
		printWrapped(w, "checked: "+c, "", "  ")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "assumptions:")
	assumptions := distinct(rs, func(r memoryResult) []string { return r.Assumptions })
	assumptions = append(assumptions, distinct(rs, func(r memoryResult) []string {
		if r.Fit == nil {
			return nil
		}
		return []string{scale.FitAssumption(r.Fit.GPU)}
	})...)
	for _, a := range assumptions {
		printWrapped(w, a, "  - ", "    ")
	}
}

// printWrapped writes s wrapped to 96 columns, the first line after first,
// the others after rest.
func printWrapped(w io.Writer, s, first, rest string) {
	for i, line := range text.Wrap(s, 96) {
		prefix := first
		if i > 0 {
			prefix = rest
		}
		fmt.Fprintln(w, prefix+line)
	}
}

func memoryRankText(r scale.Report) string {
	if r.Rank == 0 {
		return "no rank"
	}
	return fmt.Sprintf("rank %d, α %s", r.Rank, strconv.FormatFloat(r.Alpha, 'g', -1, 64))
}

func memoryRankNumber(r scale.Report) string {
	if r.Rank == 0 {
		return "—"
	}
	return fmt.Sprint(r.Rank)
}

func memoryTargetText(r scale.Report) string {
	if r.Rank == 0 && len(r.Targets) == len(r.Model.Roles()) && r.AdaptedLayers > r.Model.Layers*len(r.Targets) {
		return "every weight"
	}
	if len(r.Targets) == len(r.Model.Roles()) {
		return scale.AllLinear + " (" + strings.Join(r.Targets, ",") + ")"
	}
	return strings.Join(r.Targets, ",")
}

// memoryPercent formats a percentage with 4 significant digits: 0.06224 %.
func memoryPercent(p float64) string { return text.Number(p) + " %" }

// memoryTable writes rows as aligned columns two spaces apart (text.Table);
// align has one letter per column, l (left) or r (right). The first row is
// the header.
func memoryTable(w io.Writer, rows [][]string, align string) {
	right := map[int]bool{}
	for i, a := range align {
		right[i] = a == 'r'
	}
	fmt.Fprint(w, text.Table(rows, right, false))
}
