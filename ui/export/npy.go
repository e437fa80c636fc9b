package export

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// The tensors of a torch export are NumPy .npy files (format version 1.0):
// a magic string, a header naming the dtype and the shape, then the numbers
// in C order. The format takes a page to write, numpy reads it natively
// (np.load, then torch.from_numpy) and it needs no Go module: a Go
// safetensors library would add a dependency, and safetensors a Python
// package that Debian's python3-torch does not bring.

// npyMagic starts every .npy file: \x93NUMPY, then major and minor version.
const npyMagic = "\x93NUMPY\x01\x00"

// writeNPY writes a float64 array of the given shape (row-major data) as a
// .npy file.
func writeNPY(w io.Writer, shape []int, data []float64) error {
	if err := npyHeader(w, "<f8", shape, len(data)); err != nil {
		return err
	}
	buf := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// writeNPYInt writes an int64 array of the given shape as a .npy file.
func writeNPYInt(w io.Writer, shape []int, data []int) error {
	if err := npyHeader(w, "<i8", shape, len(data)); err != nil {
		return err
	}
	buf := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(int64(v)))
	}
	_, err := w.Write(buf)
	return err
}

// npyHeader writes the magic string and the header: a Python dict literal,
// room for the first dimension to grow to 21 digits, and spaces up to a
// newline that ends the header so that the data starts at a multiple of 64
// bytes: byte for byte what numpy (1.24) writes.
func npyHeader(w io.Writer, descr string, shape []int, n int) error {
	count := 1
	dims := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: negative dimension in shape %v", shape)
		}
		count *= d
		dims[i] = fmt.Sprint(d)
	}
	if count != n {
		return fmt.Errorf("npy: shape %v holds %d numbers, not %d", shape, count, n)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += "," // a one-element tuple
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	if len(shape) > 0 {
		header += strings.Repeat(" ", max(0, npyGrowthDigits-len(dims[0])))
	}
	pad := 64 - (len(npyMagic)+2+len(header)+1)%64
	header += strings.Repeat(" ", pad) + "\n"
	if len(header) > math.MaxUint16 {
		return fmt.Errorf("npy: header of %d bytes is too long for format 1.0", len(header))
	}
	var lenBytes [2]byte
	binary.LittleEndian.PutUint16(lenBytes[:], uint16(len(header)))
	_, err := io.WriteString(w, npyMagic+string(lenBytes[:])+header)
	return err
}

// npyGrowthDigits is the room numpy leaves in a header for the first
// dimension to grow in place.
const npyGrowthDigits = 21
