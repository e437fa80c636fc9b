package presets

import (
	"testing"

	"github.com/loralab/loralab/lab"
)

// lessonSeeds are the seeds every claim of the text lessons is checked at.
var lessonSeeds = []uint64{1, 2, 3}

// textLessons are the checks of the presets on the character-level
// language model, each run at every seed of lessonSeeds.
var textLessons = map[string]func(t *testing.T, p Preset, rs []*lab.Result){}
