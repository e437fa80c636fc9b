// Command pretrain trains the charlm task's base model on Newton's Opticks
// and writes its weights, the file the task embeds:
//
//	go run ./lab/tasks/charlm/pretrain
//
// With no flags it reproduces the shipped lab/tasks/charlm/base/opticks.safetensors
// (charlm.ShippedPretrain: the seed, shape, steps and schedule), on one core;
// the same toolchain and kernel give the same bytes. Flags change a setting
// (-steps 3 -out /tmp/x.safetensors for a quick check). It prints the
// held-out loss and a greedy sample every -eval-every steps.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/loralab/loralab/lab/tasks/charlm"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: exit status 0 when the file is written, 1 when
// training failed or was interrupted, 2 on bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := charlm.ShippedPretrain
	fs := flag.NewFlagSet("pretrain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", filepath.Join("lab", "tasks", "charlm", "base", "opticks.safetensors"), "the weights file to write")
	fs.IntVar(&s.Model.Context, "context", s.Model.Context, "positions per sequence")
	fs.IntVar(&s.Model.Width, "width", s.Model.Width, "width of the residual stream")
	fs.IntVar(&s.Model.Depth, "depth", s.Model.Depth, "transformer blocks")
	fs.IntVar(&s.Model.Heads, "heads", s.Model.Heads, "attention heads per block")
	fs.IntVar(&s.Model.Batch, "batch", s.Model.Batch, "sequences per step")
	fs.IntVar(&s.Steps, "steps", s.Steps, "optimiser steps")
	fs.Float64Var(&s.LR, "lr", s.LR, "peak learning rate (cosine schedule after the warmup)")
	fs.IntVar(&s.Warmup, "warmup", s.Warmup, "steps of linear warmup")
	fs.Float64Var(&s.WeightDecay, "weight-decay", s.WeightDecay, "AdamW decoupled weight decay")
	fs.Uint64Var(&s.Seed, "seed", s.Seed, "seed of the initialisation and the batches")
	fs.IntVar(&s.EvalEvery, "eval-every", s.EvalEvery, "steps between held-out losses and samples")
	fs.IntVar(&s.EvalWindows, "eval-windows", s.EvalWindows, "held-out windows measured")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pretrain: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	s.Model.Vocab = charlm.BaseVocab().Size()
	if err := s.Validate(); err != nil {
		fmt.Fprintf(stderr, "pretrain: %v\n", err)
		return 2
	}
	text := charlm.Opticks()
	fmt.Fprintf(stdout, "pretraining on %s (%d characters, sha256 %s)\n%s\n", text.Name, len(text.Tokens), text.Digest, s.Flags())
	m, meta, err := charlm.Pretrain(ctx, s, text, func(p charlm.PretrainProgress) {
		fmt.Fprintf(stdout, "step %5d  train %.4f  held-out %.4f nats (%.3f bits/char)  %5.0f s  %q\n",
			p.Step, p.Train, p.Held, p.Held/math.Ln2, p.Elapsed.Seconds(), p.Sample)
	})
	if err != nil {
		fmt.Fprintf(stderr, "pretrain: %v\n", err)
		return 1
	}
	var buf bytes.Buffer
	if err := charlm.WriteWeights(&buf, m, meta); err != nil {
		fmt.Fprintf(stderr, "pretrain: %v\n", err)
		return 1
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "pretrain: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d bytes; held-out %.4f nats (%.3f bits/char) after %d steps in %.0f s\n",
		*out, buf.Len(), meta.HeldLoss, meta.HeldLoss/math.Ln2, meta.Steps, meta.Seconds)
	return 0
}
