#include "optlab_math.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Single-precision e^x, sixteen lanes at a time, with the values of the C library's expf.
//
// The method: x·32/ln 2 = k + r with k an integer and |r| ≤ 1/2, so e^x = 2^(k/32)·2^(r/32).
// 2^(k/32) is 2^(i/32) for i = k mod 32, from a table, with k's remaining bits added to its
// exponent field; 2^(r/32) is a cubic in r. Everything is computed in double precision and
// rounded to float once. The GNU C library's expf (2.36, Debian 12's) works this way with
// these constants (the table holds 2^(i/32), the cubic's coefficients are those of
// 2^(r/32) scaled for r in units of 1/32), fusing four multiply-adds where `exp_lane` and
// `exp8` fuse them on processors with FMA. Compared on all 2³² floats, `exp8` (through
// optlab_exp_array and optlab_sigmoid) and `exp_lane` give its results bit for bit, with
// and without flushing denormals (BENCHMARKS.md); `ExpTests` repeats the comparison on a
// sample. Arguments of magnitude 88 and more, infinities and NaN (results ±∞, 0 or a few
// tiny values, with the library's error reporting) go to the library's expf itself, as
// does everything on processors without FMA.

static const double exp_table_values[32] = {
    0x1.0000000000000p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0, 0x1.11301d0125b51p+0,
    0x1.172b83c7d517bp+0, 0x1.1d4873168b9aap+0, 0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0,
    0x1.306fe0a31b715p+0, 0x1.371a7373aa9cbp+0, 0x1.3dea64c123422p+0, 0x1.44e086061892dp+0,
    0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0, 0x1.6247eb03a5585p+0,
    0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0, 0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0,
    0x1.8ace5422aa0dbp+0, 0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f090p+0, 0x1.a5503b23e255dp+0,
    0x1.ae89f995ad3adp+0, 0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0, 0x1.cb720dcef9069p+0,
    0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0, 0x1.ea4afa2a490dap+0, 0x1.f50765b6e4540p+0,
};

static const double exp_inverse_ln2_32 = 0x1.71547652b82fep+5;  // 32/ln 2
static const double exp_shift = 0x1.8p+52;  // adding it rounds to an integer, kept in the low bits
static const double exp_c0 = 0x1.c6af84b912394p-20;  // coefficients of r³, r², r (in 1/32 units)
static const double exp_c1 = 0x1.ebfce50fac4f3p-13;
static const double exp_c2 = 0x1.62e42ff0c52d6p-6;

// The bits of 2^(i/32)·2^⌊k/32⌋ for i = k mod 32: the table entry's bits with ⌊k/32⌋ added
// to the exponent field (k is taken from the low bits of `k_bits`, modulo 2^64 as a whole).
__attribute__((unused)) static inline uint64_t exp_scale_bits(uint64_t k_bits) {
    uint64_t bits;
    memcpy(&bits, &exp_table_values[k_bits % 32], sizeof bits);
    return bits + ((k_bits >> 5) << 52);
}

// Whether the C library takes its special path: |x| ≥ 88 (by the exponent's top bits),
// an infinity or NaN.
__attribute__((unused)) static inline int exp_special(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return (bits & 0x7fffffffu) >= 0x42b00000u;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define FMA_TARGET __attribute__((target("fma")))
#define AVX512_TARGET __attribute__((target("avx512f")))

static int exp_level(void) {
    static int level = -1;
    if (level < 0) {
        __builtin_cpu_init();
        level = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("fma") ? 1 : 0;
    }
    return level;
}

FMA_TARGET static float exp_lane(float x) {
    const double xd = (double)x;
    double kd = fma(xd, exp_inverse_ln2_32, exp_shift);
    uint64_t ki;
    memcpy(&ki, &kd, sizeof ki);
    kd -= exp_shift;
    const double r = fma(exp_inverse_ln2_32, xd, -kd);
    const uint64_t t = exp_scale_bits(ki);
    double s;
    memcpy(&s, &t, sizeof s);
    const double z = fma(r, exp_c0, exp_c1);
    const double r2 = r * r;
    double y = fma(r, exp_c2, 1.0);
    y = fma(z, r2, y);
    return (float)(y * s);
}

// Eight lanes in double precision, the same operations as `exp_lane`. `table` holds the
// 32 entries of exp_table_values in four registers of eight.
AVX512_TARGET static inline __m256 exp8(__m256 x, const __m512i table[4]) {
    const __m512d xd = _mm512_cvtps_pd(x);
    const __m512d shift = _mm512_set1_pd(exp_shift), scale = _mm512_set1_pd(exp_inverse_ln2_32);
    __m512d kd = _mm512_fmadd_pd(xd, scale, shift);
    const __m512i ki = _mm512_castpd_si512(kd);
    kd = _mm512_sub_pd(kd, shift);
    const __m512d r = _mm512_fmsub_pd(scale, xd, kd);
    // Entry ki mod 32: bits 0–3 pick among sixteen entries, bit 4 which sixteen.
    const __m512i first = _mm512_permutex2var_epi64(table[0], ki, table[1]);
    const __m512i second = _mm512_permutex2var_epi64(table[2], ki, table[3]);
    const __m512i entry = _mm512_mask_blend_epi64(_mm512_test_epi64_mask(ki, _mm512_set1_epi64(16)), first, second);
    const __m512d s = _mm512_castsi512_pd(_mm512_add_epi64(entry, _mm512_slli_epi64(_mm512_srli_epi64(ki, 5), 52)));
    const __m512d z = _mm512_fmadd_pd(r, _mm512_set1_pd(exp_c0), _mm512_set1_pd(exp_c1));
    const __m512d r2 = _mm512_mul_pd(r, r);
    __m512d y = _mm512_fmadd_pd(r, _mm512_set1_pd(exp_c2), _mm512_set1_pd(1.0));
    y = _mm512_fmadd_pd(z, r2, y);
    return _mm512_cvtpd_ps(_mm512_mul_pd(y, s));
}

AVX512_TARGET static inline void exp_table_registers(__m512i table[4]) {
    for (int j = 0; j < 4; j++) table[j] = _mm512_loadu_si512(exp_table_values + 8 * j);
}

// e^x on sixteen lanes; lanes the library treats specially are recomputed by it.
AVX512_TARGET static inline __m512 exp16(__m512 x, const __m512i table[4]) {
    const __m256 low = _mm512_castps512_ps256(x);
    const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1));
    __m512 y = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(exp8(low, table))),
                                                   _mm256_castps_pd(exp8(high, table)), 1));
    const __mmask16 special = _mm512_cmpge_epu32_mask(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff)),
                                                      _mm512_set1_epi32(0x42b00000));
    if (special) {
        float in[16], out[16];
        _mm512_storeu_ps(in, x);
        _mm512_storeu_ps(out, y);
        for (int i = 0; i < 16; i++) if (special >> i & 1) out[i] = expf(in[i]);
        y = _mm512_loadu_ps(out);
    }
    return y;
}

