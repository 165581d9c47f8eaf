#ifndef OPTLAB_MATH_H
#define OPTLAB_MATH_H

// Square roots without errno semantics. On Linux, Swift's squareRoot() lowers to
// sqrtss plus a fallback call to sqrtf for negative inputs (to set errno), which keeps
// LLVM from vectorizing the optimizer loops. __builtin_elementwise_sqrt maps straight
// to the llvm.sqrt intrinsic, which vectorizes (sqrtps / sqrtpd).
static inline float optlab_sqrtf(float x) { return __builtin_elementwise_sqrt(x); }
static inline double optlab_sqrt(double x) { return __builtin_elementwise_sqrt(x); }

// e^x in single precision with the values of the GNU C library's expf (optlab_exp.c),
// sixteen at a time where the processor has AVX-512, and the loops that use it; each
// element gets the same float operations as the scalar expression beside it.
float optlab_expf(float x);
void optlab_exp_array(const float *x, float *y, long count);
void optlab_sigmoid(float *z, long count);                  // z ← 1/(1 + e^(−z))
void optlab_elu(float *z, long count, float alpha);         // z ← α·(e^z − 1) where z ≤ 0
void optlab_exp_shifted(float *values, long count, float shift);  // v ← e^(v − shift)

#include <stdio.h>

// Line-buffered standard output, so progress lines reach a log file or a pipe as they
// are printed (Swift cannot name C's stdout under strict concurrency checking).
static inline void optlab_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

// Flush-to-zero and denormals-are-zero for the calling thread. Adam's and RMSprop's
// moment estimates decay geometrically for parameters whose gradient stays zero (dead
// ReLU units, always-blank border pixels) and spend thousands of steps as denormals,
// where x86 arithmetic is up to 100x slower. Returns the previous control state so it
// can be restored. A no-op returning 0 elsewhere.
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static inline unsigned int optlab_flush_denormals(void) {
    unsigned int previous = _mm_getcsr();
    _mm_setcsr(previous | 0x8040);  // FTZ (bit 15) | DAZ (bit 6)
    return previous;
}
static inline void optlab_restore_float_control(unsigned int previous) { _mm_setcsr(previous); }
#else
static inline unsigned int optlab_flush_denormals(void) { return 0; }
static inline void optlab_restore_float_control(unsigned int previous) { (void)previous; }
#endif

#endif
