// Package kernel computes the dense float64 products LoRA Lab's engine uses,
// fast, in pure Go plus Go assembly (no cgo), and the two elementwise loops
// that would otherwise dominate a fast step: tanh (Tanh) and the AdamW
// update (AdamW).
//
// # Products
//
// Gemm computes C ← α·op(A)·op(B) + β·C on row-major matrices, op(X) being X
// or Xᵀ, with leading dimensions (strides) that may exceed the row length.
// With β = 0 the old contents of C are never read (NaN there is ignored).
// GemmPacked is the same product with B taken from a Packed handle: a copy of
// a frozen matrix laid out for the micro-kernels, owned by the caller and
// repacked by the caller when the matrix changes. A Team splits one product
// over two threads; a nil *Team computes on the calling goroutine.
// Nothing allocates per call.
//
// # Variants
//
// The work is done by one of these variants, chosen once at start-up from
// the CPU's features (golang.org/x/sys/cpu):
//
//	avx512  amd64 assembly micro-kernels with 512-bit FMA: 8×16 tiles
//	        (16 accumulators), 16×8 tiles for products whose n is a rank ≤ 8
//	avx2    amd64 assembly with 256-bit FMA: 4×8 tiles
//	gonum   gonum's pure-Go BLAS (blas64.Gemm) and math.Tanh: other
//	        architectures, the purego build tag, and the reference
//
// The environment variable LORALAB_KERNEL=gonum|avx2|avx512 forces one (a
// variant this CPU cannot run is ignored: the best available is used). Name
// reports the variant in use; Available lists this machine's; Use switches
// (for tests and side-by-side benchmarks).
//
// # Numerics
//
// For a given variant, results are deterministic and do not depend on the
// number of threads, the split between them, or where a tile falls: every
// element of C is the same sequence of FMAs in k order, in blocks of 128,
// then fma(acc, α, β·C). Different variants sum in different orders and
// agree to rounding, not bit for bit.
//
// # Memory layout of a pack
//
// A Packed op(B) (k × n) is cut into column panels of the variant's tile
// width (16 for avx512, 8 for avx2; a last panel of 8 or fewer columns uses
// width 8 under avx512) and k blocks of 128 rows, stored in the order a
// product reads them: k block by k block, panel by panel, each block its
// rows contiguous, zero-padded past n.
package kernel
