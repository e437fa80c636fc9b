package cli

import (
	"fmt"
	"math"
	"strconv"

	"github.com/loralab/loralab/lab"
)

// thousands formats n with commas: 1234567 → "1,234,567".
func thousands(n int64) string { return lab.Thousands(n) }

// humanBytes formats a byte count in binary units: 1536 → "1.5 KiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	for v /= unit; v >= unit && i < len(units)-1; v /= unit {
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// lossText formats a loss for tables: 4 significant digits, "—" when absent.
func lossText(x float64) string {
	if math.IsNaN(x) {
		return "NaN"
	}
	if math.IsInf(x, 0) {
		return "Inf"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// percent formats part/whole as a percentage with one decimal.
func percent(part, whole int64) string {
	if whole == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(part)/float64(whole))
}
