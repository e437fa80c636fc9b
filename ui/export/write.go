package export

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
	"github.com/loralab/loralab/lab/tasks"
	"github.com/loralab/loralab/lab/tasks/charlm"
	"github.com/loralab/loralab/ui/share"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = template.Must(template.ParseFS(templateFiles, "templates/*.tmpl"))

// PEFTFiles and TorchFiles name the files every export of each kind
// writes. Both add adapter_config.json where PEFT has the method (not for
// full fine-tuning); Torch adds tensors/*.npy.
var (
	PEFTFiles  = []string{"train.py", "README.md", "loralab.json"}
	TorchFiles = []string{"train.py", "experiment.json", "README.md"}
)

// PEFT writes the PEFT export of job into the new folder dir:
// adapter_config.json (none for full fine-tuning, which needs no adapter),
// train.py, README.md and loralab.json. It refuses a dir that exists and
// an invalid job, model or targets, with one line naming the value.
func PEFT(dir string, job lab.Job, opts Options) error {
	files, err := peftFiles(job, opts)
	if err != nil {
		return err
	}
	return writeDir(dir, func(tmp string) error { return writeAll(tmp, files) })
}

// Torch writes the torch export of job into the new folder dir: it traces
// the run (builds it and trains it, as `loralab run` would, recording every
// step), then writes experiment.json, tensors/*.npy, train.py, README.md
// and, where PEFT has the method, adapter_config.json for the toy model.
func Torch(ctx context.Context, dir string, job lab.Job, opts Options) error {
	files, err := torchFiles(ctx, job, opts)
	if err != nil {
		return err
	}
	return writeDir(dir, func(tmp string) error { return writeAll(tmp, files) })
}

// Both writes the PEFT export into dir/peft and the torch export into
// dir/torch, the new folder dir appearing at once with both.
func Both(ctx context.Context, dir string, job lab.Job, opts Options) error {
	pf, err := peftFiles(job, opts)
	if err != nil {
		return err
	}
	tf, err := torchFiles(ctx, job, opts)
	if err != nil {
		return err
	}
	return writeDir(dir, func(tmp string) error {
		if err := writeAll(filepath.Join(tmp, "peft"), pf); err != nil {
			return err
		}
		return writeAll(filepath.Join(tmp, "torch"), tf)
	})
}

// file is one file of an export: its path inside the folder and its bytes.
type file struct {
	name string
	data []byte
}

func writeAll(dir string, files []file) error {
	for _, f := range files {
		if err := writeFile(dir, f.name, f.data); err != nil {
			return err
		}
	}
	return nil
}

// prepared checks the job and returns it resolved, with its method's spec
// and the command line that reproduces it.
func prepared(job lab.Job, opts Options) (lab.Job, spec, string, error) {
	job, err := lab.Prepare(job)
	if err != nil {
		return job, spec{}, "", err
	}
	sp, err := specOf(job.Method, job.Config)
	if err != nil {
		return job, sp, "", err
	}
	cmd := opts.Command
	if cmd == "" {
		cat := lab.Catalog{Methods: adapters.All(), Tasks: tasks.All()}
		cmd = share.Command(cat, share.Experiment{Kind: "run", Methods: []string{job.Config.Method}, Config: job.Config})
	}
	return job, sp, cmd, nil
}

