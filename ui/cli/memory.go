package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
	"github.com/loralab/loralab/ui/text"
)

const memoryIntro = `usage: loralab memory --model NAME [--method M | --methods M1,M2:RANK,...] [flags]

What a fine-tuning method costs on a real model: trainable parameters, and the
bytes of frozen weights, trainable weights, gradients, optimizer state and
activations kept for backward. The method's numbers come from the same
per-layer formula the toy engine's memory ledger is checked against.

examples:
  loralab memory --model llama-2-7b --method lora --rank 8 --targets q,v
  loralab memory --model roberta-large --methods lora,lora-fa,vera:256
  loralab memory --model llama-3-8b --dtype 4bit --checkpointing --batch 4 --seq 2048
  loralab memory --model llama-2-7b --methods lora,vera --vary rank=1,8,64,256
  loralab memory --config-file config.json --method vera --rank 256 --json
  loralab memory --list-models

Models: built-in (--list-models), a Hugging Face config.json (--config-file),
or a Llama-style shape from --layers --hidden --heads --mlp --vocab (which
also override a --model or --config-file shape). --methods takes NAME or
NAME:RANK. Targets: q, k, v, o, gate, up, down, module names (e.g. q_proj),
or all-linear; full fine-tuning trains every weight and ignores --targets.
One JSON object for one estimate, an array for --methods or --vary.`

// memoryFlags holds the parsed flags of loralab memory.
type memoryFlags struct {
	model, configFile, method, methods, targets, vary string
	dtype, adapterDType, computeDType, optimizer      string
	rank, batch, seq                                  int
	alpha                                             float64
	checkpointing, projected, json, memoryListModels  bool
	layers, hidden, heads, kvHeads, headDim, mlp      int
	vocab                                             int
	tied                                              bool
	given                                             map[string]bool
}

// memoryJob is one estimate to make: a method at a rank, with options.
type memoryJob struct {
	method lab.Method
	opts   scale.Options
}

