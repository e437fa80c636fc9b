package scale

import (
	"fmt"
	"strings"
)

// DType is how one number is stored.
type DType string

// The number types.
const (
	FP32 DType = "fp32"
	BF16 DType = "bf16"
	FP16 DType = "fp16"
	Int8 DType = "int8" // LLM.int8-style weights (bitsandbytes); frozen base only
	NF4  DType = "4bit" // QLoRA's 4-bit NormalFloat with double quantisation; frozen base only
)

// nf4Bits is QLoRA's storage per weight: 4 bits, plus one 8-bit block constant
// per 64 weights, plus one fp32 second-level constant per 256 first-level
// constants (double quantisation: 8/64 + 32/(64·256) ≈ 0.127 bits).
const nf4Bits = 4 + 8.0/64 + 32.0/(64*256)

// Bytes returns the bytes one number takes.
func (d DType) Bytes() float64 {
	switch d {
	case FP32:
		return 4
	case BF16, FP16:
		return 2
	case Int8:
		return 1
	case NF4:
		return nf4Bits / 8
	}
	return 0
}

// Quantized reports whether d is a storage-only format (int8, 4-bit): such
// weights cannot train and are computed with in a 16-bit dtype.
func (d DType) Quantized() bool { return d == Int8 || d == NF4 }

// DTypeNames lists the accepted spellings' canonical names.
func DTypeNames() []string { return []string{"fp32", "bf16", "fp16", "int8", "4bit"} }

// ParseDType reads a dtype name: fp32 (float32), bf16 (bfloat16), fp16
// (float16, half), int8, 4bit (4-bit, nf4).
func ParseDType(s string) (DType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fp32", "float32", "f32":
		return FP32, nil
	case "bf16", "bfloat16":
		return BF16, nil
	case "fp16", "float16", "f16", "half":
		return FP16, nil
	case "int8", "8bit", "8-bit":
		return Int8, nil
	case "4bit", "4-bit", "nf4", "int4":
		return NF4, nil
	}
	return "", fmt.Errorf("dtype %q: unknown; the dtypes are: %s", s, strings.Join(DTypeNames(), ", "))
}

// Optimizer is the optimiser whose state is counted.
type Optimizer string

// The optimisers.
const (
	AdamW     Optimizer = "adamw"      // torch.optim.AdamW: two states (m, v) per trainable number, in the parameter's dtype
	AdamW8bit Optimizer = "adamw-8bit" // bitsandbytes' blockwise 8-bit states
)

// adam8bitBlock is bitsandbytes' block size for 8-bit optimiser states: one
// fp32 scale (absmax) per block of 2048 numbers.
const adam8bitBlock = 2048

// BytesPerState returns the bytes of one optimiser state number for a
// parameter stored in param: torch.optim.AdamW keeps its state in the
// parameter's own dtype (measured: bf16 weights get bf16 state), 8-bit AdamW
// one byte plus an fp32 scale per block. 0 for an unknown optimiser.
func (o Optimizer) BytesPerState(param DType) float64 {
	switch o {
	case AdamW:
		return param.Bytes()
	case AdamW8bit:
		return 1 + 4.0/adam8bitBlock
	}
	return 0
}

// ParseOptimizer reads adamw or adamw-8bit (also adamw8bit, paged_adamw_8bit).
func ParseOptimizer(s string) (Optimizer, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "adamw", "adam":
		return AdamW, nil
	case "adamw-8bit", "adamw8bit", "adamw_8bit", "8bit", "paged_adamw_8bit":
		return AdamW8bit, nil
	}
	return "", fmt.Errorf("optimizer %q: unknown; the optimizers are: adamw, adamw-8bit", s)
}