func render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func jsonIndent(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// peftData fills peft_train.py.tmpl and peft_readme.md.tmpl.
type peftData struct {
	Title, Form, Command        string
	Model, ModelID              string // as a Python literal; as it is
	PEFT, LoRAPlus, LoRAFA      bool
	FrozenA, Delta, VeRA, DoRA  bool
	LR, WeightDecay, Ratio      string
	Alpha, DeltaRatio           string
	Scheduler, Schedule         string
	Warmup, Steps, Rank         int
	DeltaStart, Batch, TaskRank int
	ToyLayers                   int
	Seed                        uint64
	DtypeExpr, DefaultDtype     string
	DtypeText, ToyModel         string
	TargetsText                 string
	Rows                        [][3]string
	Notes                       []string
}

func peftFiles(job lab.Job, opts Options) ([]file, error) {
	if err := CheckModel(opts.model()); err != nil {
		return nil, err
	}
	if err := CheckTargets(opts.targets()); err != nil {
		return nil, err
	}
	job, sp, cmd, err := prepared(job, opts)
	if err != nil {
		return nil, err
	}
	cfg, info := job.Config, sp.info
	model, task := opts.model(), "CAUSAL_LM"
	var files []file
	conf, ok, err := adapterConfig(sp, cfg, &model, &task, targetList(opts.targets()))
	if err != nil {
		return nil, err
	}
	if ok {
		files = append(files, file{"adapter_config.json", conf})
	}
	d := peftData{
		Title: info.Title, Form: peftForm(sp), Command: cmd, Model: pyString(model), ModelID: model,
		PEFT: ok, LoRAPlus: sp.opt == loraPlusOpt, LoRAFA: sp.opt == loraFAOpt, FrozenA: sp.frozenA, Delta: sp.delta,
		VeRA: sp.layer == vectors, DoRA: sp.useDoRA,
		LR: py(cfg.LR), WeightDecay: py(cfg.WeightDecay), Scheduler: pyString(scheduleHF(cfg.Schedule)), Schedule: cfg.Schedule,
		Warmup: cfg.Warmup, Steps: cfg.Steps, Seed: cfg.Seed, Rank: cfg.Rank, Alpha: py(cfg.Alpha),
		Batch: cfg.Batch, TaskRank: tasks.TaskRank.Int(cfg), ToyLayers: len(job.Task.Layers(cfg, info.TrainsBase)),
		DtypeExpr:    `("bfloat16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "float32")`,
		DefaultDtype: "bfloat16 on a GPU that has it, else float32",
		DtypeText:    "bfloat16 on a GPU that has it (float32 otherwise; `--dtype` chooses)",
		ToyModel:     toyModel(job),
	}
	if sp.opt == loraPlusOpt {
		d.Ratio = py(adapters.LRRatio.Float(cfg))
	}
	if sp.delta {
		d.DeltaRatio, d.DeltaStart = py(adapters.DeltaRatio.Float(cfg)), adapters.DeltaStart.Int(cfg)
		d.DtypeExpr, d.DefaultDtype = `"float32"`, "float32: Delta-LoRA writes W, which must stay in full precision"
		d.DtypeText = "float32 (Delta-LoRA writes W, which must stay in full precision; `--dtype` can override it)"
	}
	if t := opts.targets(); t == DefaultTargets {
		d.TargetsText = "every linear layer but the output head (PEFT's `all-linear`)"
	} else {
		d.TargetsText = "the modules named " + "`" + strings.ReplaceAll(t, ",", "`, `") + "`"
	}
	d.Rows, d.Notes = peftRows(sp, cfg, opts), peftNotes(sp, cfg)
	py, err := render("peft_train.py.tmpl", d)
	if err != nil {
		return nil, err
	}
	readme, err := render("peft_readme.md.tmpl", d)
	if err != nil {
		return nil, err
	}
	settings, err := jsonIndent(struct {
		Command string     `json:"command"`
		Title   string     `json:"title"`
		Config  lab.Config `json:"config"`
	}{cmd, info.Title, cfg})
	if err != nil {
		return nil, err
	}
	return append(files, file{"train.py", py}, file{"README.md", readme}, file{"loralab.json", settings}), nil
}

// peftRows maps the lab's settings to PEFT's and transformers' names.
func peftRows(sp spec, cfg lab.Config, opts Options) [][3]string {
	rows := [][3]string{{"--method " + cfg.Method, "", peftForm(sp)}}
	if sp.info.UsesRank() {
		rows = append(rows, [3]string{"--rank", "r", fmt.Sprint(cfg.Rank)})
	}
	if sp.info.UsesAlpha() {
		rows = append(rows, [3]string{"--alpha", "lora_alpha", py(cfg.Alpha)}, [3]string{"--rslora", "use_rslora", fmt.Sprint(cfg.RSLoRA)})
	}
	if sp.useDoRA {
		rows = append(rows, [3]string{"", "use_dora", "true"})
	}
	if sp.pissa {
		rows = append(rows, [3]string{"", "init_lora_weights", `"` + adapters.PEFTInit + `"`})
	}
	if sp.layer == vectors {
		rows = append(rows, [3]string{"--" + adapters.DInit.Name, "d_initial", py(adapters.DInit.Float(cfg))},
			[3]string{"--seed", "projection_prng_key", fmt.Sprint(cfg.Seed)})
	}
	if sp.peftType != "" {
		rows = append(rows, [3]string{"", "target_modules", opts.targets() + " (the lab adapts every linear layer)"})
	}
	rows = append(rows,
		[3]string{"--lr", "learning_rate", py(cfg.LR)},
		[3]string{"--schedule", "lr_scheduler_type", scheduleHF(cfg.Schedule)},
		[3]string{"--warmup", "num_warmup_steps", fmt.Sprint(cfg.Warmup)},
		[3]string{"--steps", "max_steps", fmt.Sprint(cfg.Steps)},
		[3]string{"--weight-decay", "weight_decay", py(cfg.WeightDecay)},
		[3]string{"--seed", "seed", fmt.Sprint(cfg.Seed)})
	switch {
	case sp.opt == loraPlusOpt:
		rows = append(rows, [3]string{"--" + adapters.LRRatio.Name, "loraplus_lr_ratio", py(adapters.LRRatio.Float(cfg))})
	case sp.opt == loraFAOpt:
		rows = append(rows, [3]string{"--" + adapters.Projected.Name, "create_lorafa_optimizer", "true"})
	case sp.frozenA:
		rows = append(rows, [3]string{"--" + adapters.Projected.Name, "(create_lorafa_optimizer not used)", "false"})
	case sp.delta:
		rows = append(rows, [3]string{"--" + adapters.DeltaRatio.Name, "DELTA_RATIO (train.py)", py(adapters.DeltaRatio.Float(cfg))},
			[3]string{"--" + adapters.DeltaStart.Name, "DELTA_START (train.py)", fmt.Sprint(adapters.DeltaStart.Int(cfg))})
	}
	return rows
}

// peftNotes are the method's differences between the lab and PEFT.
func peftNotes(sp spec, cfg lab.Config) []string {
	var notes []string
	switch {
	case sp.opt == loraFAOpt:
		notes = append(notes, "**LoRA-FA's optimiser.** PEFT's `create_lorafa_optimizer` uses ε = 1e-6 (the lab 1e-8), applies weight decay after the step (the lab before it, as torch's AdamW) and computes the projection under bfloat16 autocast when the GPU has bfloat16.")
	case sp.frozenA:
		notes = append(notes, "**LoRA-FA.** The lab ran plain AdamW on B with A frozen, as `train.py` does; PEFT's LoRA-FA optimiser also projects B's gradient (the lab's `--lorafa-projected`).")
	case sp.delta:
		notes = append(notes, "**Delta-LoRA is not in PEFT.** `train.py` trains a plain LoRA adapter and moves each adapted layer's base weight by hand after every step past K (marked in the script); `save_pretrained` saves only the adapter, not the moved base weights (`model.get_base_model().save_pretrained` does).")
	case sp.pissa:
		notes = append(notes, "**PiSSA.** PEFT replaces each adapted base weight by its residual W − s·B·A when the adapter is made; saving the adapter alone is not enough to rebuild the model (PEFT's docs: `path_initial_model_for_weight_conversion`).")
	case sp.layer == vectors:
		notes = append(notes, "**VeRA.** PEFT draws the shared pair from `projection_prng_key` with torch's generator, so its random numbers are not the lab's; `save_projection` keeps them in the saved adapter.")
	case sp.peftType == "":
		notes = append(notes, "**Full fine-tuning** of a real model needs the memory of every weight four times over (itself, its gradient, AdamW's two moments): `loralab memory` shows how much.")
	}
	if sp.useDoRA && adapters.Exact.Bool(cfg) {
		notes = append(notes, "**DoRA's norm.** The lab ran `--dora-exact` (the row norm differentiated); PEFT always treats it as a constant, so `train.py` trains the detached variant.")
	}
	if sp.info.UsesAlpha() && cfg.Alpha != float64(cfg.Rank) {
		notes = append(notes, fmt.Sprintf("**Scaling.** %s, as the lab's.", scalingText(sp.info, cfg)))
	}
	return notes
}

// toyModel names the lab's network in a few words.
func toyModel(job lab.Job) string {
	if m := job.Task.Info().Explain.Model; m != nil {
		return "the " + job.Task.Info().Title + " task's network (" + m(job.Config) + ")"
	}
	return "the " + job.Task.Info().Title + " task's network"
}

// torchData fills torch_train.py.tmpl and torch_readme.md.tmpl.
type torchData struct {
	Title, TaskTitle, Command         string
	LR, Scaling, ScalingText          string
	WeightDecay, Schedule, ScheduleHF string
	Warmup, Steps, Batch, EvalEvery   int
	DivergenceFactor                  string
	Activation, ActivationName        string
	LowRank, VeRA, Magnitude, Dense   bool
	FrozenA, Projected, PiSSA, Delta  bool
	Exact, PEFT                       bool
	DeltaRatio                        string
	DeltaStart                        int
	ToyModel, LayerNames              string
	// The charlm transformer's shape (CharLM), as charlm.Shape gives it.
	CharLM                                        bool
	Vocab, Context, Width, Depth, Heads, MLPRatio int
	LayerNormEps, Targets                         string
}

// torchActivations are the lab's activations in PyTorch.
var torchActivations = map[string]string{"tanh": "torch.tanh", "relu": "torch.relu", "identity": "(lambda x: x)"}

// tensorEntry is one tensor in experiment.json.
type tensorEntry struct {
	Name        string  `json:"name"`
	File        string  `json:"file"`
	Shape       []int   `json:"shape"`
	Role        string  `json:"role"`
	Kind        string  `json:"kind"` // "base", "param", "frozen" or "data"
	Trainable   bool    `json:"trainable"`
	LRScale     float64 `json:"lr_scale"`
	WeightDecay bool    `json:"weight_decay"`
}

// vectorRoles are the roles whose tensors are vectors (written 1-D).
var vectorRoles = map[string]bool{"bias": true, "d": true, "b": true, "m": true, "gain": true, "text": true}

// torchNet is what the torch export knows of a task's network: the
// template of its train.py and what experiment.json says of it.
type torchNet struct {
	script     string       // the train.py template
	activation string       // the shift task's --activation; "" for the others
	loss       string       // "mse", "cross-entropy"
	batches    string       // what batches.npy holds, in words
	network    *networkJSON // the transformer's shape (charlm); nil for the shift task
}

// torchNetOf fills in d what train.py needs of job's network and returns
// the rest, or an error naming a task or setting the export does not know.
func torchNetOf(job lab.Job, d *torchData) (torchNet, error) {
	cfg := job.Config
	switch job.Task.(type) {
	case tasks.Shift:
		actName := tasks.Activation.Text(cfg)
		act, ok := torchActivations[actName]
		if !ok {
			return torchNet{}, fmt.Errorf("activation %s: the torch export does not know it", actName)
		}
		d.Activation, d.ActivationName = act, actName
		return torchNet{script: "torch_train.py.tmpl", activation: actName, loss: "mse",
			batches: "per step, the rows of train.X it trains on"}, nil
	case charlm.Task:
		c := charlm.Shape(cfg)
		d.CharLM, d.Vocab, d.Context, d.Width, d.Depth, d.Heads = true, c.Vocab, c.Context, c.Width, c.Depth, c.Heads
		d.MLPRatio, d.LayerNormEps, d.Targets = charlm.MLPRatio, py(nn.LayerNormEps), charlm.Targets.Text(cfg)
		return torchNet{script: "torch_charlm_train.py.tmpl", loss: "cross-entropy",
			batches: "per step, where each sequence's window starts in train.text (its inputs text[s:s+context], its targets text[s+1:s+context+1])",
			network: &networkJSON{Vocab: c.Vocab, Context: c.Context, Width: c.Width, Depth: c.Depth, Heads: c.Heads,
				MLPRatio: charlm.MLPRatio, LayerNormEps: nn.LayerNormEps, GELU: "tanh", Targets: d.Targets}}, nil
	}
	return torchNet{}, fmt.Errorf("task %s: the torch export knows the %s and %s tasks' networks, not this one",
		cfg.Task, tasks.Shift{}.Info().Name, charlm.Task{}.Info().Name)
}

func torchFiles(ctx context.Context, job lab.Job, opts Options) ([]file, error) {
	job, sp, cmd, err := prepared(job, opts)
	if err != nil {
		return nil, err
	}
	cfg, info := job.Config, sp.info
	scaling := 1.0
	if info.UsesAlpha() {
		scaling = lab.Scale(cfg)
	}
	d := torchData{
		Title: info.Title, TaskTitle: job.Task.Info().Title, Command: cmd,
		LR: py(cfg.LR), Scaling: py(scaling), ScalingText: scalingText(info, cfg), WeightDecay: py(cfg.WeightDecay),
		Schedule: pyString(cfg.Schedule), ScheduleHF: cfg.Schedule, Warmup: cfg.Warmup, Steps: cfg.Steps,
		Batch: cfg.Batch, EvalEvery: cfg.EvalEvery, DivergenceFactor: py(cfg.DivergenceFactor),
		LowRank: sp.layer == lowRank, VeRA: sp.layer == vectors, Magnitude: sp.layer == magnitude, Dense: sp.layer == dense,
		FrozenA: sp.frozenA, Projected: sp.opt == loraFAOpt, PiSSA: sp.pissa, Delta: sp.delta,
		Exact: sp.useDoRA && adapters.Exact.Bool(cfg), ToyModel: toyModel(job),
	}
	if sp.delta {
		d.DeltaRatio, d.DeltaStart = py(adapters.DeltaRatio.Float(cfg)), adapters.DeltaStart.Int(cfg)
	}
	net, err := torchNetOf(job, &d)
	if err != nil {
		return nil, err
	}
	snap, err := lab.Trace(ctx, job)
	if err != nil {
		return nil, err
	}
	var files []file
	var entries []tensorEntry
	add := func(x lab.Tensor, kind string, trainable bool, lrScale float64, decay bool) error {
		shape := []int{x.Mat.Rows, x.Mat.Cols}
		if x.Mat.Rows == 1 && vectorRoles[x.Role] {
			shape = shape[1:]
		}
		data := make([]float64, 0, x.Mat.Len())
		for i := 0; i < x.Mat.Rows; i++ {
			data = append(data, x.Mat.Row(i)...)
		}
		var b bytes.Buffer
		if err := writeNPY(&b, shape, data); err != nil {
			return err
		}
		name := "tensors/" + x.Name + ".npy"
		files = append(files, file{name, b.Bytes()})
		entries = append(entries, tensorEntry{Name: x.Name, File: name, Shape: shape, Role: x.Role, Kind: kind, Trainable: trainable, LRScale: lrScale, WeightDecay: decay})
		return nil
	}
	// A tensor that trains is written once, as a param: a full fine-tuning's
	// base weights and (charlm) the embedding and norms are its parameters.
	trained := map[string]bool{}
	for _, p := range snap.Params {
		trained[p.Name] = true
	}
	for _, x := range snap.Base {
		if !trained[x.Name] {
			if err := add(x, "base", false, 0, false); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range snap.Params {
		if err := add(p.Tensor, "param", true, p.LRScale, p.WeightDecay); err != nil {
			return nil, err
		}
	}
	for _, group := range []struct {
		kind string
		xs   []lab.Tensor
	}{{"frozen", snap.Frozen}, {"data", snap.Data}} {
		for _, x := range group.xs {
			if trained[x.Name] {
				continue
			}
			if err := add(x, group.kind, false, 0, false); err != nil {
				return nil, err
			}
		}
	}
	var rows []int
	for _, b := range snap.Batches {
		rows = append(rows, b...)
	}
	var b bytes.Buffer
	if err := writeNPYInt(&b, []int{len(snap.Batches), cfg.Batch}, rows); err != nil {
		return nil, err
	}
	files = append(files, file{"tensors/batches.npy", b.Bytes()})

	var names []string
	for _, s := range snap.Layers {
		names = append(names, s.Name)
	}
	d.LayerNames = strings.Join(names, ", ")
	conf, hasPEFT, err := adapterConfig(sp, cfg, nil, nil, names)
	if err != nil {
		return nil, err
	}
	if hasPEFT {
		files = append(files, file{"adapter_config.json", conf})
	}
	d.PEFT = hasPEFT
	exp := experiment{
		Format: "loralab-torch-export/1", Command: cmd,
		Method:     nameTitle{cfg.Method, info.Title},
		Task:       nameTitle{cfg.Task, job.Task.Info().Title},
		Model:      toyModel(job),
		Settings:   cfg,
		Scaling:    scaling,
		Activation: net.activation,
		Network:    net.network,
		Loss:       net.loss,
		Layers:     snap.Layers,
		Optimizer:  optimizerJSON{Name: "AdamW", LR: cfg.LR, Betas: [2]float64{lab.AdamBeta1, lab.AdamBeta2}, Eps: lab.AdamEps, WeightDecay: cfg.WeightDecay},
		Schedule:   scheduleJSON{Kind: cfg.Schedule, Warmup: cfg.Warmup, Steps: cfg.Steps},
		Tensors:    entries,
		Batches:    batchesJSON{File: "tensors/batches.npy", Shape: []int{len(snap.Batches), cfg.Batch}, Holds: net.batches},
		Expected:   expectedJSON{Status: string(snap.Status), Reason: snap.Reason},
	}
	for _, x := range snap.Train {
		exp.Expected.Train = append(exp.Expected.Train, lab.JSONNumber(x))
	}
	forgets := false
	for _, e := range snap.Eval {
		exp.Expected.Eval = append(exp.Expected.Eval, [2]any{e.Step, lab.JSONNumber(e.Loss)})
		forgets = forgets || e.Forget != 0
	}
	if forgets { // the task measures forgetting (Metrics.Forget is 0 where it does not)
		for _, e := range snap.Eval {
			exp.Expected.Forget = append(exp.Expected.Forget, [2]any{e.Step, lab.JSONNumber(e.Forget)})
		}
	}
	ej, err := jsonIndent(exp)
	if err != nil {
		return nil, err
	}
	files = append(files, file{"experiment.json", ej})
	script, err := render(net.script, d)
	if err != nil {
		return nil, err
	}
	readme, err := render("torch_readme.md.tmpl", d)
	if err != nil {
		return nil, err
	}
	return append(files, file{"train.py", script}, file{"README.md", readme}), nil
}

// experiment is experiment.json.
type experiment struct {
	Format     string        `json:"format"`
	Command    string        `json:"command"`
	Method     nameTitle     `json:"method"`
	Task       nameTitle     `json:"task"`
	Model      string        `json:"model"`
	Settings   lab.Config    `json:"settings"`
	Scaling    float64       `json:"scaling"`
	Activation string        `json:"activation,omitempty"` // the shift task's
	Network    *networkJSON  `json:"network,omitempty"`    // the charlm task's transformer
	Loss       string        `json:"loss"`
	Layers     []lab.Shape   `json:"layers"`
	Optimizer  optimizerJSON `json:"optimizer"`
	Schedule   scheduleJSON  `json:"schedule"`
	Tensors    []tensorEntry `json:"tensors"`
	Batches    batchesJSON   `json:"batches"`
	Expected   expectedJSON  `json:"expected"`
}

type nameTitle struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

type optimizerJSON struct {
	Name        string     `json:"name"`
	LR          float64    `json:"lr"`
	Betas       [2]float64 `json:"betas"`
	Eps         float64    `json:"eps"`
	WeightDecay float64    `json:"weight_decay"`
}

type scheduleJSON struct {
	Kind   string `json:"kind"`
	Warmup int    `json:"warmup"`
	Steps  int    `json:"steps"`
}

type batchesJSON struct {
	File  string `json:"file"`
	Shape []int  `json:"shape"`
	Holds string `json:"holds"`
}

// networkJSON is the charlm transformer's shape and pieces in experiment.json.
type networkJSON struct {
	Vocab        int     `json:"vocab"`
	Context      int     `json:"context"`
	Width        int     `json:"width"`
	Depth        int     `json:"depth"`
	Heads        int     `json:"heads"`
	MLPRatio     int     `json:"mlp_ratio"`
	LayerNormEps float64 `json:"layer_norm_eps"`
	GELU         string  `json:"gelu"` // "tanh": GPT-2's approximation (lab/nn/gelu.go)
	Targets      string  `json:"targets"`
}

type expectedJSON struct {
	Train  []*float64 `json:"train_loss"`
	Eval   [][2]any   `json:"eval_loss"`
	Forget [][2]any   `json:"forget_loss,omitempty"` // the loss on the pretraining text's held-out split, where the task measures it
	Status string     `json:"status"`
	Reason string     `json:"reason,omitempty"`
}
