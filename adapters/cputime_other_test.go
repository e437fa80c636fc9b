//go:build !unix

package adapters_test

// cpuSeconds is not measured here: the per-CPU-second rates are left out.
func cpuSeconds() float64 { return 0 }
