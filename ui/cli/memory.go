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
)

const memoryIntro = `usage: loralab memory --model NAME [--method M | --methods M1,M2:RANK,...] [flags]

What a fine-tuning method costs on a real model: trainable parameters, the
bytes of frozen weights, trainable weights, gradients, optimizer state and
activations kept for backward, and the predicted peak of a training step,
checked against measured PyTorch + PEFT training. The method's numbers come
from the same per-layer formula the toy engine's memory ledger is checked
against.

examples:
  loralab memory --model llama-2-7b --method lora --rank 8 --targets q,v
  loralab memory --model roberta-large --methods lora,lora-fa,vera:256
  loralab memory --model llama-3-8b --dtype 4bit --checkpointing --batch 4 --seq 2048
  loralab memory --model llama-2-7b --methods lora,vera --vary rank=1,8,64,256
  loralab memory --model llama-3.2-3b --methods lora,dora,full --gpu rtx-4090
  loralab memory --model llama-3.2-1b --gpu 24GB --solve seq
  loralab memory --config-file config.json --method vera --rank 256 --json
  loralab memory --list-models

Models: built-in (--list-models), a Hugging Face config.json (--config-file),
or a Llama-style shape from --layers --hidden --heads --mlp --vocab (which
also override a --model or --config-file shape). --methods takes NAME or
NAME:RANK; without a rank each method has its own default (PEFT's). Targets:
q, k, v, o, gate, up, down, module names (e.g. q_proj), or all-linear; full
fine-tuning trains every weight and ignores --targets. --gpu takes a card
(--list-gpus) or a size with a unit (24GB; GB means GiB, as cards are
labelled) and says whether each step fits; --solve seq or batch finds the
largest that fits. One JSON object for one estimate, an array for --methods
or --vary.`

// memoryFlags holds the parsed flags of loralab memory. Each value is parsed
// once, where its flag is set: the method settings by their lab.Setting (the
// settings table run, race and sweep use), the shape by scale.ModelSpec,
// dtypes and the optimizer by scale's parsers. Ranges and combinations are
// checked once, by scale.Estimate.
type memoryFlags struct {
	fs      *flag.FlagSet
	cfg     lab.Config      // the method settings: method, rank, α and each method's options
	spec    scale.ModelSpec // --model, --config-file and the shape fields
	opts    scale.Options   // batch, seq, dtypes, optimizer, checkpointing, precision
	targets string
	methods string
	vary    string
	gpu     string
	solve   string
	json    bool
	models  bool
	gpus    bool
	given   map[string]bool
}

// memoryJob is one estimate to make: a method with its options.
type memoryJob struct {
	method lab.Method
	opts   scale.Options
}

// memoryResult is one estimate with, given --gpu, its fit and, given
// --solve, the largest value that fits. Its JSON is the report's with "fit"
// and "solve" added.
type memoryResult struct {
	scale.Report
	Fit   *scale.Fit      `json:"fit,omitempty"`
	Solve *scale.Solution `json:"solve,omitempty"`
}

// memorySettings are the settings table's rows that describe a method: the
// method itself and every method's own settings (rank, α, LoRA-FA's
// projected gradient, DoRA's exact norm, ...), in the table's order. The
// common training settings (lr, steps, batch, ...) change no memory and are
// not offered; --batch here counts sequences.
func memorySettings() []lab.Setting {
	own := map[string]bool{"method": true}
	for _, m := range catalog.Methods {
		for _, s := range m.Info().Settings {
			own[s.Name] = true
		}
	}
	var out []lab.Setting
	for _, s := range catalog.Settings() {
		if own[s.Name] {
			out = append(out, s)
		}
	}
	return out
}

// dtypeFlag parses a dtype name into a scale.DType.
type dtypeFlag struct{ dst *scale.DType }

func (f dtypeFlag) String() string {
	if f.dst == nil {
		return ""
	}
	return string(*f.dst)
}

func (f dtypeFlag) Set(v string) (err error) { *f.dst, err = scale.ParseDType(v); return err }

// optimizerFlag parses an optimizer name into a scale.Optimizer.
type optimizerFlag struct{ dst *scale.Optimizer }

func (f optimizerFlag) String() string {
	if f.dst == nil {
		return ""
	}
	return string(*f.dst)
}

func (f optimizerFlag) Set(v string) (err error) { *f.dst, err = scale.ParseOptimizer(v); return err }

// shapeFlag sets one field of a model shape.
type shapeFlag struct {
	spec  *scale.ModelSpec
	field scale.ShapeField
}

func (f shapeFlag) String() string {
	if f.spec == nil {
		return ""
	}
	return f.spec.Shape(f.field.Name)
}