// A mask of the first n lanes (n may exceed 16).
static inline __mmask16 exp_lanes(long n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

AVX512_TARGET static void sigmoid_avx512(float *z, long count) {
    __m512i table[4];
    exp_table_registers(table);
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    for (long i = 0; i < count; i += 16) {
        const __mmask16 valid = exp_lanes(count - i);
        const __m512 v = _mm512_maskz_loadu_ps(valid, z + i);
        const __m512 e = exp16(_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), sign)), table);
        _mm512_mask_storeu_ps(z + i, valid, _mm512_div_ps(one, _mm512_add_ps(one, e)));
    }
}

AVX512_TARGET static void elu_avx512(float *z, long count, float alpha) {
    __m512i table[4];
    exp_table_registers(table);
    const __m512 one = _mm512_set1_ps(1.0f), a = _mm512_set1_ps(alpha), zero = _mm512_setzero_ps();
    for (long i = 0; i < count; i += 16) {
        const __mmask16 valid = exp_lanes(count - i);
        const __m512 v = _mm512_maskz_loadu_ps(valid, z + i);
        const __mmask16 negative = _mm512_mask_cmp_ps_mask(valid, v, zero, _CMP_LE_OQ);
        if (!negative) continue;
        const __m512 e = exp16(v, table);
        _mm512_mask_storeu_ps(z + i, negative, _mm512_mul_ps(a, _mm512_sub_ps(e, one)));
    }
}

AVX512_TARGET static void exp_shifted_avx512(float *values, long count, float shift) {
    __m512i table[4];
    exp_table_registers(table);
    const __m512 s = _mm512_set1_ps(shift);
    for (long i = 0; i < count; i += 16) {
        const __mmask16 valid = exp_lanes(count - i);
        const __m512 v = _mm512_maskz_loadu_ps(valid, values + i);
        _mm512_mask_storeu_ps(values + i, valid, exp16(_mm512_sub_ps(v, s), table));
    }
}

AVX512_TARGET static void exp_array_avx512(const float *x, float *y, long count) {
    __m512i table[4];
    exp_table_registers(table);
    for (long i = 0; i < count; i += 16) {
        const __mmask16 valid = exp_lanes(count - i);
        _mm512_mask_storeu_ps(y + i, valid, exp16(_mm512_maskz_loadu_ps(valid, x + i), table));
    }
}

#else

static int exp_level(void) { return 0; }
static float exp_lane(float x) { return expf(x); }

#endif

float optlab_expf(float x) {
    if (exp_level() == 0 || exp_special(x)) return expf(x);
    return exp_lane(x);
}

void optlab_sigmoid(float *z, long count) {
#if defined(__x86_64__)
    if (exp_level() == 2) { sigmoid_avx512(z, count); return; }
#endif
    for (long i = 0; i < count; i++) z[i] = 1.0f / (1.0f + optlab_expf(-z[i]));
}

void optlab_elu(float *z, long count, float alpha) {
#if defined(__x86_64__)
    if (exp_level() == 2) { elu_avx512(z, count, alpha); return; }
#endif
    for (long i = 0; i < count; i++) if (z[i] <= 0) z[i] = alpha * (optlab_expf(z[i]) - 1.0f);
}

void optlab_exp_shifted(float *values, long count, float shift) {
#if defined(__x86_64__)
    if (exp_level() == 2) { exp_shifted_avx512(values, count, shift); return; }
#endif
    for (long i = 0; i < count; i++) values[i] = optlab_expf(values[i] - shift);
}

void optlab_exp_array(const float *x, float *y, long count) {
#if defined(__x86_64__)
    if (exp_level() == 2) { exp_array_avx512(x, y, count); return; }
#endif
    for (long i = 0; i < count; i++) y[i] = optlab_expf(x[i]);
}
