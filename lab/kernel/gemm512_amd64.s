//go:build amd64 && !purego

#include "textflag.h"

// The AVX-512 micro-kernels. Each computes one register-blocked tile
//
//	C[i, j] ← α·Σ_p A[i, p]·B[p, j] + β·C[i, j]      (β = 0: C is not read)
//
// for p < k, where A[i, p] is at a + i·rsa + p·csa (so A and Aᵀ are read in
// place alike) and B[p, j] at b + p·ldb + j (rows of B contiguous: B in
// place, or a packed panel). Strides are in elements. The final update is
// exactly fma(acc, α, β·C), the same formula the Go edge path uses.
//
// Argument frame (80 bytes; kern8x16 adds pf+80):
//	k+0 a+8 rsa+16 csa+24 b+32 ldb+40 c+48 ldc+56 alpha+64 beta+72

// func kern8x16(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, pf uintptr)
//
// An 8 × 16 tile. It also prefetches k cache lines from pf on (the driver
// points it at the next block of a packed B, which would otherwise come
// from L3 at the first tile that uses it). Registers:
//	CX  k, counting down            SI  &A[0, p] (rows 0–3 are SI, SI+R9, SI+2·R9, SI+R10)
//	R11 &A[4, p] (rows 4–7 alike)   R9  rsa in bytes;  R10 3·rsa in bytes
//	DI  csa in bytes                BX  &B[p, 0];      DX ldb in bytes
//	R8  &C[i, 0];                   R12 ldc in bytes
//	R13 the next line to prefetch
//	Z0–Z15  accumulators: row i in Z(2i) (columns 0–7) and Z(2i+1) (columns 8–15)
//	Z16, Z17  B[p, 0:8] and B[p, 8:16]
//	Z18–Z25  A[i, p] broadcast, one per row
//	Z30  α;  Z31  β;  Z16–Z17 reused as scratch when storing
TEXT ·kern8x16(SB), NOSPLIT, $0-88
	MOVQ pf+80(FP), R13
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsa+16(FP), R9
	MOVQ csa+24(FP), DI
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), DX
	MOVQ c+48(FP), R8
	MOVQ ldc+56(FP), R12
	SHLQ $3, R9
	SHLQ $3, DI
	SHLQ $3, DX
	SHLQ $3, R12
	LEAQ (R9)(R9*2), R10
	LEAQ (SI)(R9*4), R11

	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	TESTQ  CX, CX
	JEQ    store

loop:
	VMOVUPD      (BX), Z16
	VMOVUPD      64(BX), Z17
	VBROADCASTSD (SI), Z18
	VBROADCASTSD (SI)(R9*1), Z19
	VBROADCASTSD (SI)(R9*2), Z20
	VBROADCASTSD (SI)(R10*1), Z21
	VFMADD231PD  Z16, Z18, Z0
	VFMADD231PD  Z17, Z18, Z1
	VFMADD231PD  Z16, Z19, Z2
	VFMADD231PD  Z17, Z19, Z3
	VBROADCASTSD (R11), Z22
	VBROADCASTSD (R11)(R9*1), Z23
	VFMADD231PD  Z16, Z20, Z4
	VFMADD231PD  Z17, Z20, Z5
	VFMADD231PD  Z16, Z21, Z6
	VFMADD231PD  Z17, Z21, Z7
	VBROADCASTSD (R11)(R9*2), Z24
	VBROADCASTSD (R11)(R10*1), Z25
	VFMADD231PD  Z16, Z22, Z8
	VFMADD231PD  Z17, Z22, Z9
	VFMADD231PD  Z16, Z23, Z10
	VFMADD231PD  Z17, Z23, Z11
	VFMADD231PD  Z16, Z24, Z12
	VFMADD231PD  Z17, Z24, Z13
	VFMADD231PD  Z16, Z25, Z14
	VFMADD231PD  Z17, Z25, Z15
	PREFETCHT0   (R13)
	ADDQ         $64, R13
	ADDQ         DI, SI
	ADDQ         DI, R11
	ADDQ         DX, BX
	DECQ         CX
	JNZ          loop

store:
	VBROADCASTSD alpha+64(FP), Z30
	MOVQ         beta+72(FP), AX
	SHLQ         $1, AX                // drop the sign: β = ±0 leaves ZF set
	JEQ          store0

	VBROADCASTSD beta+72(FP), Z31

// ROWB(lo, hi): C[i, :] ← fma(acc, α, β·C[i, :]) for one row, then the next row.
#define ROWB(lo, hi) \
	VMULPD      (R8), Z31, Z16   \
	VMULPD      64(R8), Z31, Z17 \
	VFMADD231PD Z30, lo, Z16     \
	VFMADD231PD Z30, hi, Z17     \
	VMOVUPD     Z16, (R8)        \
	VMOVUPD     Z17, 64(R8)      \
	ADDQ        R12, R8

	ROWB(Z0, Z1)
	ROWB(Z2, Z3)
	ROWB(Z4, Z5)
	ROWB(Z6, Z7)
	ROWB(Z8, Z9)
	ROWB(Z10, Z11)
	ROWB(Z12, Z13)
	ROWB(Z14, Z15)
	VZEROUPPER
	RET

