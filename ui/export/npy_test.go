package export

import (
	"bytes"
	"encoding/hex"
	"math"
	"strings"
	"testing"
)

// TestNPYIsNumpys: the files are byte for byte what numpy 1.24's np.save
// writes for the same arrays (the expected bytes were made with it).
func TestNPYIsNumpys(t *testing.T) {
	header := func(shape string) string {
		dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (" + shape + "), }"
		return dict
	}
	cases := []struct {
		name  string
		write func(*bytes.Buffer) error
		dict  string
		data  string // hex
	}{
		{"2×3 floats", func(b *bytes.Buffer) error {
			return writeNPY(b, []int{2, 3}, []float64{1.5, -2, 3.25, 0, 1e-300, math.Copysign(0, -1)})
		}, header("2, 3"), "000000000000f83f00000000000000c00000000000000a40000000000000000059f3f8c21f6ea5010000000000000080"},
		{"int64 vector", func(b *bytes.Buffer) error { return writeNPYInt(b, []int{3}, []int{3, 1, 2}) },
			strings.Replace(header("3,"), "<f8", "<i8", 1), "030000000000000001000000000000000200000000000000"},
		{"one float", func(b *bytes.Buffer) error { return writeNPY(b, []int{1}, []float64{0.5}) }, header("1,"), "000000000000e03f"},
		{"empty", func(b *bytes.Buffer) error { return writeNPY(b, []int{0, 4}, nil) }, header("0, 4"), ""},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := b.Bytes()
		// numpy's header is 118 bytes here: the dict, spaces, a newline.
		want := append([]byte("\x93NUMPY\x01\x00v\x00"), []byte(c.dict)...)
		want = append(want, bytes.Repeat([]byte(" "), 128-len(want)-1)...)
		want = append(want, '\n')
		data, _ := hex.DecodeString(c.data)
		want = append(want, data...)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, want)
		}
	}
}

// TestNPYRefusesAWrongShape: the shape must hold exactly the numbers given.
func TestNPYRefusesAWrongShape(t *testing.T) {
	var b bytes.Buffer
	if err := writeNPY(&b, []int{2, 2}, []float64{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "holds 4 numbers, not 3") {
		t.Errorf("err = %v", err)
	}
	if err := writeNPYInt(&b, []int{-1}, nil); err == nil {
		t.Error("a negative dimension was accepted")
	}
}
