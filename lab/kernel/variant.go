package kernel

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// EnvVar is the environment variable that forces a variant at start-up.
const EnvVar = "LORALAB_KERNEL"

// kind identifies how a variant computes.
type kind int

const (
	kindGonum  kind = iota // gonum's blas64 and math.Tanh
	kindAVX2               // 256-bit FMA assembly
	kindAVX512             // 512-bit FMA assembly
)

// variant is one implementation of the package's operations and the tile
// shapes its driver uses.
type variant struct {
	name string
	kind kind
	mr   int // rows of the main tile
	nr   int // columns of the main tile (and of a packed panel)
	mrN  int // rows of the narrow (8-column) tile; 0 if the variant has none
}

// rowAlign is the row granularity of a split between threads: a multiple of
// every variant's tile rows, so a split never changes which tile computes
// an element.
const rowAlign = 16

// blockK is the k-block: products with a longer k are summed in blocks of
// blockK, each block's tile update accumulating into C. 128 and 256 were
// measured equal on packed products; 128 is 10–15 % faster on products that
// pack B per call (its block then shares L1 with A's lines better).
const blockK = 128

var gonumVariant = &variant{name: "gonum", kind: kindGonum, mr: rowAlign, nr: 16}

// current is the variant in use.
var current atomic.Pointer[variant]

func init() { current.Store(choose(os.Getenv(EnvVar))) }

// choose returns the variant named by want (the value of EnvVar), or the
// fastest available one if want is empty or names none that runs here.
func choose(want string) *variant {
	want = strings.TrimSpace(want)
	for _, v := range available() {
		if v.name == want {
			return v
		}
	}
	return available()[0]
}

// Name returns the name of the variant in use: "avx512", "avx2" or "gonum".
func Name() string { return current.Load().name }

// Available returns the names of the variants this machine and build can
// run, fastest first; the last is always "gonum".
func Available() []string {
	var names []string
	for _, v := range available() {
		names = append(names, v.name)
	}
	return names
}

// Use switches to the named variant for every later call, returning an
// error if it is not available. It is meant for tests and benchmarks: call
// it while no product runs. Packed handles made under another variant are
// repacked on their next use.
func Use(name string) error {
	for _, v := range available() {
		if v.name == name {
			current.Store(v)
			return nil
		}
	}
	return fmt.Errorf("kernel %q: not available here; available: %s", name, strings.Join(Available(), ", "))
}

// panelShape returns, for a panel of w ≤ nr columns, the width it is laid
// out with (its packed row length) and the rows of its tile.
func (v *variant) panelShape(w int) (pw, mr int, narrow bool) {
	if v.mrN > 0 && w <= 8 {
		return 8, v.mrN, true
	}
	return v.nr, v.mr, false
}

// packOffset is where a pack keeps the block of panel p (nr columns wide)
// for rows k0 to k0+kb of op(B): blocks in the order the driver reads them,
// k block by k block, panel by panel, so a product streams the pack from
// start to end. Each block holds kb rows of the panel's width.
func packOffset(panels, nr, k0, kb, p int) int { return k0*panels*nr + p*kb*nr }
