//go:build amd64 && !purego

package kernel

import "golang.org/x/sys/cpu"

var (
	avx512Variant = &variant{name: "avx512", kind: kindAVX512, mr: 8, nr: 16, mrN: 16}
	avx2Variant   = &variant{name: "avx2", kind: kindAVX2, mr: 4, nr: 8}
)

// available lists the variants this CPU runs, fastest first. x/sys/cpu
// reports AVX-512 only when the operating system saves the ZMM state too.
func available() []*variant {
	var vs []*variant
	if cpu.X86.HasAVX512F {
		vs = append(vs, avx512Variant)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		vs = append(vs, avx2Variant)
	}
	return append(vs, gonumVariant)
}
