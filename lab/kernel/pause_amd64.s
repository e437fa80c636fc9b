//go:build amd64 && !purego

#include "textflag.h"

// func spinPause(n int)
//
// Executes PAUSE n ≥ 1 times (CX counts them): the Team's spin loop waits
// with it, which frees the core's resources and saves power while polling.
TEXT ·spinPause(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
pause:
	PAUSE
	DECQ CX
	JNZ  pause
	RET