// ROW0(lo, hi): C[i, :] ← α·acc for one row (old C never read), then the next row.
#define ROW0(lo, hi) \
	VMULPD  Z30, lo, lo  \
	VMULPD  Z30, hi, hi  \
	VMOVUPD lo, (R8)     \
	VMOVUPD hi, 64(R8)   \
	ADDQ    R12, R8

store0:
	ROW0(Z0, Z1)
	ROW0(Z2, Z3)
	ROW0(Z4, Z5)
	ROW0(Z6, Z7)
	ROW0(Z8, Z9)
	ROW0(Z10, Z11)
	ROW0(Z12, Z13)
	ROW0(Z14, Z15)
	VZEROUPPER
	RET

// func kern16x8(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)
//
// A 16 × 8 tile, for products whose n is the rank (8 columns or fewer):
// one 512-bit register per row, so 16 rows give 16 independent accumulators.
// Registers:
//	CX  k, counting down   R9 rsa in bytes; R10 3·rsa in bytes; DI csa in bytes
//	SI, R11, R13, R14  &A[0, p], &A[4, p], &A[8, p], &A[12, p]; each base
//	    reaches its four rows as base, base+R9, base+2·R9, base+R10
//	BX  &B[p, 0]; DX ldb in bytes;  R8 &C[i, 0]; R12 ldc in bytes
//	Z0–Z15  accumulators, row i in Zi;  Z16  B[p, 0:8]
//	A[i, p] is broadcast inside each FMA (embedded broadcast, .BCST)
//	Z30  α;  Z31  β;  Z16 scratch when storing
TEXT ·kern16x8(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsa+16(FP), R9
	MOVQ csa+24(FP), DI
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), DX
	MOVQ c+48(FP), R8
	MOVQ ldc+56(FP), R12
	SHLQ $3, R9
	SHLQ $3, DI
	SHLQ $3, DX
	SHLQ $3, R12
	LEAQ (R9)(R9*2), R10
	LEAQ (SI)(R9*4), R11
	LEAQ (R11)(R9*4), R13
	LEAQ (R13)(R9*4), R14

	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	TESTQ  CX, CX
	JEQ    nstore

nloop:
	VMOVUPD          (BX), Z16
	VFMADD231PD.BCST (SI), Z16, Z0
	VFMADD231PD.BCST (SI)(R9*1), Z16, Z1
	VFMADD231PD.BCST (SI)(R9*2), Z16, Z2
	VFMADD231PD.BCST (SI)(R10*1), Z16, Z3
	VFMADD231PD.BCST (R11), Z16, Z4
	VFMADD231PD.BCST (R11)(R9*1), Z16, Z5
	VFMADD231PD.BCST (R11)(R9*2), Z16, Z6
	VFMADD231PD.BCST (R11)(R10*1), Z16, Z7
	VFMADD231PD.BCST (R13), Z16, Z8
	VFMADD231PD.BCST (R13)(R9*1), Z16, Z9
	VFMADD231PD.BCST (R13)(R9*2), Z16, Z10
	VFMADD231PD.BCST (R13)(R10*1), Z16, Z11
	VFMADD231PD.BCST (R14), Z16, Z12
	VFMADD231PD.BCST (R14)(R9*1), Z16, Z13
	VFMADD231PD.BCST (R14)(R9*2), Z16, Z14
	VFMADD231PD.BCST (R14)(R10*1), Z16, Z15
	ADDQ             DI, SI
	ADDQ             DI, R11
	ADDQ             DI, R13
	ADDQ             DI, R14
	ADDQ             DX, BX
	DECQ             CX
	JNZ              nloop

nstore:
	VBROADCASTSD alpha+64(FP), Z30
	MOVQ         beta+72(FP), AX
	SHLQ         $1, AX
	JEQ          nstore0

	VBROADCASTSD beta+72(FP), Z31

// NROWB(acc): C[i, 0:8] ← fma(acc, α, β·C[i, 0:8]), then the next row.
#define NROWB(acc) \
	VMULPD      (R8), Z31, Z16 \
	VFMADD231PD Z30, acc, Z16  \
	VMOVUPD     Z16, (R8)      \
	ADDQ        R12, R8

	NROWB(Z0)
	NROWB(Z1)
	NROWB(Z2)
	NROWB(Z3)
	NROWB(Z4)
	NROWB(Z5)
	NROWB(Z6)
	NROWB(Z7)
	NROWB(Z8)
	NROWB(Z9)
	NROWB(Z10)
	NROWB(Z11)
	NROWB(Z12)
	NROWB(Z13)
	NROWB(Z14)
	NROWB(Z15)
	VZEROUPPER
	RET

// NROW0(acc): C[i, 0:8] ← α·acc, then the next row.
#define NROW0(acc) \
	VMULPD  Z30, acc, acc \
	VMOVUPD acc, (R8)     \
	ADDQ    R12, R8

nstore0:
	NROW0(Z0)
	NROW0(Z1)
	NROW0(Z2)
	NROW0(Z3)
	NROW0(Z4)
	NROW0(Z5)
	NROW0(Z6)
	NROW0(Z7)
	NROW0(Z8)
	NROW0(Z9)
	NROW0(Z10)
	NROW0(Z11)
	NROW0(Z12)
	NROW0(Z13)
	NROW0(Z14)
	NROW0(Z15)
	VZEROUPPER
	RET
