//go:build !amd64 || purego

package kernel

// measuredPeak has nothing to measure without assembly.
func measuredPeak() map[string]float64 { return nil }