// runMemory is `loralab memory`.
func runMemory(args []string, stdout, stderr io.Writer) int {
	f, fs := &memoryFlags{}, flag.NewFlagSet("loralab memory", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	d := scale.DefaultOptions()
	fs.StringVar(&f.model, "model", "", "built-in model `NAME` (see --list-models)")
	fs.StringVar(&f.configFile, "config-file", "", "read the model shape from a Hugging Face config.json `FILE`")
	fs.StringVar(&f.method, "method", catalog.MethodNames()[0], "fine-tuning `method`: "+strings.Join(catalog.MethodNames(), ", "))
	fs.StringVar(&f.methods, "methods", "", "compare `methods` side by side, comma-separated, each NAME or NAME:RANK")
	fs.IntVar(&f.rank, "rank", d.Rank, "adapter `rank` r")
	fs.Float64Var(&f.alpha, "alpha", 0, "LoRA `α` (0 = rank); changes no memory")
	fs.StringVar(&f.targets, "targets", strings.Join(d.Targets, ","), "adapted layers of every block: comma-separated `names`, or all-linear")
	fs.IntVar(&f.batch, "batch", d.Batch, "sequences per step")
	fs.IntVar(&f.seq, "seq", d.Seq, "tokens per sequence")
	fs.StringVar(&f.dtype, "dtype", string(d.DType), "frozen base weights: fp32, bf16, fp16, int8 or 4bit (QLoRA's NF4)")
	fs.StringVar(&f.adapterDType, "adapter-dtype", string(d.AdapterDType), "adapter weights and gradients: fp32, bf16 or fp16")
	fs.StringVar(&f.computeDType, "compute-dtype", "", "activations: fp32, bf16 or fp16 (default: --dtype, or bf16 for int8 and 4bit)")
	fs.StringVar(&f.optimizer, "optimizer", string(d.Optimizer), "optimizer state: adamw (fp32) or adamw-8bit")
	fs.BoolVar(&f.checkpointing, "checkpointing", false, "gradient checkpointing (one checkpoint per block)")
	fs.BoolVar(&f.projected, "lorafa-projected", false, "LoRA-FA: PEFT's projected gradient (an r × r inverse per layer)")
	fs.StringVar(&f.vary, "vary", "", "one row per value of rank, batch or seq, e.g. rank=1,8,64,256 (`SETTING=VALUES`)")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of the table")
	fs.BoolVar(&f.memoryListModels, "list-models", false, "list the built-in models and exit")
	fs.IntVar(&f.layers, "layers", 0, "custom shape: transformer blocks")
	fs.IntVar(&f.hidden, "hidden", 0, "custom shape: hidden size")
	fs.IntVar(&f.heads, "heads", 0, "custom shape: attention heads")
	fs.IntVar(&f.kvHeads, "kv-heads", 0, "custom shape: key/value heads (default: heads)")
	fs.IntVar(&f.headDim, "head-dim", 0, "custom shape: head size (default: hidden / heads)")
	fs.IntVar(&f.mlp, "mlp", 0, "custom shape: MLP (intermediate) size")
	fs.IntVar(&f.vocab, "vocab", 0, "custom shape: vocabulary size")
	fs.BoolVar(&f.tied, "tied", false, "custom shape: LM head tied to the embeddings")

	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, fs, memoryIntro)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "memory", fmt.Errorf("%s (see loralab memory --help)", oneLine(err.Error())))
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "memory", fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0)))
	}
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })

	if f.memoryListModels {
		return memoryListModels(stdout, f.json)
	}
	model, err := f.resolveModel()
	if err != nil {
		return usageError(stderr, "memory", err)
	}
	jobs, varied, err := f.jobs()
	if err != nil {
		return usageError(stderr, "memory", err)
	}
	reports := make([]scale.Report, len(jobs))
	for i, j := range jobs {
		if reports[i], err = scale.Estimate(model, j.method, j.opts); err != nil {
			return usageError(stderr, "memory", err)
		}
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		var v any = reports
		if len(reports) == 1 && varied == "" && f.methods == "" {
			v = reports[0]
		}
		if err := enc.Encode(v); err != nil {
			fmt.Fprintf(stderr, "loralab memory: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	switch {
	case varied != "":
		printMemoryVary(stdout, reports, varied)
	case len(reports) == 1:
		printMemoryOne(stdout, reports[0])
	default:
		printMemoryCompare(stdout, reports)
	}
	return exitOK
}

// resolveModel picks the model from --model, --config-file or the shape
// flags, then applies the shape flags as overrides.
func (f *memoryFlags) resolveModel() (scale.Model, error) {
	shapeFlags := []string{"layers", "hidden", "heads", "kv-heads", "head-dim", "mlp", "vocab", "tied"}
	custom := false
	for _, n := range shapeFlags {
		custom = custom || f.given[n]
	}
	var m scale.Model
	var err error
	switch {
	case f.given["model"] && f.given["config-file"]:
		return m, errors.New("--model and --config-file: choose one")
	case f.given["model"]:
		if m, err = scale.LookupModel(f.model); err != nil {
			return m, err
		}
	case f.given["config-file"]:
		if m, err = scale.LoadConfigFile(f.configFile); err != nil {
			return m, err
		}
	case custom:
		for _, n := range []string{"layers", "hidden", "heads", "mlp", "vocab"} {
			if !f.given[n] {
				return m, fmt.Errorf("custom shape: --%s is missing; a custom shape needs --layers, --hidden, --heads, --mlp and --vocab (or --model NAME)", n)
			}
		}
		m = scale.Model{Name: "custom", Arch: scale.Llama, Source: "custom Llama-style shape from flags"}
	default:
		return m, fmt.Errorf("--model is required; the models are: %s (or --config-file FILE, or a custom shape with --layers --hidden --heads --mlp --vocab)", strings.Join(scale.ModelNames(), ", "))
	}
	if !custom {
		return m, m.Validate()
	}
	if m.Name != "custom" {
		var set []string
		for _, n := range shapeFlags {
			if f.given[n] {
				set = append(set, "--"+n)
			}
		}
		m.Source = m.Name + " with " + strings.Join(set, " ") + " from flags"
		m.Name += "*"
	}
	mha := m.KVHeads == m.Heads
	ints := []struct {
		name string
		dst  *int
		v    int
	}{{"layers", &m.Layers, f.layers}, {"hidden", &m.Hidden, f.hidden}, {"heads", &m.Heads, f.heads},
		{"mlp", &m.MLP, f.mlp}, {"vocab", &m.Vocab, f.vocab}, {"kv-heads", &m.KVHeads, f.kvHeads}, {"head-dim", &m.HeadDim, f.headDim}}
	for _, x := range ints {
		if f.given[x.name] {
			*x.dst = x.v
		}
	}
	if f.given["tied"] {
		m.TiedEmbeddings = f.tied
	}
	if !f.given["kv-heads"] && (mha || m.KVHeads == 0) {
		m.KVHeads = m.Heads
	}
	if !f.given["head-dim"] && (f.given["hidden"] || f.given["heads"] || m.HeadDim == 0) {
		if m.Heads < 1 || m.Hidden%m.Heads != 0 {
			return m, fmt.Errorf("hidden %d is not a multiple of heads %d: give --head-dim", m.Hidden, m.Heads)
		}
		m.HeadDim = m.Hidden / m.Heads
	}
	return m, m.Validate()
}

// jobs turns the method, rank and vary flags into the estimates to make. It
// returns the varied setting's name, or "".
func (f *memoryFlags) jobs() ([]memoryJob, string, error) {
	if f.given["method"] && f.given["methods"] {
		return nil, "", errors.New("--method and --methods: choose one")
	}
	base := scale.Options{
		Rank: f.rank, Alpha: f.alpha, Batch: f.batch, Seq: f.seq,
		Checkpointing: f.checkpointing,
	}
	if f.projected {
		base.MethodSettings = map[string]string{"lorafa-projected": "true"}
	}
	if f.given["alpha"] && !(f.alpha > 0) {
		return nil, "", fmt.Errorf("alpha %v: must be a finite number above 0", f.alpha)
	}
	for _, t := range strings.Split(f.targets, ",") {
		if t = strings.TrimSpace(t); t != "" {
			base.Targets = append(base.Targets, t)
		}
	}
	var err error
	for _, d := range []struct {
		flag string
		text string
		dst  *scale.DType
	}{{"dtype", f.dtype, &base.DType}, {"adapter-dtype", f.adapterDType, &base.AdapterDType}, {"compute-dtype", f.computeDType, &base.ComputeDType}} {
		if d.text == "" {
			continue
		}
		if *d.dst, err = scale.ParseDType(d.text); err != nil {
			return nil, "", fmt.Errorf("%s %q: unknown; the dtypes are: %s", d.flag, d.text, strings.Join(scale.DTypeNames(), ", "))
		}
	}
	if base.Optimizer, err = scale.ParseOptimizer(f.optimizer); err != nil {
		return nil, "", err
	}

	// Methods, each with its own rank if given as NAME:RANK.
	type entry struct {
		m    lab.Method
		rank int
	}
	list := f.method
	if f.given["methods"] {
		list = f.methods
	}
	var entries []entry
	seen := map[string]bool{}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, memoryRankText, hasRank := strings.Cut(item, ":")
		e := entry{rank: f.rank}
		if hasRank {
			if e.rank, err = strconv.Atoi(memoryRankText); err != nil {
				return nil, "", fmt.Errorf("methods %q: rank %q is not a whole number (use NAME or NAME:RANK)", item, memoryRankText)
			}
		}
		if seen[item] {
			return nil, "", fmt.Errorf("method %q listed twice", item)
		}
		seen[item] = true
		if e.m, err = catalog.Method(name); err != nil {
			return nil, "", err
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, "", errors.New("methods: none given; the methods are: " + strings.Join(catalog.MethodNames(), ", "))
	}

	varied, values, err := parseMemoryVary(f.vary)
	if err != nil {
		return nil, "", err
	}
	var jobs []memoryJob
	for _, v := range values {
		for _, e := range entries {
			o := base
			o.Rank = e.rank
			switch varied {
			case "rank":
				o.Rank = v
			case "batch":
				o.Batch = v
			case "seq":
				o.Seq = v
			}
			jobs = append(jobs, memoryJob{e.m, o})
		}
	}
	return jobs, varied, nil
}

// parseMemoryVary reads SETTING=V1,V2,... (rank, batch or seq). With no --vary it
// returns one placeholder value.
func parseMemoryVary(s string) (string, []int, error) {
	if s == "" {
		return "", []int{0}, nil
	}
	name, list, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || strings.TrimSpace(list) == "" {
		return "", nil, fmt.Errorf("vary %q: want SETTING=V1,V2,... with rank, batch or seq", s)
	}
	if name != "rank" && name != "batch" && name != "seq" {
		return "", nil, fmt.Errorf("vary %q: setting %q cannot vary; the settings are: rank, batch, seq", s, name)
	}
	var values []int
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		v, err := strconv.Atoi(t)
		if err != nil {
			return "", nil, fmt.Errorf("vary %s: %q is not a whole number", name, t)
		}
		values = append(values, v)
	}
	if len(values) > 64 {
		return "", nil, fmt.Errorf("vary %s: %d values, at most 64", name, len(values))
	}
	return name, values, nil
}

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
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return exitFailed
		}
		return exitOK
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

