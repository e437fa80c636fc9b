// Package charlm is the character-level language model task: a tiny
// decoder-only transformer pretrained on Isaac Newton's Opticks and
// fine-tuned on a clearly different text (Go source code, or the user's own),
// so that a run shows the model's style switching as it learns.
//
// This file and vocab.go, split.go and usertext.go are the task's data: the
// embedded texts, the character vocabulary, the train and held-out splits and
// the batches. model.go and sample.go are the network and its sampler.
// weights.go, base.go and pretrain.go are the base model: its file format
// (float32 safetensors with metadata), the embedded file, and the
// pretraining that wrote it (the command is ./pretrain). task.go and
// network.go are the lab.Task and lab.Network: the settings, the targeted
// layers, the footprint, the held-out and forgetting losses, the samples.
package charlm

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"sync"
)

// The embedded texts; texts/README.md says where each comes from, under what
// licence, and the command that made it.
var (
	//go:embed texts/opticks.txt
	opticksText string
	//go:embed texts/go-source.txt
	goSourceText string
	//go:embed texts/LICENSE-go
	goLicense string
)

// GoLicense is the licence of the Go source code fine-tuning text (BSD-3-Clause,
// the Go Authors), which a binary that embeds the text must reproduce.
func GoLicense() string { return goLicense }

// Text is one encoded text with its deterministic train and held-out splits.
type Text struct {
	Name   string // "opticks", "go", or the user's file name
	Digest string // SHA-256 of the raw bytes, in hex: what a base model was trained on
	Tokens []int  // the text, one vocabulary id per character
	Train  Split  // about 90 % of the text
	Held   Split  // about 10 %, interleaved with Train (see SplitTokens)
}

// newText encodes content (which must be in v: the base texts are) and splits it.
func newText(name, content string, v *Vocab) *Text {
	ids, rep := v.Encode(content)
	if rep.Replaced+rep.Folded+rep.Dropped > 0 {
		panic("charlm: embedded text " + name + " is not in the base vocabulary: " + rep.String())
	}
	return assemble(name, content, ids)
}

func assemble(name, raw string, ids []int) *Text {
	sum := sha256.Sum256([]byte(raw))
	train, held := SplitTokens(ids)
	return &Text{Name: name, Digest: hex.EncodeToString(sum[:]), Tokens: ids, Train: train, Held: held}
}

var (
	baseVocab = sync.OnceValue(func() *Vocab { return NewVocab(opticksText, goSourceText) })
	opticks   = sync.OnceValue(func() *Text { return newText("opticks", opticksText, baseVocab()) })
	goSource  = sync.OnceValue(func() *Text { return newText("go", goSourceText, baseVocab()) })
)

// BaseVocab is the vocabulary of the base model: every character of both
// embedded texts, in code-point order (103 characters).
func BaseVocab() *Vocab { return baseVocab() }

// Opticks is the pretraining text, encoded and split (shared: read-only).
func Opticks() *Text { return opticks() }

// GoSource is the default fine-tuning text, encoded and split (shared: read-only).
func GoSource() *Text { return goSource() }
