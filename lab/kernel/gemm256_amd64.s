//go:build amd64 && !purego

#include "textflag.h"

// The AVX2 + FMA micro-kernel, for x86 CPUs without AVX-512. It computes the
// same tile update as the AVX-512 kernels (see gemm512_amd64.s),
//
//	C[i, j] ← α·Σ_p A[i, p]·B[p, j] + β·C[i, j]      (β = 0: C is not read)
//
// with A[i, p] at a + i·rsa + p·csa and B[p, j] at b + p·ldb + j, strides in
// elements, and the final update exactly fma(acc, α, β·C).

// func kern4x8(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)
//
// A 4 × 8 tile: 8 accumulators of 4 lanes. Registers:
//	CX  k, counting down      SI  &A[0, p]; rows 1–3 at SI+R9, SI+2·R9, SI+R10
//	R9  rsa in bytes; R10 3·rsa in bytes; DI csa in bytes
//	BX  &B[p, 0]; DX ldb in bytes;  R8 &C[i, 0]; R12 ldc in bytes
//	Y0–Y7  accumulators: row i in Y(2i) (columns 0–3) and Y(2i+1) (columns 4–7)
//	Y8, Y9  B[p, 0:4] and B[p, 4:8];  Y10–Y13  A[i, p] broadcast, one per row
//	Y14  α;  Y15  β;  Y8–Y9 reused as scratch when storing
TEXT ·kern4x8(SB), NOSPLIT, $0-80
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

	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	TESTQ  CX, CX
	JEQ    store

loop:
	VMOVUPD      (BX), Y8
	VMOVUPD      32(BX), Y9
	VBROADCASTSD (SI), Y10
	VBROADCASTSD (SI)(R9*1), Y11
	VBROADCASTSD (SI)(R9*2), Y12
	VBROADCASTSD (SI)(R10*1), Y13
	VFMADD231PD  Y8, Y10, Y0
	VFMADD231PD  Y9, Y10, Y1
	VFMADD231PD  Y8, Y11, Y2
	VFMADD231PD  Y9, Y11, Y3
	VFMADD231PD  Y8, Y12, Y4
	VFMADD231PD  Y9, Y12, Y5
	VFMADD231PD  Y8, Y13, Y6
	VFMADD231PD  Y9, Y13, Y7
	ADDQ         DI, SI
	ADDQ         DX, BX
	DECQ         CX
	JNZ          loop

store:
	VBROADCASTSD alpha+64(FP), Y14
	MOVQ         beta+72(FP), AX
	SHLQ         $1, AX                // drop the sign: β = ±0 leaves ZF set
	JEQ          store0

	VBROADCASTSD beta+72(FP), Y15

// ROWB(lo, hi): C[i, :] ← fma(acc, α, β·C[i, :]) for one row, then the next row.
#define ROWB(lo, hi) \
	VMULPD      (R8), Y15, Y8   \
	VMULPD      32(R8), Y15, Y9 \
	VFMADD231PD Y14, lo, Y8     \
	VFMADD231PD Y14, hi, Y9     \
	VMOVUPD     Y8, (R8)        \
	VMOVUPD     Y9, 32(R8)      \
	ADDQ        R12, R8

	ROWB(Y0, Y1)
	ROWB(Y2, Y3)
	ROWB(Y4, Y5)
	ROWB(Y6, Y7)
	VZEROUPPER
	RET

// ROW0(lo, hi): C[i, :] ← α·acc for one row (old C never read), then the next row.
#define ROW0(lo, hi) \
	VMULPD  Y14, lo, lo \
	VMULPD  Y14, hi, hi \
	VMOVUPD lo, (R8)    \
	VMOVUPD hi, 32(R8)  \
	ADDQ    R12, R8

store0:
	ROW0(Y0, Y1)
	ROW0(Y2, Y3)
	ROW0(Y4, Y5)
	ROW0(Y6, Y7)
	VZEROUPPER
	RET
