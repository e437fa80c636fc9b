package cli

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// memoryFlag is --memory: the bytes the runs trained at once may hold
// together (0: lab.DefaultMemoryBudget).
type memoryFlag struct{ bytes *int64 }

func (f memoryFlag) String() string {
	if f.bytes == nil || *f.bytes == 0 {
		return ""
	}
	return strconv.FormatInt(*f.bytes, 10)
}

// Set reads a size with a unit: 512MiB, 4GiB, 1.5G, 8GB (GB means GiB, as
// the memory calculator reads sizes).
func (f memoryFlag) Set(s string) error {
	m := memSizeRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return fmt.Errorf("memory %q: give a size with a unit, e.g. 512MiB or 4GiB", s)
	}
	x, err := strconv.ParseFloat(m[1], 64)
	shift := map[string]uint{"k": 10, "m": 20, "g": 30, "t": 40}[m[2]]
	bytes := x * math.Ldexp(1, int(shift))
	if err != nil || !(bytes >= 1<<20) || bytes > 1<<50 {
		return fmt.Errorf("memory %s: must be between 1 MiB and 1 PiB", s)
	}
	*f.bytes = int64(bytes)
	return nil
}

var memSizeRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([kmgt])(?:i?b)?$`)

// memoryHelp is --memory's help line.
const memoryHelp = "the most the runs trained at once may hold together, e.g. 4GiB (default: half the memory available); runs beyond it wait their turn"
