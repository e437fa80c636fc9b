// Package adapters implements the fine-tuning methods of LoRA Lab, one file
// per method, behind the lab.Method interface: full fine-tuning, LoRA,
// LoRA-FA, VeRA, Delta-LoRA, LoRA+, DoRA and PiSSA. Each file has the paper's equations
// next to the code that computes them, with shapes in the comments.
package adapters

import (
	"fmt"
	"strings"

	"github.com/loralab/loralab/lab"
)

// All returns every method in display order.
func All() []lab.Method {
	return []lab.Method{LoRA{}, LoRAFA{}, VeRA{}, DeltaLoRA{}, LoRAPlus{}, DoRA{}, PiSSA{}, Full{}}
}

// Names returns the flag names of every method, in display order.
func Names() []string {
	var names []string
	for _, m := range All() {
		names = append(names, m.Info().Name)
	}
	return names
}

// Lookup returns the method called name, or an error listing the methods.
func Lookup(name string) (lab.Method, error) {
	for _, m := range All() {
		if m.Info().Name == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("method %q: unknown; the methods are: %s", name, strings.Join(Names(), ", "))
}
