package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/loralab/loralab/ui/export"
	"github.com/loralab/loralab/ui/share"
)

const exportIntro = `usage: loralab export peft DIR [run flags] [--model ID] [--target-modules LIST]
       loralab export torch DIR [run flags]

Write one run of the lab into the new folder DIR (never an existing one):

  peft   a PEFT adapter_config.json for the method and its settings, a train.py
         that fine-tunes a real Hugging Face model with PEFT the same way (rank,
         α, targets, learning rates, schedule, warmup, seed, steps) on a text
         file you name, and a README of what differs from the toy.
  torch  the toy experiment itself (base weights, data, batches, the adapters'
         initial values, every setting, the lab's loss history) as NumPy .npy
         files and JSON, and a train.py that trains the same model with
         PyTorch autograd and compares its losses with the lab's: on either
         task (--task), the shift task's MLP with its teacher or the character
         model's transformer with its texts' windows.

The run flags are loralab run's (loralab export peft --help lists them).
Exit status: 0 written, 1 could not write, 2 bad flags or values.`

// runExport is `loralab export peft|torch DIR [flags]`.
func runExport(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			fmt.Fprintln(stderr, "loralab export: say what to write: loralab export peft DIR or loralab export torch DIR (see loralab export --help)")
			return exitUsage
		}
		fmt.Fprintln(stdout, exportIntro)
		return exitOK
	}
	kind := args[0]
	if kind != "peft" && kind != "torch" {
		fmt.Fprintf(stderr, "loralab export: %q: the exports are peft and torch (see loralab export --help)\n", kind)
		return exitUsage
	}
	cmd := "export " + kind
	f := newExportFlags(cmd)
	model := f.fs.String("model", export.DefaultModel, "the Hugging Face model `ID` (or local folder) train.py fine-tunes (peft)")
	targets := f.fs.String("target-modules", export.DefaultTargets, "PEFT's target_modules: all-linear, or module `names` separated by commas (peft)")
	rest := args[1:]
	dir := ""
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		dir, rest = rest[0], rest[1:]
	}
	if err := f.parse(rest, stdout, exportIntro); err == errHelp {
		return exitOK
	} else if err != nil {
		return usageError(stderr, cmd, err)
	}
	if dir == "" {
		return usageError(stderr, cmd, fmt.Errorf("name the new folder first: loralab %s DIR [flags]", cmd))
	}
	if kind == "torch" && (f.given["model"] || f.given["target-modules"]) {
		return usageError(stderr, cmd, errors.New("--model and --target-modules are for loralab export peft; the torch export is the toy itself"))
	}
	if err := export.CheckModel(*model); err != nil {
		return usageError(stderr, cmd, err)
	}
	if err := export.CheckTargets(*targets); err != nil {
		return usageError(stderr, cmd, err)
	}
	if _, err := os.Lstat(dir); err == nil {
		return usageError(stderr, cmd, fmt.Errorf("folder %s: already exists; give a new one", dir))
	}
	method := f.cfg.Method
	if f.preset != nil && !f.given["method"] && len(f.preset.Methods) > 0 {
		method = f.preset.Methods[0]
	}
	m, err := catalog.Method(method)
	if err != nil {
		return usageError(stderr, cmd, err)
	}
	cfg, err := f.configFor(method)
	if err != nil {
		return usageError(stderr, cmd, err)
	}
	job, err := jobFor(m, cfg)
	if err != nil {
		return usageError(stderr, cmd, err)
	}
	opts := export.Options{Model: *model, TargetModules: *targets,
		Command: share.Command(catalog, share.Experiment{Kind: "run", Methods: []string{method}, Config: cfg, Preset: f.presetArgs(), Given: f.givenSettings()})}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if kind == "peft" {
		err = export.PEFT(dir, job, opts)
	} else {
		err = export.Torch(ctx, dir, job, opts)
	}
	if err != nil {
		if errors.Is(err, export.ErrWrite) || errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "loralab %s: %s\n", cmd, oneLine(err.Error()))
			return exitFailed
		}
		return usageError(stderr, cmd, err)
	}
	printExported(stdout, kind, dir)
	return exitOK
}

// newExportFlags declares the run's settings and the preset flags (no
// output flags: an export writes files, not results).
func newExportFlags(cmd string) *runFlags {
	f := &runFlags{fs: flag.NewFlagSet("loralab "+cmd, flag.ContinueOnError), cfg: catalog.Defaults()}
	f.fs.SetOutput(io.Discard)
	for _, s := range catalog.Settings() {
		f.fs.Var(settingFlag{s, &f.cfg}, s.Name, s.Help)
	}
	f.fs.StringVar(&f.presetName, "preset", "", "start from the preset called `NAME` (loralab presets lists them); flags override it")
	f.fs.StringVar(&f.presetFile, "preset-file", "", "start from the preset in `FILE`; flags override it")
	return f
}

// printExported lists the files written and what to run next.
func printExported(w io.Writer, kind, dir string) {
	var files []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, e.Name())
		}
	}
	if n, _ := filepath.Glob(filepath.Join(dir, "tensors", "*.npy")); len(n) > 0 {
		files = append(files, fmt.Sprintf("tensors/ (%d .npy files)", len(n)))
	}
	fmt.Fprintf(w, "wrote %s: %s\n", dir, strings.Join(files, ", "))
	script := filepath.Join(dir, "train.py")
	if kind == "peft" {
		fmt.Fprintf(w, "next: pip install torch transformers peft; python3 %s --dataset YOUR_TEXT_FILE\n", script)
		return
	}
	fmt.Fprintf(w, "next: python3 %s   (needs torch and numpy; prints the loss history and its distance from the lab's)\n", script)
}
