package charlm

import (
	_ "embed"
	"errors"
	"sync"
)

// baseFile is the pretrained base model every charlm run fine-tunes:
// pretrained on Opticks by `go run ./lab/tasks/charlm/pretrain` with
// ShippedPretrain's settings, stored as float32 safetensors (weights.go).
//
//go:embed base/opticks.safetensors
var baseFile []byte

// base is the parsed and checked base model, once per process.
var base = sync.OnceValues(func() (*Weights, error) {
	w, err := ReadWeights(baseFile)
	if err != nil {
		return nil, err
	}
	if err := w.Check(BaseVocab()); err != nil {
		return nil, err
	}
	if w.Meta.TextSHA256 != Opticks().Digest {
		return nil, errBaseText
	}
	return w, nil
})

// errBaseText says the shipped weights were trained on another text than the embedded Opticks.
var errBaseText = errors.New("base model: trained on a text whose SHA-256 differs from the embedded Opticks: re-run the pretraining (go run ./lab/tasks/charlm/pretrain)")

// Base returns the shipped base model's weights (shared: read-only) or why
// they do not fit the code.
func Base() (*Weights, error) { return base() }
