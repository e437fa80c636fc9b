//go:build unix

package adapters_test

import "syscall"

// cpuSeconds returns the CPU time the process has used (user + system), for
// rates per CPU-second that do not count time spent descheduled.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
