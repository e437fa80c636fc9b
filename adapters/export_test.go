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
