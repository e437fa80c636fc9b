// Package export writes a lab experiment out for the outside world, in two
// forms:
//
//   - PEFT: a Hugging Face PEFT adapter_config.json for the method and its
//     settings, a short train.py that fine-tunes a real causal language model
//     with PEFT the same way (rank, α, targets, learning rates, schedule,
//     warmup, seed, steps), and a README of what differs from the toy.
//   - Torch: the toy experiment itself — base weights, teacher, data, the
//     batches of every step, the adapters' initial values, every setting and
//     the lab's loss history — as NumPy .npy files and JSON, with a PyTorch
//     script that trains the same model by autograd and compares its losses
//     with the lab's: an independent check of every hand-written backward pass.
//
// The method's PEFT form is chosen by its type (adapters.LoRA, …), so a new
// method gets an export only when this package learns it (TestEveryMethod
// fails until then). Files are written into a new folder, atomically.
package export

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// DefaultModel is the Hugging Face model train.py fine-tunes unless told
// otherwise: a small model of the Llama family (135M parameters).
const DefaultModel = "HuggingFaceTB/SmolLM2-135M"

// DefaultTargets is PEFT's name for "every linear layer but the output
// head": what the lab adapts in its toy (every linear layer).
const DefaultTargets = "all-linear"

// Options are the export's own settings, beside the run's.
type Options struct {
	// Model is the Hugging Face model id (or a local folder) train.py
	// fine-tunes (PEFT export); DefaultModel if empty.
	Model string
	// TargetModules are PEFT's target_modules: DefaultTargets, or module
	// names separated by commas ("q_proj,v_proj").
	TargetModules string
	// Command is the loralab command line that reproduces the run, quoted in
	// the files written (optional).
	Command string
}

func (o Options) model() string {
	if o.Model == "" {
		return DefaultModel
	}
	return o.Model
}

func (o Options) targets() string {
	if o.TargetModules == "" {
		return DefaultTargets
	}
	return o.TargetModules
}

var (
	hubName   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,94}[A-Za-z0-9])?$`)
	modName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)
	localPath = []string{"/", "./", "../", "~/"}
)

// CheckModel checks a --model value: a Hugging Face model id ("name" or
// "owner/name": letters, digits, '-', '_' and '.', at most 96 each, not
// starting or ending with '-' or '.', no "--" or "..") or a local folder
// (starting with /, ./, ../ or ~/). The error is one line naming the value.
func CheckModel(id string) error {
	for _, p := range localPath {
		if strings.HasPrefix(id, p) {
			return nil
		}
	}
	parts := strings.Split(id, "/")
	ok := len(parts) <= 2 && !strings.Contains(id, "--") && !strings.Contains(id, "..")
	for _, p := range parts {
		ok = ok && hubName.MatchString(p)
	}
	if !ok {
		return fmt.Errorf("model %q: not a Hugging Face model id (owner/name, each of letters, digits, '-', '_' and '.', e.g. %s) nor a local folder (starting with /, ./ or ../)", id, DefaultModel)
	}
	return nil
}

// CheckTargets checks a --target-modules value: "all-linear" or module
// names separated by commas. The error is one line naming the value.
func CheckTargets(s string) error {
	if s == DefaultTargets {
		return nil
	}
	for _, name := range strings.Split(s, ",") {
		if !modName.MatchString(name) {
			return fmt.Errorf("target-modules %q: give %s or module names separated by commas (e.g. q_proj,v_proj); %q is not a module name", s, DefaultTargets, name)
		}
	}
	return nil
}

// targetList is PEFT's target_modules as JSON: the string "all-linear" or
// a list of names.
func targetList(s string) any {
	if s == DefaultTargets {
		return s
	}
	return strings.Split(s, ",")
}

// optimizer names how train.py builds its optimiser.
type optimizer int

const (
	plainAdamW  optimizer = iota // torch.optim.AdamW over the trainable tensors
	loraPlusOpt                  // peft.optimizers.create_loraplus_optimizer
	loraFAOpt                    // peft.optimizers.create_lorafa_optimizer
)

// layerKind names the torch script's layer: how the adapted layer computes.
type layerKind int

const (
	lowRank   layerKind = iota // Y = X·Wᵀ + b + s·(X·Aᵀ)·Bᵀ
	vectors                    // VeRA's shared pair and two vectors
	magnitude                  // DoRA's normalised direction times m
	dense                      // W and b train
)

// spec is a method as PEFT and PyTorch know it.
type spec struct {
	info     lab.MethodInfo
	peftType string // "LORA" or "VERA"; "" where PEFT has no adapter (full fine-tuning)
	layer    layerKind
	useDoRA  bool
	pissa    bool
	frozenA  bool      // A stays at its random init (LoRA-FA)
	opt      optimizer // how train.py builds the optimiser
	delta    bool      // Delta-LoRA's hand-written update of W
}

// specOf returns the PEFT and PyTorch form of m, with its settings in cfg.
func specOf(m lab.Method, cfg lab.Config) (spec, error) {
	s := spec{info: m.Info(), peftType: "LORA"}
	switch m.(type) {
	case adapters.LoRA:
	case adapters.LoRAPlus:
		s.opt = loraPlusOpt
	case adapters.LoRAFA:
		s.frozenA = true
		if adapters.Projected.Bool(cfg) {
			s.opt = loraFAOpt
		}
	case adapters.DeltaLoRA:
		s.delta = true
	case adapters.DoRA:
		s.useDoRA, s.layer = true, magnitude
	case adapters.PiSSA:
		s.pissa = true
	case adapters.VeRA:
		s.peftType, s.layer = "VERA", vectors
	case adapters.Full:
		s.peftType, s.layer = "", dense
	default:
		return s, fmt.Errorf("method %s: the export does not know its PEFT form yet", s.info.Name)
	}
	return s, nil
}

// ErrWrite marks an export that failed while writing its files (a full
// disk, no permission): not a mistake in what was asked.
var ErrWrite = errors.New("cannot write")

// writeDir creates the new folder dir with the files fill writes into a
// temporary folder beside it, renamed to dir once complete: dir never holds
// a partial export. It refuses a dir that exists.
func writeDir(dir string, fill func(tmp string) error) error {
	if dir == "" {
		return errors.New("folder: give the name of a new folder")
	}
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("folder %s: already exists; give a new one", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("folder %s: %v", dir, err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return fmt.Errorf("folder %s: its parent %s does not exist", dir, parent)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("folder %s: %w in %s: %v", dir, ErrWrite, parent, err)
	}
	err = fill(tmp)
	if err == nil {
		err = os.Chmod(tmp, 0o755) // MkdirTemp makes it 0700
	}
	if err == nil {
		err = os.Rename(tmp, dir) // fails if dir appeared meanwhile, unless it is an empty folder
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("folder %s: %w: %v", dir, ErrWrite, err)
	}
	return nil
}

// writeFile writes data to dir/name (the folder is new: nothing to replace).
func writeFile(dir, name string, data []byte) error {
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// py writes x as a Python float literal that reads back exactly.
func py(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return `float("inf")`
	case math.IsInf(x, -1):
		return `float("-inf")`
	case math.IsNaN(x):
		return `float("nan")`
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// pyString writes s as a Python string literal.
func pyString(s string) string { return strconv.Quote(s) }
