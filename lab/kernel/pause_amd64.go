//go:build amd64 && !purego

package kernel

// spinPause executes the PAUSE instruction n ≥ 1 times (pause_amd64.s).
//
//go:noescape
func spinPause(n int)