func (f shapeFlag) Set(v string) error { return f.spec.SetShape(f.field.Name, v) }

func (f shapeFlag) IsBoolFlag() bool { return f.field.Bool }

// newMemoryFlags declares the flags of loralab memory.
func newMemoryFlags() *memoryFlags {
	d := scale.DefaultOptions()
	f := &memoryFlags{fs: flag.NewFlagSet("loralab memory", flag.ContinueOnError), cfg: catalog.Defaults(), opts: d}
	f.fs.SetOutput(io.Discard)
	f.fs.StringVar(&f.spec.Name, "model", "", "built-in model `NAME` (see --list-models)")
	f.fs.StringVar(&f.spec.ConfigFile, "config-file", "", "read the model shape from a Hugging Face config.json `FILE`")
	for _, s := range memorySettings() {
		f.fs.Var(settingFlag{s, &f.cfg}, s.Name, s.Help)
	}
	f.fs.StringVar(&f.methods, "methods", "", "compare `methods` side by side, comma-separated, each NAME or NAME:RANK")
	f.fs.StringVar(&f.targets, "targets", strings.Join(d.Targets, ","), "adapted layers of every block: comma-separated `names`, or all-linear")
	f.fs.IntVar(&f.opts.Batch, "batch", d.Batch, "sequences per step")
	f.fs.IntVar(&f.opts.Seq, "seq", d.Seq, "tokens per sequence")
	f.fs.Var(dtypeFlag{&f.opts.DType}, "dtype", "frozen base weights: fp32, bf16, fp16, int8 or 4bit (QLoRA's NF4)")
	f.fs.Var(dtypeFlag{&f.opts.AdapterDType}, "adapter-dtype", "adapter weights and gradients: fp32, bf16 or fp16")
	f.fs.Var(dtypeFlag{&f.opts.ComputeDType}, "compute-dtype", "activations: fp32, bf16 or fp16 (default: --dtype, or bf16 for int8 and 4bit)")
	f.fs.Var(optimizerFlag{&f.opts.Optimizer}, "optimizer", "optimizer state: adamw (in the weights' dtype) or adamw-8bit")
	f.fs.BoolVar(&f.opts.Checkpointing, "checkpointing", false, "gradient checkpointing (one checkpoint per block)")
	f.fs.BoolVar(&f.opts.MasterWeights, "master-weights", false, "mixed precision with fp32 master weights for a base that trains (full fine-tuning): fp32 weights, gradients and AdamW state")
	f.fs.BoolVar(&f.opts.KbitPrepare, "kbit-prepare", false, "PEFT's prepare_model_for_kbit_training on an int8 or 4bit base: the parameters not quantised in fp32")
	f.fs.StringVar(&f.gpu, "gpu", "", "will it fit on this GPU: a `card` (--list-gpus) or a size with a unit, e.g. 24GB")
	f.fs.StringVar(&f.solve, "solve", "", "the largest `seq` or batch that fits on --gpu")
	f.fs.StringVar(&f.vary, "vary", "", "one row per value of rank, batch or seq, e.g. rank=1,8,64,256 (`SETTING=VALUES`)")
	f.fs.BoolVar(&f.json, "json", false, "print JSON instead of the table")
	f.fs.BoolVar(&f.models, "list-models", false, "list the built-in models and exit")
	f.fs.BoolVar(&f.gpus, "list-gpus", false, "list the named GPUs and the memory PyTorch sees on each, and exit")
	for _, sf := range scale.ShapeFields() {
		f.fs.Var(shapeFlag{&f.spec, sf}, sf.Name, sf.Help)
	}
	return f
}

// runMemory is `loralab memory`.
func runMemory(args []string, stdout, stderr io.Writer) int {
	f := newMemoryFlags()
	err := parseFlags(f.fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, f.fs, memoryIntro)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "memory", err)
	}
	if f.fs.NArg() > 0 {
		return usageError(stderr, "memory", fmt.Errorf("unexpected argument %q (flags start with --)", f.fs.Arg(0)))
	}
	f.given = map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })

	switch {
	case f.models:
		return memoryListModels(stdout, f.json)
	case f.gpus:
		return memoryListGPUs(stdout, f.json)
	}
	results, varied, err := f.estimate()
	if err != nil {
		return usageError(stderr, "memory", err)
	}
	if f.json {
		var v any = results
		if len(results) == 1 && varied == "" && f.methods == "" {
			v = results[0]
		}
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "loralab memory: %v\n", err)
			return exitFailed
		}
		stdout.Write(append(data, '\n')) // a failed write is Main's to report
		return exitOK
	}
	switch {
	case varied != "":
		printMemoryVary(stdout, results, varied)
	case len(results) == 1:
		printMemoryOne(stdout, results[0])
	default:
		printMemoryCompare(stdout, results)
	}
	return exitOK
}

