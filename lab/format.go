package lab

import (
	"strconv"
	"strings"
)

// Thousands formats n with commas between groups of three digits,
// 1234567 → "1,234,567": how counts of parameters and bytes are written
// everywhere LoRA Lab shows them (tables, explanations, error messages).
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
