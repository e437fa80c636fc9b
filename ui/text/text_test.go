package text

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 512: "512 B", 1023: "1023 B", 1536: "1.5 KiB", 755712: "738 KiB",
		12_900_000: "12.3 MiB", 3 << 30: "3.0 GiB", -2048: "-2.0 KiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLosses(t *testing.T) {
	for x, want := range map[float64]string{0.0001092: "0.0001092", 0.2037: "0.2037", math.NaN(): "NaN", math.Inf(1): "Inf"} {
		if got := Loss(x); got != want {
			t.Errorf("Loss(%v) = %q, want %q", x, got, want)
		}
	}
	if got := Bits(1.6, "char"); got != "2.31 bits/char" {
		t.Errorf("Bits(1.6, char) = %q, want 2.31 bits/char (1.6/ln 2 = 2.308)", got)
	}
	for x, want := range map[float64]string{0.0123: "0.0123", 1.2e-5: "1.2e-05", 123.4: "123", math.NaN(): "—", math.Inf(-1): "-Inf", 0: "0"} {
		if got := ShortLoss(x); got != want || Width(got) > 7 {
			t.Errorf("ShortLoss(%v) = %q, want %q (≤ 7 cells)", x, got, want)
		}
	}
}

func TestCountsAndPercent(t *testing.T) {
	for v, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 20736: "20,736", 1234567: "1,234,567", -4096: "-4,096"} {
		if got := Count(v); got != want {
			t.Errorf("Count(%d) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[float64]string{950: "950", 4096: "4.1k", 12345: "12k", 1.3e6: "1.3M", -5: "-5"} {
		if got := ShortCount(v); got != want {
			t.Errorf("ShortCount(%v) = %q, want %q", v, got, want)
		}
	}
	for _, c := range []struct {
		part, whole int64
		want        string
	}{{4096, 20736, "19.8 %"}, {1280, 50688, "2.53 %"}, {1, 10000, "0.01 %"}, {5, 5, "100 %"}, {1, 0, "–"}} {
		if got := Percent(c.part, c.whole); got != c.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", c.part, c.whole, got, c.want)
		}
	}
}

func TestWidthFitWrap(t *testing.T) {
	if Width("\x1b[31m●\x1b[0m ab") != 4 || Width("中文") != 4 {
		t.Errorf("Width: %d, %d", Width("\x1b[31m●\x1b[0m ab"), Width("中文"))
	}
	if got := Fit("abcdef", 4); got != "abc…" {
		t.Errorf("Fit clip: %q", got)
	}
	if got := Fit("ab", 4); got != "ab  " || Fit("x", -1) != "" {
		t.Errorf("Fit pad: %q", got)
	}
	lines := Wrap("one two three four\n\nfive", 9)
	if strings.Join(lines, "|") != "one two|three|four||five" {
		t.Errorf("Wrap: %q", lines)
	}
	for _, l := range Wrap("a very long sentence that must wrap somewhere sensible", 12) {
		if Width(l) > 12 {
			t.Errorf("Wrap: line %q wider than 12", l)
		}
	}
	if got := Clip([]string{"aa", "bb", "cc"}, 2, 6); len(got) != 2 || got[1] != "bb cc " {
		t.Errorf("Clip: %q", got)
	}
	if got := Clip([]string{"aa", "bbbbbb", "cc"}, 2, 6); got[1] != "bbbbb…" {
		t.Errorf("Clip with cut: %q", got)
	}
}

func TestTable(t *testing.T) {
	got := Table([][]string{{"a", "num"}, {"long", "1"}}, map[int]bool{1: true}, true)
	want := "a     num\n─────────\nlong    1\n"
	if got != want {
		t.Errorf("Table:\n%s\nwant:\n%s", got, want)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "—", -time.Second: "—", 400 * time.Millisecond: "1 s", 42 * time.Second: "42 s", 12*time.Minute + 20*time.Second: "12 min",
		time.Hour: "1 hour", 4*time.Hour + 12*time.Minute: "4.2 hours", 47 * time.Hour: "47 hours",
		89 * 24 * time.Hour: "89 days", 400 * 24 * time.Hour: "400 days", 3 * 365 * 24 * time.Hour: "3 years",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestClockAndCountWord(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00", 1499 * time.Millisecond: "0:01", 75 * time.Second: "1:15",
		3599 * time.Second: "59:59", 3600 * time.Second: "1:00:00", 2*time.Hour + 3*time.Minute + 4*time.Second: "2:03:04"} {
		if got := Clock(d); got != want {
			t.Errorf("Clock(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int]string{0: "no", 1: "one", 6: "six", 12: "twelve", 13: "13", -1: "-1"} {
		if got := CountWord(n); got != want {
			t.Errorf("CountWord(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestShort(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want string
	}{{0.000054, "0.054 ms"}, {0.0047, "4.7 ms"}, {0.25, "250 ms"}, {0.0997, "100 ms"}, {4.04, "4.0 s"}} {
		if got := Short(c.s); got != c.want {
			t.Errorf("Short(%v) = %q, want %q", c.s, got, c.want)
		}
	}
}
