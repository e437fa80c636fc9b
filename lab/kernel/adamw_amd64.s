//go:build amd64 && !purego

#include "textflag.h"

// AdamW over whole vectors, with the operations of adamwGo in its order,
// each rounded on its own (no FMA), so the bits match the Go code:
//
//	m ← (β1·m) + ((1−β1)·g)       v ← (β2·v) + (((1−β2)·g)·g)
//	θ ← (θ·Keep) − ((Rate·m) / ((√v·RootScale) + ε))
//
// The AdamWStep fields, 8 bytes each: Beta1+0 Beta2+8 Eps+16 Keep+24 Rate+32 RootScale+40.

// func adamw8(theta, grad, m, v *float64, n int, c *AdamWStep)
//
// AVX-512, 8 elements per iteration. Registers:
//	DI θ; SI the gradient; R8 m; R9 v; CX iterations left; R10 c
//	Z24 β1; Z25 1−β1; Z26 β2; Z27 1−β2; Z28 ε; Z29 Keep; Z30 Rate; Z31 RootScale
//	Z0 g; Z1 m; Z2 v; Z3 θ; Z4, Z5 products; Z6 the denominator; Z7 the step
TEXT ·adamw8(SB), NOSPLIT, $0-48
	MOVQ theta+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), R10
	SHRQ $3, CX
	JEQ  done8
	VBROADCASTSD 0(R10), Z24
	VBROADCASTSD 8(R10), Z26
	VBROADCASTSD 16(R10), Z28
	VBROADCASTSD 24(R10), Z29
	VBROADCASTSD 32(R10), Z30
	VBROADCASTSD 40(R10), Z31
	VBROADCASTSD ·one(SB), Z27
	VSUBPD       Z24, Z27, Z25 // 1 − β1
	VSUBPD       Z26, Z27, Z27 // 1 − β2

loop8:
	VMOVUPD (SI), Z0
	VMOVUPD (R8), Z1
	VMOVUPD (R9), Z2
	VMOVUPD (DI), Z3

	VMULPD  Z24, Z1, Z1 // β1·m
	VMULPD  Z25, Z0, Z4 // (1−β1)·g
	VADDPD  Z4, Z1, Z1  // m
	VMOVUPD Z1, (R8)

	VMULPD  Z26, Z2, Z2 // β2·v
	VMULPD  Z27, Z0, Z5 // (1−β2)·g
	VMULPD  Z0, Z5, Z5  // ·g
	VADDPD  Z5, Z2, Z2  // v
	VMOVUPD Z2, (R9)

	VSQRTPD Z2, Z6      // √v
	VMULPD  Z31, Z6, Z6 // ·RootScale
	VADDPD  Z28, Z6, Z6 // + ε
	VMULPD  Z30, Z1, Z7 // Rate·m
	VDIVPD  Z6, Z7, Z7  // / denominator
	VMULPD  Z29, Z3, Z3 // θ·Keep
	VSUBPD  Z7, Z3, Z3  // − step
	VMOVUPD Z3, (DI)

	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, DI
	DECQ CX
	JNZ  loop8

done8:
	VZEROUPPER
	RET

// func adamw4(theta, grad, m, v *float64, n int, c *AdamWStep)
//
// AVX2, 4 elements per iteration. Registers:
//	DI θ; SI the gradient; R8 m; R9 v; CX iterations left; R10 c
//	Y8 β1; Y9 1−β1; Y10 β2; Y11 1−β2; Y12 ε; Y13 Keep; Y14 Rate; Y15 RootScale
//	Y0 g; Y1 m; Y2 v; Y3 θ; Y4, Y5 products; Y6 the denominator; Y7 the step
TEXT ·adamw4(SB), NOSPLIT, $0-48
	MOVQ theta+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), R10
	SHRQ $2, CX
	JEQ  done4
	VBROADCASTSD 0(R10), Y8
	VBROADCASTSD 8(R10), Y10
	VBROADCASTSD 16(R10), Y12
	VBROADCASTSD 24(R10), Y13
	VBROADCASTSD 32(R10), Y14
	VBROADCASTSD 40(R10), Y15
	VBROADCASTSD ·one(SB), Y9
	VSUBPD       Y10, Y9, Y11 // 1 − β2
	VSUBPD       Y8, Y9, Y9   // 1 − β1

loop4:
	VMOVUPD (SI), Y0
	VMOVUPD (R8), Y1
	VMOVUPD (R9), Y2
	VMOVUPD (DI), Y3

	VMULPD  Y8, Y1, Y1
	VMULPD  Y9, Y0, Y4
	VADDPD  Y4, Y1, Y1
	VMOVUPD Y1, (R8)

	VMULPD  Y10, Y2, Y2
	VMULPD  Y11, Y0, Y5
	VMULPD  Y0, Y5, Y5
	VADDPD  Y5, Y2, Y2
	VMOVUPD Y2, (R9)

	VSQRTPD Y2, Y6
	VMULPD  Y15, Y6, Y6
	VADDPD  Y12, Y6, Y6
	VMULPD  Y14, Y1, Y7
	VDIVPD  Y6, Y7, Y7
	VMULPD  Y13, Y3, Y3
	VSUBPD  Y7, Y3, Y3
	VMOVUPD Y3, (DI)

	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, DI
	DECQ CX
	JNZ  loop4

done4:
	VZEROUPPER
	RET
