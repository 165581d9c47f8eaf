#ifndef OPTLAB_MATH_H
#define OPTLAB_MATH_H

// Square roots without errno semantics. On Linux, Swift's squareRoot() lowers to
// sqrtss plus a fallback call to sqrtf for negative inputs (to set errno), which keeps
// LLVM from vectorizing the optimizer loops. __builtin_elementwise_sqrt maps straight
// to the llvm.sqrt intrinsic, which vectorizes (sqrtps / sqrtpd).
static inline float optlab_sqrtf(float x) { return __builtin_elementwise_sqrt(x); }
static inline double optlab_sqrt(double x) { return __builtin_elementwise_sqrt(x); }

#endif