// estimate resolves the model, the GPU and the jobs, and makes every
// estimate (with its fit and solution). It returns the varied setting's
// name, or "".
func (f *memoryFlags) estimate() ([]memoryResult, string, error) {
	model, err := f.spec.Resolve()
	if err != nil {
		return nil, "", err
	}
	var gpu *scale.GPU
	if f.gpu != "" || f.given["gpu"] {
		g, err := scale.ParseGPU(f.gpu)
		if err != nil {
			return nil, "", err
		}
		gpu = &g
	}
	solve := scale.Solvable(f.solve)
	switch {
	case f.solve == "" && !f.given["solve"]:
	case solve != scale.SolveSeq && solve != scale.SolveBatch:
		return nil, "", fmt.Errorf("solve %q: unknown; solve seq or batch", f.solve)
	case gpu == nil:
		return nil, "", fmt.Errorf("--solve %s needs --gpu: a card (%s) or a size, e.g. 24GB", f.solve, strings.Join(scale.GPUNames(), ", "))
	}
	jobs, varied, err := f.jobs()
	if err != nil {
		return nil, "", err
	}
	if solve != "" && varied == string(solve) {
		return nil, "", fmt.Errorf("--solve %s and --vary %s: choose one", solve, varied)
	}
	results := make([]memoryResult, len(jobs))
	for i, j := range jobs {
		r := &results[i]
		if r.Report, err = scale.Estimate(model, j.method, j.opts); err != nil {
			return nil, "", err
		}
		if gpu == nil {
			continue
		}
		fit := scale.CheckFit(r.Bytes.Peak, *gpu)
		r.Fit = &fit
		if solve != "" {
			s, err := scale.Solve(model, j.method, j.opts, *gpu, solve)
			if err != nil {
				return nil, "", err
			}
			r.Solve = &s
		}
	}
	if solve != "" {
		if err := nothingFits(results, *gpu, solve); err != nil {
			return nil, "", err
		}
	}
	return results, varied, nil
}

// nothingFits is the error of a solve where no estimate has a value that fits.
func nothingFits(rs []memoryResult, g scale.GPU, solve scale.Solvable) error {
	least, tight := rs[0], 0
	for _, r := range rs {
		if r.Solve.Fits > 0 {
			return nil
		}
		if r.Solve.LeastPeak < least.Solve.LeastPeak {
			least = r
		}
		tight = max(tight, r.Solve.Tight)
	}
	msg := fmt.Sprintf("solve %s: nothing fits on %s (%s usable): at %s 1 the smallest peak is %s (%s)",
		solve, g.Name, memoryBytes(g.Usable()), solve, memoryBytes(least.Solve.LeastPeak), least.MethodTitle)
	if tight > 0 {
		msg += fmt.Sprintf("; tight up to %s %d", solve, tight)
	}
	return errors.New(msg)
}

// jobs turns the method settings, --methods and --vary into the estimates
// to make. It returns the varied setting's name, or "".
func (f *memoryFlags) jobs() ([]memoryJob, string, error) {
	if f.given["method"] && f.given["methods"] {
		return nil, "", errors.New("--method and --methods: choose one")
	}
	base := f.opts
	base.Config = f.cfg
	base.Targets = nil
	for _, t := range strings.Split(f.targets, ",") {
		if t = strings.TrimSpace(t); t != "" {
			base.Targets = append(base.Targets, t)
		}
	}

	// Methods, each with its own rank if given as NAME:RANK, else --rank,
	// else the method's default.
	type entry struct {
		m    lab.Method
		rank int
	}
	list := f.cfg.Method
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
		name, rankText, hasRank := strings.Cut(item, ":")
		if seen[item] {
			return nil, "", fmt.Errorf("method %q listed twice", item)
		}
		seen[item] = true
		m, err := catalog.Method(name)
		if err != nil {
			return nil, "", err
		}
		e := entry{m, f.cfg.Rank}
		if hasRank {
			if e.rank, err = strconv.Atoi(rankText); err != nil {
				return nil, "", fmt.Errorf("methods %q: rank %q is not a whole number (use NAME or NAME:RANK)", item, rankText)
			}
		}
		if e.rank == 0 && !hasRank {
			e.rank = lab.Config{}.Resolve(m, nil).Rank // the method's default
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

// distinct returns the distinct values of f over rs, in order.
func distinct(rs []memoryResult, f func(memoryResult) []string) []string {
	var out []string
	for _, r := range rs {
		for _, s := range f(r) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