// printMemoryOne prints one estimate: header, breakdown, assumptions.
func printMemoryOne(w io.Writer, r scale.Report) {
	fmt.Fprintf(w, "%s on %s: %s, targets %s (%s adapted layers)\n", r.MethodTitle, r.Model.Name, memoryRankText(r), memoryTargetText(r), text.Count(int64(r.AdaptedLayers)))
	printMemorySetting(w, r)
	fmt.Fprintf(w, "trainable parameters: %s = %s of %s\n", text.Count(r.Params.Trainable), memoryPercent(r.Params.TrainablePercent), text.Count(r.Params.Model))
	if r.Params.FrozenAdapter > 0 {
		fmt.Fprintf(w, "  (excludes %s frozen adapter numbers; with them %s)\n", text.Count(r.Params.FrozenAdapter), text.Count(r.Params.Trainable+r.Params.FrozenAdapter))
	}
	fmt.Fprintln(w)
	rows := [][]string{{"part", "numbers", "bytes"}}
	for _, row := range memoryParts {
		rows = append(rows, []string{row.label, text.Count(row.get(r.Numbers)), text.Bytes(row.get(r.Bytes))})
	}
	memoryTable(w, rows, "lrr")
	printMemoryAssumptions(w, []scale.Report{r})
}

// printMemoryCompare prints several methods side by side, one column each.
func printMemoryCompare(w io.Writer, rs []scale.Report) {
	fmt.Fprintf(w, "%s: targets %s\n", rs[0].Model.Name, memoryTargetText(rs[0]))
	printMemorySetting(w, rs[0])
	head := []string{""}
	align := "l"
	for _, r := range rs {
		head = append(head, r.MethodTitle)
		align += "r"
	}
	rows := [][]string{head}
	add := func(label string, cell func(scale.Report) string) {
		row := []string{label}
		for _, r := range rs {
			row = append(row, cell(r))
		}
		rows = append(rows, row)
	}
	add("rank", func(r scale.Report) string { return memoryRankNumber(r) })
	add("trainable parameters", func(r scale.Report) string { return text.Count(r.Params.Trainable) })
	add("trainable %", func(r scale.Report) string { return memoryPercent(r.Params.TrainablePercent) })
	add("frozen adapter numbers", func(r scale.Report) string { return text.Count(r.Params.FrozenAdapter) })
	for _, row := range memoryParts {
		add(row.label, func(r scale.Report) string { return text.Bytes(row.get(r.Bytes)) })
	}
	memoryTable(w, rows, align)
	printMemoryAssumptions(w, rs)
}

