package adapters

import "github.com/loralab/loralab/lab"

// Test-only views into the layers' unexported state.

// FrozenA returns layer i's frozen A of a LoRA-FA model (for tests and the UI).
func FrozenA(a lab.Adapted) *lab.Mat {
	if l, ok := a.(*loraFALayer); ok {
		return l.a
	}
	return nil
}

// VeRAShared returns the A and B views a VeRA layer uses (for tests and the UI).
func VeRAShared(a lab.Adapted) (A, B *lab.Mat) {
	if l, ok := a.(*veraLayer); ok {
		return l.sharedA, l.sharedB
	}
	return nil, nil
}

// FixDoRANorm makes a DoRA layer keep its row norm n from the last forward
// pass instead of forming it again: the detached gradient is then the exact
// gradient of the loss at that fixed norm, which finite differences can check.
func FixDoRANorm(a lab.Adapted, fixed bool) {
	if l, ok := a.(*doraLayer); ok {
		l.fixedNorm = fixed
	}
}
