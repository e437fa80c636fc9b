package scale

import (
	"fmt"
	"strings"
)

// CalibrationInfo says what the calculator's peak was checked against: real
// training steps measured on a GPU (testdata/measure.py, whose output is
// testdata/measured.json). TestMeasuredPeaks recomputes every number here
// from that file and fails if the claim is not true.
type CalibrationInfo struct {
	GPU, Torch, Transformers, PEFT string // where and with what the steps were measured
	// Runs measured cases were used to build the activation model; the
	// predicted peak of every one is within WithinPercent of its measured peak.
	Runs          int
	WithinPercent float64
	// HeldOut further cases were kept out of the model's making (chosen by a
	// hash of their names before anything was fitted); every one is within
	// HeldOutWithinPercent.
	HeldOut              int
	HeldOutWithinPercent float64
}

// Calibration is the check of this calculator against measured training
// steps, over the cases whose methods LoRA Lab has. Llama-family models only
// (Llama, Mistral, Qwen2); GPT-2 and BERT were not measured.
var Calibration = CalibrationInfo{
	GPU: "NVIDIA H200", Torch: "2.11", Transformers: "5.17", PEFT: "0.21",
	Runs: 165, WithinPercent: 1.9, HeldOut: 52, HeldOutWithinPercent: 0.8,
}

// String is the one line the tables and the lab show.
func (c CalibrationInfo) String() string {
	return fmt.Sprintf("peak checked against %d measured training steps on an %s (PyTorch %s, transformers %s, PEFT %s): within %.1f %%; %d held-out steps: within %.1f %%",
		c.Runs, c.GPU, c.Torch, c.Transformers, c.PEFT, c.WithinPercent, c.HeldOut, c.HeldOutWithinPercent)
}

// checked says what an estimate for model was checked against.
func checked(m Model) string {
	if m.Arch != Llama {
		return fmt.Sprintf("not measured: %s-style blocks keep the calculator's earlier activation model (the peak was checked on Llama-family models only)", m.Arch)
	}
	return Calibration.String()
}

// Short is the line in a few words, for narrow screens: "peak within 1.9 %
// of 165 measured H200 steps (52 held out: 0.8 %)".
func (c CalibrationInfo) Short() string {
	return fmt.Sprintf("peak within %.1f %% of %d measured %s steps (%d held out: %.1f %%)",
		c.WithinPercent, c.Runs, strings.TrimPrefix(c.GPU, "NVIDIA "), c.HeldOut, c.HeldOutWithinPercent)
}

// CheckedShort says in a few words what an estimate for m was checked
// against: Calibration.Short, or that its architecture was not measured.
func CheckedShort(m Model) string {
	if m.Arch != Llama {
		return fmt.Sprintf("not measured: %s-style blocks (the peak was checked on Llama-family models)", m.Arch)
	}
	return Calibration.Short()
}