// printMemoryVary prints one row per value of the varied setting and method.
func printMemoryVary(w io.Writer, rs []scale.Report, varied string) {
	var titles []string
	for _, r := range rs {
		if !slices.Contains(titles, r.MethodTitle) {
			titles = append(titles, r.MethodTitle)
		}
	}
	fmt.Fprintf(w, "%s on %s against %s: targets %s\n", strings.Join(titles, ", "), rs[0].Model.Name, varied, memoryTargetText(rs[0]))
	printMemorySetting(w, rs[0])
	rows := [][]string{{varied, "method", "trainable", "trainable %", "frozen", "weights+grads+optimizer", "activations", "total"}}
	for _, r := range rs {
		v := map[string]string{"rank": memoryRankNumber(r), "batch": fmt.Sprint(r.Batch), "seq": fmt.Sprint(r.Seq)}[varied]
		b := r.Bytes
		rows = append(rows, []string{v, r.MethodTitle, text.Count(r.Params.Trainable), memoryPercent(r.Params.TrainablePercent),
			text.Bytes(b.FrozenBase + b.FrozenAdapter), text.Bytes(b.Trainable + b.Gradients + b.Optimizer + b.Other),
			text.Bytes(b.ActivationsNetwork + b.ActivationsMethod), text.Bytes(b.Total)})
	}
	memoryTable(w, rows, "rlrrrrrr")
	printMemoryAssumptions(w, rs)
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
	fmt.Fprintf(w, "batch %s × seq %s = %s tokens · base %s · adapters %s · compute %s · %s · checkpointing %s\n\n",
		text.Count(int64(r.Batch)), text.Count(int64(r.Seq)), text.Count(int64(r.Tokens)), r.DType, r.AdapterDType, r.ComputeDType, r.Optimizer, ckpt)
}

// printMemoryAssumptions prints every distinct assumption of the reports, wrapped.
func printMemoryAssumptions(w io.Writer, rs []scale.Report) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "assumptions:")
	var seen []string
	for _, r := range rs {
		for _, a := range r.Assumptions {
			if slices.Contains(seen, a) {
				continue
			}
			seen = append(seen, a)
			for i, line := range memoryWrap(a, 96) {
				prefix := "  - "
				if i > 0 {
					prefix = "    "
				}
				fmt.Fprintln(w, prefix+line)
			}
		}
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
func memoryPercent(p float64) string {
	return strconv.FormatFloat(p, 'g', 4, 64) + " %"
}

// memoryTable writes rows as aligned columns two spaces apart; align has one
// letter per column, l (left) or r (right). The first row is the header.
func memoryTable(w io.Writer, rows [][]string, align string) {
	widths := map[int]int{}
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-len([]rune(cell)))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(align) && align[i] == 'r' {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// memoryWrap breaks s into lines of at most width runes at spaces.
func memoryWrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > width {
			lines = append(lines, line)
			line = word
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
