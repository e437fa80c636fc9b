//go:build amd64 && !purego

#include "textflag.h"

// Offsets into tanhConst.
#define ABSMASK 0
#define SIGNMASK 32
#define SMALL 64
#define CLAMP 96
#define LOG2E 128
#define LN2HI 160
#define LN2LO 192
#define MAGIC 224
#define ONE 256
#define TWO 288
#define P0 320
#define P1 352
#define P2 384
#define Q0 416
#define Q1 448
#define Q2 480
#define BIAS 512
#define C13 544
#define C12 576
#define C11 608
#define C10 640
#define C9 672
#define C8 704
#define C7 736
#define C6 768
#define C5 800
#define C4 832
#define C3 864
#define C2 896

// tanhConst: the constants of the vectorised tanh, each repeated 4 times
// (32 bytes) so AVX2 code can use them as memory operands and AVX-512 code
// can broadcast them (.BCST reads the first 8 bytes). Offsets:
//	   0  absmask   |x| mask
//	  32  signmask  sign bit
//	  64  small     0.625: below it, the rational form
//	  96  clamp     22: tanh is 1 in float64 from 19.1 on
//	 128  log2e     log₂e
//	 160  ln2hi     ln 2, high part (math.Exp's Ln2Hi)
//	 192  ln2lo     ln 2, low part (Ln2Lo)
//	 224  magic     1.5·2⁵²: adding it rounds to an integer in the low bits
//	 256  one       1
//	 288  two       2
//	 320  p0        math.Tanh's tanhP[0]
//	 352  p1        tanhP[1]
//	 384  p2        tanhP[2]
//	 416  q0        tanhQ[0]
//	 448  q1        tanhQ[1]
//	 480  q2        tanhQ[2]
//	 512  bias      the exponent bias, as an integer
//	 544  c13       1/13!
//	 576  c12       1/12!
//	 608  c11       1/11!
//	 640  c10       1/10!
//	 672  c9        1/9!
//	 704  c8        1/8!
//	 736  c7        1/7!
//	 768  c6        1/6!
//	 800  c5        1/5!
//	 832  c4        1/4!
//	 864  c3        1/3!
//	 896  c2        1/2!
DATA tanhConst<>+0(SB)/8, $0x7fffffffffffffff
DATA tanhConst<>+8(SB)/8, $0x7fffffffffffffff
DATA tanhConst<>+16(SB)/8, $0x7fffffffffffffff
DATA tanhConst<>+24(SB)/8, $0x7fffffffffffffff
DATA tanhConst<>+32(SB)/8, $0x8000000000000000
DATA tanhConst<>+40(SB)/8, $0x8000000000000000
DATA tanhConst<>+48(SB)/8, $0x8000000000000000
DATA tanhConst<>+56(SB)/8, $0x8000000000000000
DATA tanhConst<>+64(SB)/8, $0x3fe4000000000000
DATA tanhConst<>+72(SB)/8, $0x3fe4000000000000
DATA tanhConst<>+80(SB)/8, $0x3fe4000000000000
DATA tanhConst<>+88(SB)/8, $0x3fe4000000000000
DATA tanhConst<>+96(SB)/8, $0x4036000000000000
DATA tanhConst<>+104(SB)/8, $0x4036000000000000
DATA tanhConst<>+112(SB)/8, $0x4036000000000000
DATA tanhConst<>+120(SB)/8, $0x4036000000000000
DATA tanhConst<>+128(SB)/8, $0x3ff71547652b82fe
DATA tanhConst<>+136(SB)/8, $0x3ff71547652b82fe
DATA tanhConst<>+144(SB)/8, $0x3ff71547652b82fe
DATA tanhConst<>+152(SB)/8, $0x3ff71547652b82fe
DATA tanhConst<>+160(SB)/8, $0x3fe62e42fee00000
DATA tanhConst<>+168(SB)/8, $0x3fe62e42fee00000
DATA tanhConst<>+176(SB)/8, $0x3fe62e42fee00000
DATA tanhConst<>+184(SB)/8, $0x3fe62e42fee00000
DATA tanhConst<>+192(SB)/8, $0x3dea39ef35793c76
DATA tanhConst<>+200(SB)/8, $0x3dea39ef35793c76
DATA tanhConst<>+208(SB)/8, $0x3dea39ef35793c76
DATA tanhConst<>+216(SB)/8, $0x3dea39ef35793c76
DATA tanhConst<>+224(SB)/8, $0x4338000000000000
DATA tanhConst<>+232(SB)/8, $0x4338000000000000
DATA tanhConst<>+240(SB)/8, $0x4338000000000000
DATA tanhConst<>+248(SB)/8, $0x4338000000000000
DATA tanhConst<>+256(SB)/8, $0x3ff0000000000000
DATA tanhConst<>+264(SB)/8, $0x3ff0000000000000
DATA tanhConst<>+272(SB)/8, $0x3ff0000000000000
DATA tanhConst<>+280(SB)/8, $0x3ff0000000000000
DATA tanhConst<>+288(SB)/8, $0x4000000000000000
DATA tanhConst<>+296(SB)/8, $0x4000000000000000
DATA tanhConst<>+304(SB)/8, $0x4000000000000000
DATA tanhConst<>+312(SB)/8, $0x4000000000000000
DATA tanhConst<>+320(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhConst<>+328(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhConst<>+336(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhConst<>+344(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhConst<>+352(SB)/8, $0xc058d26a0e26682d
DATA tanhConst<>+360(SB)/8, $0xc058d26a0e26682d
DATA tanhConst<>+368(SB)/8, $0xc058d26a0e26682d
DATA tanhConst<>+376(SB)/8, $0xc058d26a0e26682d
DATA tanhConst<>+384(SB)/8, $0xc0993ac030580563
DATA tanhConst<>+392(SB)/8, $0xc0993ac030580563
DATA tanhConst<>+400(SB)/8, $0xc0993ac030580563
DATA tanhConst<>+408(SB)/8, $0xc0993ac030580563
DATA tanhConst<>+416(SB)/8, $0x405c33f28a581b86
DATA tanhConst<>+424(SB)/8, $0x405c33f28a581b86
DATA tanhConst<>+432(SB)/8, $0x405c33f28a581b86
DATA tanhConst<>+440(SB)/8, $0x405c33f28a581b86
DATA tanhConst<>+448(SB)/8, $0x40a176fa0e5535fa
DATA tanhConst<>+456(SB)/8, $0x40a176fa0e5535fa
DATA tanhConst<>+464(SB)/8, $0x40a176fa0e5535fa
DATA tanhConst<>+472(SB)/8, $0x40a176fa0e5535fa
DATA tanhConst<>+480(SB)/8, $0x40b2ec102442040c
DATA tanhConst<>+488(SB)/8, $0x40b2ec102442040c
DATA tanhConst<>+496(SB)/8, $0x40b2ec102442040c
DATA tanhConst<>+504(SB)/8, $0x40b2ec102442040c
DATA tanhConst<>+512(SB)/8, $0x00000000000003ff
DATA tanhConst<>+520(SB)/8, $0x00000000000003ff
DATA tanhConst<>+528(SB)/8, $0x00000000000003ff
DATA tanhConst<>+536(SB)/8, $0x00000000000003ff
DATA tanhConst<>+544(SB)/8, $0x3de6124613a86d09
DATA tanhConst<>+552(SB)/8, $0x3de6124613a86d09
DATA tanhConst<>+560(SB)/8, $0x3de6124613a86d09
DATA tanhConst<>+568(SB)/8, $0x3de6124613a86d09
DATA tanhConst<>+576(SB)/8, $0x3e21eed8eff8d898
DATA tanhConst<>+584(SB)/8, $0x3e21eed8eff8d898
DATA tanhConst<>+592(SB)/8, $0x3e21eed8eff8d898
DATA tanhConst<>+600(SB)/8, $0x3e21eed8eff8d898
DATA tanhConst<>+608(SB)/8, $0x3e5ae64567f544e4
DATA tanhConst<>+616(SB)/8, $0x3e5ae64567f544e4
DATA tanhConst<>+624(SB)/8, $0x3e5ae64567f544e4
DATA tanhConst<>+632(SB)/8, $0x3e5ae64567f544e4
DATA tanhConst<>+640(SB)/8, $0x3e927e4fb7789f5c
DATA tanhConst<>+648(SB)/8, $0x3e927e4fb7789f5c
DATA tanhConst<>+656(SB)/8, $0x3e927e4fb7789f5c
DATA tanhConst<>+664(SB)/8, $0x3e927e4fb7789f5c
DATA tanhConst<>+672(SB)/8, $0x3ec71de3a556c734
DATA tanhConst<>+680(SB)/8, $0x3ec71de3a556c734
DATA tanhConst<>+688(SB)/8, $0x3ec71de3a556c734
DATA tanhConst<>+696(SB)/8, $0x3ec71de3a556c734
DATA tanhConst<>+704(SB)/8, $0x3efa01a01a01a01a
DATA tanhConst<>+712(SB)/8, $0x3efa01a01a01a01a
DATA tanhConst<>+720(SB)/8, $0x3efa01a01a01a01a
DATA tanhConst<>+728(SB)/8, $0x3efa01a01a01a01a
DATA tanhConst<>+736(SB)/8, $0x3f2a01a01a01a01a
DATA tanhConst<>+744(SB)/8, $0x3f2a01a01a01a01a
DATA tanhConst<>+752(SB)/8, $0x3f2a01a01a01a01a
DATA tanhConst<>+760(SB)/8, $0x3f2a01a01a01a01a
DATA tanhConst<>+768(SB)/8, $0x3f56c16c16c16c17
DATA tanhConst<>+776(SB)/8, $0x3f56c16c16c16c17
DATA tanhConst<>+784(SB)/8, $0x3f56c16c16c16c17
DATA tanhConst<>+792(SB)/8, $0x3f56c16c16c16c17
DATA tanhConst<>+800(SB)/8, $0x3f81111111111111
DATA tanhConst<>+808(SB)/8, $0x3f81111111111111
DATA tanhConst<>+816(SB)/8, $0x3f81111111111111
DATA tanhConst<>+824(SB)/8, $0x3f81111111111111
DATA tanhConst<>+832(SB)/8, $0x3fa5555555555555
DATA tanhConst<>+840(SB)/8, $0x3fa5555555555555
DATA tanhConst<>+848(SB)/8, $0x3fa5555555555555
DATA tanhConst<>+856(SB)/8, $0x3fa5555555555555
DATA tanhConst<>+864(SB)/8, $0x3fc5555555555555
DATA tanhConst<>+872(SB)/8, $0x3fc5555555555555
DATA tanhConst<>+880(SB)/8, $0x3fc5555555555555
DATA tanhConst<>+888(SB)/8, $0x3fc5555555555555
DATA tanhConst<>+896(SB)/8, $0x3fe0000000000000
DATA tanhConst<>+904(SB)/8, $0x3fe0000000000000
DATA tanhConst<>+912(SB)/8, $0x3fe0000000000000
DATA tanhConst<>+920(SB)/8, $0x3fe0000000000000
GLOBL tanhConst<>(SB), RODATA|NOPTR, $928

// The vectorised tanh, exactly as math.Tanh computes it except for its exp:
//
//	|x| < 0.625:  tanh x = x + x·s·P(s)/Q(s), s = x²   (math.Tanh's rational form, same operations in the same order)
//	otherwise:    tanh x = sign(x)·(1 − 2/(e^{2z} + 1)), z = min(|x|, 22)
//
// with e^y = 2ⁿ·e^r, n = round(y·log₂e), r = y − n·ln 2 (in two parts), and
// e^r by its Taylor series to r¹³ (|r| ≤ ln2/2: truncation below 1e-17).
// NaN propagates (min returns |x| when it is NaN); ±Inf give ±1. Both
// variants use the same operations, so they give the same bits.

// func tanh8(dst, src *float64, n int)
//
// AVX-512, 8 lanes per iteration; n is a multiple of 8. Registers:
//	SI src; DI dst; CX iterations left; R8 &tanhConst
//	Z31 |x| mask; Z30 sign mask; Z29 0.625; Z28 22; Z27 log₂e; Z26 ln2hi;
//	Z25 ln2lo; Z24 the rounding magic; Z23 1; Z22 2
//	Z0 x; Z1 |x|; Z2 s = x²; Z3 P(s); Z4 Q(s); Z5 (x·s)·P(s)
//	Z6 y = 2·min(|x|, 22); Z7 y·log₂e + magic (n in its low bits); Z8 n;
//	Z9 r; Z10 e^r, then the denominator, then the result; Z11 2ⁿ;
//	Z12 sign of x; Z13 the numerator, then the quotient; K1 |x| < 0.625
TEXT ·tanh8(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JEQ  done8
	LEAQ tanhConst<>(SB), R8
	VBROADCASTSD ABSMASK(R8), Z31
	VBROADCASTSD SIGNMASK(R8), Z30
	VBROADCASTSD SMALL(R8), Z29
	VBROADCASTSD CLAMP(R8), Z28
	VBROADCASTSD LOG2E(R8), Z27
	VBROADCASTSD LN2HI(R8), Z26
	VBROADCASTSD LN2LO(R8), Z25
	VBROADCASTSD MAGIC(R8), Z24
	VBROADCASTSD ONE(R8), Z23
	VBROADCASTSD TWO(R8), Z22

loop8:
	VMOVUPD (SI), Z0
	VANDPD  Z31, Z0, Z1

	// small |x|: x + ((x·s)·P)/Q; here Z5 = (x·s)·P (the numerator), Z4 = Q
	VMULPD      Z0, Z0, Z2
	VMULPD.BCST P0(R8), Z2, Z3
	VADDPD.BCST P1(R8), Z3, Z3
	VMULPD      Z2, Z3, Z3
	VADDPD.BCST P2(R8), Z3, Z3
	VADDPD.BCST Q0(R8), Z2, Z4
	VMULPD      Z2, Z4, Z4
	VADDPD.BCST Q1(R8), Z4, Z4
	VMULPD      Z2, Z4, Z4
	VADDPD.BCST Q2(R8), Z4, Z4
	VMULPD      Z2, Z0, Z5
	VMULPD      Z3, Z5, Z5

	// large |x|: y = 2·min(|x|, 22); n = round(y·log₂e); r = y − n·ln2
	VMINPD       Z1, Z28, Z6
	VADDPD       Z6, Z6, Z6
	VMULPD       Z27, Z6, Z7
	VADDPD       Z24, Z7, Z7
	VSUBPD       Z24, Z7, Z8
	VMOVAPD      Z6, Z9
	VFNMADD231PD Z26, Z8, Z9
	VFNMADD231PD Z25, Z8, Z9

	// e^r = 1 + r + r²/2! + … + r¹³/13!, by Horner
	VBROADCASTSD     C13(R8), Z10
	VFMADD213PD.BCST C12(R8), Z9, Z10
	VFMADD213PD.BCST C11(R8), Z9, Z10
	VFMADD213PD.BCST C10(R8), Z9, Z10
	VFMADD213PD.BCST C9(R8), Z9, Z10
	VFMADD213PD.BCST C8(R8), Z9, Z10
	VFMADD213PD.BCST C7(R8), Z9, Z10
	VFMADD213PD.BCST C6(R8), Z9, Z10
	VFMADD213PD.BCST C5(R8), Z9, Z10
	VFMADD213PD.BCST C4(R8), Z9, Z10
	VFMADD213PD.BCST C3(R8), Z9, Z10
	VFMADD213PD.BCST C2(R8), Z9, Z10
	VFMADD213PD      Z23, Z9, Z10
	VFMADD213PD      Z23, Z9, Z10

	// 2ⁿ from n's bits (n + 1023 in the exponent field); e^y = e^r·2ⁿ; then
	// the denominator e^y + 1 (numerator 2) of 1 − 2/(e^y + 1)
	VPADDQ.BCST BIAS(R8), Z7, Z11
	VPSLLQ      $52, Z11, Z11
	VMULPD      Z11, Z10, Z10
	VADDPD      Z23, Z10, Z10

	// One division for both branches: where |x| < 0.625 (K1) it divides the
	// small form's numerator and denominator, elsewhere 2 by e^y + 1.
	VCMPPD  $1, Z29, Z1, K1
	VMOVAPD Z22, Z13
	VMOVAPD Z5, K1, Z13
	VMOVAPD Z4, K1, Z10
	VDIVPD  Z10, Z13, Z13
	VSUBPD  Z13, Z23, Z10      // large: 1 − 2/(e^y + 1)
	VADDPD  Z0, Z13, K1, Z10   // small: x + quotient (x + t, as math.Tanh adds)

	// x's sign on both (the small result has it already, except that it
	// turns x = −0 into +0)
	VANDPD  Z30, Z0, Z12
	VORPD   Z12, Z10, Z10
	VMOVUPD Z10, (DI)

	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop8

done8:
	VZEROUPPER
	RET

// func tanh4(dst, src *float64, n int)
//
// AVX2, 4 lanes per iteration; n is a multiple of 4. The same operations
// as tanh8, constants read from memory. Registers:
//	SI src; DI dst; CX iterations left; R8 &tanhConst
//	Y0 x; Y1 |x|; Y2 s = x²; Y3 P(s); Y4 Q(s); Y5 (x·s)·P(s)
//	Y6 y = 2·min(|x|, 22); Y7 y·log₂e + magic; Y8 n; Y9 r; Y10 e^r, then the
//	denominator, then the result; Y11 2ⁿ; Y12 the numerator, the quotient,
//	then x's sign; Y13 the mask |x| < 0.625
TEXT ·tanh4(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	JEQ  done4
	LEAQ tanhConst<>(SB), R8

loop4:
	VMOVUPD (SI), Y0
	VANDPD  ABSMASK(R8), Y0, Y1

	// small |x|: x + ((x·s)·P)/Q; here Y5 = (x·s)·P (the numerator), Y4 = Q
	VMULPD Y0, Y0, Y2
	VMULPD P0(R8), Y2, Y3
	VADDPD P1(R8), Y3, Y3
	VMULPD Y2, Y3, Y3
	VADDPD P2(R8), Y3, Y3
	VADDPD Q0(R8), Y2, Y4
	VMULPD Y2, Y4, Y4
	VADDPD Q1(R8), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD Q2(R8), Y4, Y4
	VMULPD Y2, Y0, Y5
	VMULPD Y3, Y5, Y5

	// large |x|: y = 2·min(|x|, 22); n = round(y·log₂e); r = y − n·ln2
	VMOVUPD      CLAMP(R8), Y6
	VMINPD       Y1, Y6, Y6
	VADDPD       Y6, Y6, Y6
	VMULPD       LOG2E(R8), Y6, Y7
	VADDPD       MAGIC(R8), Y7, Y7
	VSUBPD       MAGIC(R8), Y7, Y8
	VMOVAPD      Y6, Y9
	VFNMADD231PD LN2HI(R8), Y8, Y9
	VFNMADD231PD LN2LO(R8), Y8, Y9

	// e^r by Horner
	VMOVUPD     C13(R8), Y10
	VFMADD213PD C12(R8), Y9, Y10
	VFMADD213PD C11(R8), Y9, Y10
	VFMADD213PD C10(R8), Y9, Y10
	VFMADD213PD C9(R8), Y9, Y10
	VFMADD213PD C8(R8), Y9, Y10
	VFMADD213PD C7(R8), Y9, Y10
	VFMADD213PD C6(R8), Y9, Y10
	VFMADD213PD C5(R8), Y9, Y10
	VFMADD213PD C4(R8), Y9, Y10
	VFMADD213PD C3(R8), Y9, Y10
	VFMADD213PD C2(R8), Y9, Y10
	VFMADD213PD ONE(R8), Y9, Y10
	VFMADD213PD ONE(R8), Y9, Y10

	// 2ⁿ; e^y = e^r·2ⁿ; the denominator e^y + 1
	VPADDQ BIAS(R8), Y7, Y11
	VPSLLQ $52, Y11, Y11
	VMULPD Y11, Y10, Y10
	VADDPD ONE(R8), Y10, Y10

	// One division for both branches (Y13: the mask |x| < 0.625)
	VCMPPD    $1, SMALL(R8), Y1, Y13
	VMOVUPD   TWO(R8), Y12
	VBLENDVPD Y13, Y5, Y12, Y12   // numerator
	VBLENDVPD Y13, Y4, Y10, Y10   // denominator
	VDIVPD    Y10, Y12, Y12       // the quotient t
	VMOVUPD   ONE(R8), Y10
	VSUBPD    Y12, Y10, Y10       // large: 1 − t
	VADDPD    Y0, Y12, Y12        // small: x + t
	VBLENDVPD Y13, Y12, Y10, Y10

	// x's sign on both
	VANDPD  SIGNMASK(R8), Y0, Y12
	VORPD   Y12, Y10, Y10
	VMOVUPD Y10, (DI)

	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop4

done4:
	VZEROUPPER
	RET
