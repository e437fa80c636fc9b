//go:build amd64 && !purego

#include "textflag.h"

// Packing routines (AVX-512): they copy blocks of a matrix into the
// contiguous layouts the micro-kernels read. Strides are in elements.

// func packN(dst *float64, pw int, src *float64, lds int, rows int)
//
// Copies rows of pw = 8 or 16 contiguous numbers: dst[p·pw + j] = src[p·lds + j]
// for p < rows, j < pw. Registers: DI dst; SI src; R8 lds in bytes;
// R9 pw in bytes; CX rows left; Z0, Z1 one row.
TEXT ·packN(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ pw+8(FP), R9
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R8
	MOVQ rows+32(FP), CX
	SHLQ $3, R8
	SHLQ $3, R9
	TESTQ CX, CX
	JEQ  ndone
	CMPQ R9, $128
	JEQ  n16

n8:
	VMOVUPD (SI), Z0
	VMOVUPD Z0, (DI)
	ADDQ    R8, SI
	ADDQ    R9, DI
	DECQ    CX
	JNZ     n8
	JMP     ndone

n16:
	VMOVUPD (SI), Z0
	VMOVUPD 64(SI), Z1
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	ADDQ    R8, SI
	ADDQ    R9, DI
	DECQ    CX
	JNZ     n16

ndone:
	VZEROUPPER
	RET

// func packT(dst *float64, pw int, src *float64, lds int, kb int, groups int)
//
// Copies a transposed block: dst[p·pw + j] = src[j·lds + p] for p < kb
// (a multiple of 8) and j < 8·groups, in 8 × 8 blocks transposed in
// registers. Registers:
//	SI  &src[8g·lds + p0] (rows 0–3 of the block: SI, SI+R9, SI+2·R9, SI+R10)
//	R11 the same for rows 4–7;  R9 lds in bytes; R10 3·lds in bytes
//	DI  &dst[p0·pw + 8g] (rows 0–3: DI, DI+R12, DI+2·R12, DI+R13); R14 rows 4–7
//	R12 pw in bytes; R13 3·pw in bytes; R8 8·pw in bytes (one block of dst rows)
//	CX  8-blocks left in this group; DX groups left; AX, BX the group's SI and DI
//	Z0–Z7  the block's rows; Z8–Z15 after unpacking pairs; Z16–Z23 after
//	the first 128-bit lane shuffle; the columns come out in Z0–Z7 again.
TEXT ·packT(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), BX
	MOVQ pw+8(FP), R12
	MOVQ src+16(FP), AX
	MOVQ lds+24(FP), R9
	MOVQ groups+40(FP), DX
	SHLQ $3, R9
	SHLQ $3, R12
	LEAQ (R9)(R9*2), R10
	LEAQ (R12)(R12*2), R13
	MOVQ R12, R8
	SHLQ $3, R8
	TESTQ DX, DX
	JEQ  tdone

tgroup:
	MOVQ kb+32(FP), CX
	SHRQ $3, CX
	MOVQ AX, SI
	MOVQ BX, DI
	LEAQ (SI)(R9*4), R11
	LEAQ (DI)(R12*4), R14
	TESTQ CX, CX
	JEQ  tnext

tblock:
	VMOVUPD (SI), Z0
	VMOVUPD (SI)(R9*1), Z1
	VMOVUPD (SI)(R9*2), Z2
	VMOVUPD (SI)(R10*1), Z3
	VMOVUPD (R11), Z4
	VMOVUPD (R11)(R9*1), Z5
	VMOVUPD (R11)(R9*2), Z6
	VMOVUPD (R11)(R10*1), Z7

	// pairs: Z8 = r0[0] r1[0] r0[2] r1[2] …, Z9 = r0[1] r1[1] r0[3] r1[3] …
	VUNPCKLPD Z1, Z0, Z8
	VUNPCKHPD Z1, Z0, Z9
	VUNPCKLPD Z3, Z2, Z10
	VUNPCKHPD Z3, Z2, Z11
	VUNPCKLPD Z5, Z4, Z12
	VUNPCKHPD Z5, Z4, Z13
	VUNPCKLPD Z7, Z6, Z14
	VUNPCKHPD Z7, Z6, Z15

	// 128-bit lanes, rows 0–3: Z16 = columns 0 and 4 of rows 0–3, Z17 = 2 and 6,
	// Z18 = 1 and 5, Z19 = 3 and 7; Z20–Z23 the same for rows 4–7.
	VSHUFF64X2 $0x88, Z10, Z8, Z16
	VSHUFF64X2 $0xDD, Z10, Z8, Z17
	VSHUFF64X2 $0x88, Z11, Z9, Z18
	VSHUFF64X2 $0xDD, Z11, Z9, Z19
	VSHUFF64X2 $0x88, Z14, Z12, Z20
	VSHUFF64X2 $0xDD, Z14, Z12, Z21
	VSHUFF64X2 $0x88, Z15, Z13, Z22
	VSHUFF64X2 $0xDD, Z15, Z13, Z23

	// columns: Zc = column c of the block, rows 0–7
	VSHUFF64X2 $0x88, Z20, Z16, Z0
	VSHUFF64X2 $0xDD, Z20, Z16, Z4
	VSHUFF64X2 $0x88, Z21, Z17, Z2
	VSHUFF64X2 $0xDD, Z21, Z17, Z6
	VSHUFF64X2 $0x88, Z22, Z18, Z1
	VSHUFF64X2 $0xDD, Z22, Z18, Z5
	VSHUFF64X2 $0x88, Z23, Z19, Z3
	VSHUFF64X2 $0xDD, Z23, Z19, Z7

	VMOVUPD Z0, (DI)
	VMOVUPD Z1, (DI)(R12*1)
	VMOVUPD Z2, (DI)(R12*2)
	VMOVUPD Z3, (DI)(R13*1)
	VMOVUPD Z4, (R14)
	VMOVUPD Z5, (R14)(R12*1)
	VMOVUPD Z6, (R14)(R12*2)
	VMOVUPD Z7, (R14)(R13*1)

	ADDQ $64, SI
	ADDQ $64, R11
	ADDQ R8, DI
	ADDQ R8, R14
	DECQ CX
	JNZ  tblock

tnext:
	LEAQ (AX)(R9*8), AX // the next 8 rows of src
	ADDQ $64, BX        // the next 8 columns of dst
	DECQ DX
	JNZ  tgroup

tdone:
	VZEROUPPER
	RET
