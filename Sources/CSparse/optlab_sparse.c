#include "optlab_sparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Portable versions of the two checks.
static long zeros_if_finite_scalar(const float *values, long count) {
    long zeros = 0;
    for (long i = 0; i < count; i++) {
        float v = values[i];
        if (v - v != 0) return -1;  // ±∞ − ±∞ and NaN − NaN are NaN
        zeros += v == 0;
    }
    return zeros;
}

static long row_profile_scalar(const float *row, int inner, int *nnz, int *span) {
    int c = 0, first = -1, last = -1, finite = 1;
    for (int k = 0; k < inner; k++) {
        float v = row[k];
        if (v - v != 0) finite = 0;
        if (v != 0) {  // NaN counts as nonzero
            if (first < 0) first = k;
            last = k;
            c++;
        }
    }
    *nnz = c;
    *span = first < 0 ? 0 : last - first + 1;
    return finite ? inner - c : -1;
}

static int all_finite_scalar(const float *values, long count) {
    for (long i = 0; i < count; i++) {
        if (values[i] - values[i] != 0) return 0;
    }
    return 1;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

int optlab_sparse_available(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") ? 1 : 0;
    }
    return known;
}

// Per-thread scratch space in three independent slots, grown on demand and kept for the
// thread's life (the team's threads live as long as a run).
static _Thread_local void *scratch[3];
static _Thread_local size_t scratch_bytes[3];

static void *scratch_of(int slot, size_t bytes) {
    if (bytes > scratch_bytes[slot]) {
        free(scratch[slot]);
        scratch_bytes[slot] = bytes + bytes / 2;
        scratch[slot] = malloc(scratch_bytes[slot]);
        if (!scratch[slot]) abort();
    }
    return scratch[slot];
}

// A mask of the first n lanes (n may exceed 16 or be negative).
static inline __mmask16 lanes(int n) {
    return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
}

AVX512 static inline __mmask16 nonzero16(const float *p, __mmask16 valid) {
    return _mm512_mask_cmp_ps_mask(valid, _mm512_maskz_loadu_ps(valid, p), _mm512_setzero_ps(), _CMP_NEQ_UQ);
}

// ---------------------------------------------------------------------------------------
// Z += X·W. Rows are taken in groups of GROUP, in an order where neighbours share most of
// their nonzero columns (sorted by the span of their nonzero columns, then by their
// count: on Fashion-MNIST a group of 4 then has 66% of the columns nonzero in some row,
// against 72% sorted by count alone and 79% unsorted). The W row of every column nonzero
// in any row of a group is loaded once and multiplied by the group's GROUP entries (0 for
// rows where it is zero: a no-op). Outputs go in chunks of WIDTH·16 columns, GROUP·WIDTH
// accumulators.

enum { PANEL = 128, GROUP = 4, WIDTH = 4 };

// A group row's chain starts from +0 or, when it resumes a block begun by another call,
// from that call's partial sums.
AVX512 static inline void start_row(__m512 *acc, const float *resume, const __mmask16 *mask, const int width) {
    for (int v = 0; v < width; v++) acc[v] = resume ? _mm512_maskz_loadu_ps(mask[v], resume + 16 * v) : _mm512_setzero_ps();
}

// A finished block is added to the output row; a paused one is kept for the call that
// resumes it. Padding slots (no row) are skipped.
AVX512 static inline void finish_row(const __m512 *acc, float *zr, float *pause, const __mmask16 *mask, const int width) {
    for (int v = 0; v < width; v++) {
        if (pause) {
            _mm512_mask_storeu_ps(pause + 16 * v, mask[v], acc[v]);
        } else {
            __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], zr + 16 * v), acc[v]);
            _mm512_mask_storeu_ps(zr + 16 * v, mask[v], sum);
        }
    }
}

// Writes +0 + acc (first block) or the row plus acc.
AVX512 static inline void store_row(float *gr, int first_block, const __mmask16 *mask, const __m512 *acc,
                                    const int width) {
    for (int v = 0; v < width; v++) {
        __m512 previous = first_block ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask[v], gr + 16 * v);
        _mm512_mask_storeu_ps(gr + 16 * v, mask[v], _mm512_add_ps(previous, acc[v]));
    }
}

// Where one group's chains of one block go: per slot, the X row, the output row, and the
// partial sums to resume from and to pause into (NULL when the block starts or ends here;
// slots past the rows have a zero X row and no output).
typedef struct {
    const float *x[GROUP];
    float *z[GROUP];
    const float *resume[GROUP];
    float *pause[GROUP];
} group_rows;

// One group's chains over the listed columns [first, last) of one block, for `width`
// vectors of output columns from c0.
AVX512 static inline __attribute__((always_inline)) void nn_group(
    const group_rows *rows, const int *first, const int *last, const float *w, int ldw, int c0,
    const __mmask16 *mask, const int width) {
    const float *r0 = rows->x[0], *r1 = rows->x[1], *r2 = rows->x[2], *r3 = rows->x[3];
    __m512 a0[WIDTH], a1[WIDTH], a2[WIDTH], a3[WIDTH];
    start_row(a0, rows->resume[0] ? rows->resume[0] + c0 : NULL, mask, width);
    start_row(a1, rows->resume[1] ? rows->resume[1] + c0 : NULL, mask, width);
    start_row(a2, rows->resume[2] ? rows->resume[2] + c0 : NULL, mask, width);
    start_row(a3, rows->resume[3] ? rows->resume[3] + c0 : NULL, mask, width);
    for (const int *e = first; e < last; e++) {
        const int k = *e;
        const float *wk = w + (size_t)k * ldw + c0;
        __m512 wv[WIDTH];
        for (int v = 0; v < width; v++) wv[v] = _mm512_maskz_loadu_ps(mask[v], wk + 16 * v);
        const __m512 x0 = _mm512_set1_ps(r0[k]), x1 = _mm512_set1_ps(r1[k]);
        const __m512 x2 = _mm512_set1_ps(r2[k]), x3 = _mm512_set1_ps(r3[k]);
        for (int v = 0; v < width; v++) {
            a0[v] = _mm512_fmadd_ps(x0, wv[v], a0[v]);
            a1[v] = _mm512_fmadd_ps(x1, wv[v], a1[v]);
            a2[v] = _mm512_fmadd_ps(x2, wv[v], a2[v]);
            a3[v] = _mm512_fmadd_ps(x3, wv[v], a3[v]);
        }
    }
    const __m512 *acc[GROUP] = {a0, a1, a2, a3};
    for (int s = 0; s < GROUP; s++) {
        if (!rows->z[s]) continue;
        finish_row(acc[s], rows->z[s] + c0, rows->pause[s] ? rows->pause[s] + c0 : NULL, mask, width);
    }
}

AVX512 static long row_profile_avx512(const float *row, int inner, int *nnz, int *span) {
    const __m512 zero = _mm512_setzero_ps();
    __m512 p = zero;  // v·0: NaN for ±∞ or NaN
    int c = 0, first = -1, last = -1;
    for (int k = 0; k < inner; k += 16) {
        const __mmask16 valid = lanes(inner - k);
        const __m512 u = _mm512_maskz_loadu_ps(valid, row + k);
        p = _mm512_fmadd_ps(u, zero, p);
        const unsigned bits = _mm512_mask_cmp_ps_mask(valid, u, zero, _CMP_NEQ_UQ);
        if (!bits) continue;
        if (first < 0) first = k + __builtin_ctz(bits);
        last = k + 31 - __builtin_clz(bits);
        c += __builtin_popcount(bits);
    }
    *nnz = c;
    *span = first < 0 ? 0 : last - first + 1;
    return _mm512_cmp_ps_mask(p, p, _CMP_UNORD_Q) ? -1 : inner - c;
}

void optlab_sparse_order_profiled(int rows, int inner, const int *nnz, const int *span, int *order) {
    // by_count[rows] | counts[inner + 1]
    int *by_count = scratch_of(1, ((size_t)rows + inner + 1) * sizeof(int));
    int *counts = by_count + rows;
    // Two stable counting sorts: by count, then by span.
    for (int c = 0; c <= inner; c++) counts[c] = 0;
    for (int r = 0; r < rows; r++) counts[nnz[r]]++;
    for (int c = 0, sum = 0; c <= inner; c++) { int t = counts[c]; counts[c] = sum; sum += t; }
    for (int r = 0; r < rows; r++) by_count[counts[nnz[r]]++] = r;
    for (int c = 0; c <= inner; c++) counts[c] = 0;
    for (int r = 0; r < rows; r++) counts[span[r]]++;
    for (int c = 0, sum = 0; c <= inner; c++) { int t = counts[c]; counts[c] = sum; sum += t; }
    for (int i = 0; i < rows; i++) { int r = by_count[i]; order[counts[span[r]]++] = r; }
}

AVX512 void optlab_sparse_order(int rows, int inner, const float *x, int ldx, int *order) {
    // nnz[rows] | span[rows]
    int *nnz = scratch_of(2, (size_t)2 * rows * sizeof(int));
    int *span = nnz + rows;
    for (int r = 0; r < rows; r++) row_profile_avx512(x + (size_t)r * ldx, inner, nnz + r, span + r);
    optlab_sparse_order_profiled(rows, inner, nnz, span, order);
}

// The rows order[0..count), inner columns [k_begin, k_end). A block cut by k_begin resumes
// from `partial`, one cut by k_end pauses there. Without `sums`, every block finished here
// is added to z; with it, a finished block b (which then began at or after k_begin) leaves
// its chain's raw value at sums + (b - first_sum_block)·sum_stride + r·ldz instead.
AVX512 static void nn_part(int count, const int *order, int cols, int inner,
                           const float *x, int ldx, const float *w, int ldw, float *z, int ldz,
                           const int *block_ends, int blocks, int k_begin, int k_end,
                           float *partial, int ldp, float *sums, int first_sum_block, long sum_stride, int dense) {
    const int width_k = k_end - k_begin;
    if (width_k <= 0 || count <= 0) return;
    const int groups_max = PANEL / GROUP;
    // list[groups · width_k] | starts[groups · (blocks + 1)] | zero row
    size_t ints = (size_t)groups_max * width_k + (size_t)groups_max * (blocks + 1);
    char *base = scratch_of(0, ints * sizeof(int) + ((size_t)inner + 16) * sizeof(float) + 64);
    int *list = (int *)base;
    int *starts = list + (size_t)groups_max * width_k;
    float *zero_row = (float *)(starts + (size_t)groups_max * (blocks + 1));
    memset(zero_row, 0, ((size_t)inner + 16) * sizeof(float));

    for (int i0 = 0; i0 < count; i0 += PANEL) {
        const int n = count - i0 < PANEL ? count - i0 : PANEL;
        const int *mine_order = order + i0;
        const int groups = (n + GROUP - 1) / GROUP;
        // Each group's nonzero columns in [k_begin, k_end), increasing, and where each
        // block's start among them.
        for (int g = 0; g < groups; g++) {
            int *mine = list + (size_t)g * width_k;
            int *bounds = starts + (size_t)g * (blocks + 1);
            const float *xs[GROUP];
            for (int s = 0; s < GROUP; s++) {
                const int slot = g * GROUP + s;
                xs[s] = slot < n ? x + (size_t)mine_order[slot] * ldx : zero_row;
            }
            int m = 0, b = 0;
            bounds[0] = 0;
            for (int k = k_begin; k < k_end; k += 16) {
                __mmask16 valid = lanes(k_end - k);
                unsigned bits = 0;
                for (int s = 0; s < GROUP; s++) bits |= nonzero16(xs[s] + k, valid);
                if (dense) bits = valid;
                while (bits) {
                    int kk = k + __builtin_ctz(bits);
                    bits &= bits - 1;
                    while (kk >= block_ends[b]) bounds[++b] = m;
                    mine[m++] = kk;
                }
            }
            while (b < blocks) bounds[++b] = m;
        }

        for (int c0 = 0; c0 < cols; c0 += WIDTH * 16) {
            const int width = cols - c0 >= WIDTH * 16 ? WIDTH : (cols - c0 + 15) / 16;
            __mmask16 mask[WIDTH];
            for (int v = 0; v < WIDTH; v++) mask[v] = lanes(cols - c0 - 16 * v);
            for (int b = 0, block_start = 0; b < blocks; block_start = block_ends[b], b++) {
                const int lo = block_start > k_begin ? block_start : k_begin;
                const int hi = block_ends[b] < k_end ? block_ends[b] : k_end;
                if (lo >= hi) continue;
                const int resumes = lo > block_start, pauses = hi < block_ends[b];
                for (int g = 0; g < groups; g++) {
                    const int *mine = list + (size_t)g * width_k;
                    const int *bounds = starts + (size_t)g * (blocks + 1);
                    group_rows rows;
                    for (int s = 0; s < GROUP; s++) {
                        const int slot = g * GROUP + s;
                        const int r = slot < n ? mine_order[slot] : -1;
                        rows.x[s] = r >= 0 ? x + (size_t)r * ldx : zero_row;
                        rows.z[s] = r >= 0 ? z + (size_t)r * ldz : NULL;
                        rows.resume[s] = r >= 0 && resumes ? partial + (size_t)r * ldp : NULL;
                        rows.pause[s] = r >= 0 && pauses ? partial + (size_t)r * ldp : NULL;
                        if (r >= 0 && sums && !pauses) rows.pause[s] = sums + (b - first_sum_block) * sum_stride + (size_t)r * ldz;
                    }
                    const int *first = mine + bounds[b], *last = mine + bounds[b + 1];
                    switch (width) {
                    case 4: nn_group(&rows, first, last, w, ldw, c0, mask, 4); break;
                    case 3: nn_group(&rows, first, last, w, ldw, c0, mask, 3); break;
                    case 2: nn_group(&rows, first, last, w, ldw, c0, mask, 2); break;
                    default: nn_group(&rows, first, last, w, ldw, c0, mask, 1); break;
                    }
                }
            }
        }
    }
}

AVX512 void optlab_sparse_product_nn_part(int count, const int *order, int cols, int inner,
                                          const float *x, int ldx, const float *w, int ldw, float *z, int ldz,
                                          const int *block_ends, int blocks, int k_begin, int k_end,
                                          float *partial, int ldp, int dense) {
    nn_part(count, order, cols, inner, x, ldx, w, ldw, z, ldz, block_ends, blocks, k_begin, k_end, partial, ldp,
            NULL, 0, 0, dense);
}

AVX512 void optlab_sparse_block_sums(int count, const int *order, int cols, int inner,
                                     const float *x, int ldx, const float *w, int ldw,
                                     const int *block_ends, int blocks, int first_block,
                                     float *sums, int lds, int sum_rows, int dense) {
    if (first_block >= blocks || count <= 0) return;
    const int k_begin = first_block == 0 ? 0 : block_ends[first_block - 1];
    // Every block in [k_begin, inner) finishes here, so each goes to `sums`; z is never
    // written (sums stands in for it).
    nn_part(count, order, cols, inner, x, ldx, w, ldw, sums, lds, block_ends, blocks, k_begin, inner, NULL, 0,
            sums, first_block, (long)lds * sum_rows, dense);
}

AVX512 void optlab_add_block_sums(int count, const int *order, int cols, float *z, int ldz,
                                  const float *sums, int lds, int sum_rows, int block_count) {
    const long stride = (long)lds * sum_rows;
    for (int i = 0; i < count; i++) {
        const int r = order[i];
        float *zr = z + (size_t)r * ldz;
        for (int b = 0; b < block_count; b++) {
            const float *sr = sums + b * stride + (size_t)r * lds;
            for (int c = 0; c < cols; c += 16) {
                const __mmask16 m = lanes(cols - c);
                _mm512_mask_storeu_ps(zr + c, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, zr + c), _mm512_maskz_loadu_ps(m, sr + c)));
            }
        }
    }
}

AVX512 void optlab_column_nonzeros(int rows, int cols, const float *x, int ldx, int *counts) {
    const int chunks = (cols + 15) / 16;
    for (int c = 0; c < chunks; c++) counts[c] = 0;
    for (int r = 0; r < rows; r++) {
        const float *row = x + (size_t)r * ldx;
        for (int c = 0; c < chunks; c++) counts[c] += __builtin_popcount(nonzero16(row + 16 * c, lanes(cols - 16 * c)));
    }
}

AVX512 void optlab_sparse_product_nn(int rows, int cols, int inner,
                                     const float *x, int ldx, const float *w, int ldw,
                                     float *z, int ldz, const int *block_ends, int blocks) {
    int order[PANEL];
    for (int p0 = 0; p0 < rows; p0 += PANEL) {
        const int n = rows - p0 < PANEL ? rows - p0 : PANEL;
        optlab_sparse_order(n, inner, x + (size_t)p0 * ldx, ldx, order);
        for (int i = 0; i < n; i++) order[i] += p0;
        optlab_sparse_product_nn_part(n, order, cols, inner, x, ldx, w, ldw, z, ldz, block_ends, blocks, 0, inner, NULL, 0, 0);
    }
}

// ---------------------------------------------------------------------------------------
// G = Xᵀ·D. G's rows (X's columns) go in groups of GROUP neighbours, which in an image are
// zero together; for every inner block, each group lists the rows of X (samples) where
// any of its columns is nonzero, and only those rows' D rows are loaded, each multiplied
// by the group's GROUP entries. Outputs go in chunks of WIDTH·16 columns.

// One group of `have` (≤ GROUP) neighbouring output rows: chains over the listed rows of
// X, for `width` vectors of output columns, written to the group's rows of G.
AVX512 static inline __attribute__((always_inline)) void tn_group(
    const float *x, int ldx, const float *d, int ldd, const int *rows, int count, int have,
    const __mmask16 *mask, float *gr, int ldg, int first_block, const int width) {
    __m512 a0[WIDTH], a1[WIDTH], a2[WIDTH], a3[WIDTH];
    for (int v = 0; v < width; v++) {
        a0[v] = _mm512_setzero_ps(); a1[v] = _mm512_setzero_ps();
        a2[v] = _mm512_setzero_ps(); a3[v] = _mm512_setzero_ps();
    }
    // In the last, narrower group, missing columns of X count as 0 and their
    // accumulators are never stored.
    const int h1 = have > 1, h2 = have > 2, h3 = have > 3;
    for (int e = 0; e < count; e++) {
        const int r = rows[e];
        const float *xr = x + (size_t)r * ldx;
        const float *dr = d + (size_t)r * ldd;
        __m512 dv[WIDTH];
        for (int v = 0; v < width; v++) dv[v] = _mm512_maskz_loadu_ps(mask[v], dr + 16 * v);
        const __m512 x0 = _mm512_set1_ps(xr[0]), x1 = _mm512_set1_ps(h1 ? xr[1] : 0.0f);
        const __m512 x2 = _mm512_set1_ps(h2 ? xr[2] : 0.0f), x3 = _mm512_set1_ps(h3 ? xr[3] : 0.0f);
        for (int v = 0; v < width; v++) {
            a0[v] = _mm512_fmadd_ps(x0, dv[v], a0[v]);
            a1[v] = _mm512_fmadd_ps(x1, dv[v], a1[v]);
            a2[v] = _mm512_fmadd_ps(x2, dv[v], a2[v]);
            a3[v] = _mm512_fmadd_ps(x3, dv[v], a3[v]);
        }
    }
    // The first block is added to a zeroed output (beta = 0), as a blocked kernel does:
    // +0 + acc (which turns a -0 into +0).
    store_row(gr, first_block, mask, a0, width);
    if (have > 1) store_row(gr + ldg, first_block, mask, a1, width);
    if (have > 2) store_row(gr + 2 * (size_t)ldg, first_block, mask, a2, width);
    if (have > 3) store_row(gr + 3 * (size_t)ldg, first_block, mask, a3, width);
}

AVX512 void optlab_sparse_product_tn(int outs, int cols, int inner,
                                     const float *x, int ldx, const float *d, int ldd,
                                     float *g, int ldg, const int *block_ends, int blocks) {
    const int groups = (outs + GROUP - 1) / GROUP;
    for (int b = 0, r0 = 0; b < blocks; r0 = block_ends[b], b++) {
        const int r1 = block_ends[b], span = r1 - r0;
        // list[groups · span] | length[groups]
        int *list = scratch_of(0, ((size_t)groups * span + groups) * sizeof(int));
        int *length = list + (size_t)groups * span;
        // Row by row, 16 columns (4 groups) at a time: a group's bit is set when any of
        // its 4 columns is nonzero, and the row joins the lists of those groups.
        _Static_assert(GROUP == 4, "the group bits below assume groups of 4 columns");
        for (int q = 0; q < groups; q++) length[q] = 0;
        for (int r = r0; r < r1; r++) {
            const float *xr = x + (size_t)r * ldx;
            for (int k = 0; k < outs; k += 16) {
                unsigned m = nonzero16(xr + k, lanes(outs - k));
                unsigned any = (m | m >> 1 | m >> 2 | m >> 3) & 0x1111u;
                while (any) {
                    const int q = (k + __builtin_ctz(any)) >> 2;
                    any &= any - 1;
                    list[(size_t)q * span + length[q]++] = r;
                }
            }
        }
        for (int c0 = 0; c0 < cols; c0 += WIDTH * 16) {
            const int width = cols - c0 >= WIDTH * 16 ? WIDTH : (cols - c0 + 15) / 16;
            __mmask16 mask[WIDTH];
            for (int v = 0; v < WIDTH; v++) mask[v] = lanes(cols - c0 - 16 * v);
            for (int q = 0; q < groups; q++) {
                const int first = q * GROUP, have = outs - first < GROUP ? outs - first : GROUP;
                const int *mine = list + (size_t)q * span;
                float *gr = g + (size_t)first * ldg + c0;
                switch (width) {
                case 4: tn_group(x + first, ldx, d + c0, ldd, mine, length[q], have, mask, gr, ldg, b == 0, 4); break;
                case 3: tn_group(x + first, ldx, d + c0, ldd, mine, length[q], have, mask, gr, ldg, b == 0, 3); break;
                case 2: tn_group(x + first, ldx, d + c0, ldd, mine, length[q], have, mask, gr, ldg, b == 0, 2); break;
                default: tn_group(x + first, ldx, d + c0, ldd, mine, length[q], have, mask, gr, ldg, b == 0, 1); break;
                }
            }
        }
    }
}

AVX512 static long zeros_if_finite_avx512(const float *values, long count) {
    // v·0 is 0 for finite v and NaN for ±∞ or NaN, and a NaN stays in the sum; zeros are
    // counted per lane.
    const __m512 zero = _mm512_setzero_ps();
    const __m512i one = _mm512_set1_epi32(1);
    __m512 p0 = zero, p1 = zero;
    __m512i c0 = _mm512_setzero_si512(), c1 = _mm512_setzero_si512();
    long i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512 u = _mm512_loadu_ps(values + i), v = _mm512_loadu_ps(values + i + 16);
        p0 = _mm512_fmadd_ps(u, zero, p0);
        p1 = _mm512_fmadd_ps(v, zero, p1);
        c0 = _mm512_mask_add_epi32(c0, _mm512_cmp_ps_mask(u, zero, _CMP_EQ_OQ), c0, one);
        c1 = _mm512_mask_add_epi32(c1, _mm512_cmp_ps_mask(v, zero, _CMP_EQ_OQ), c1, one);
    }
    for (; i < count; i += 16) {
        __mmask16 valid = lanes((int)(count - i));
        __m512 u = _mm512_maskz_loadu_ps(valid, values + i);
        p0 = _mm512_fmadd_ps(u, zero, p0);
        c0 = _mm512_mask_add_epi32(c0, _mm512_mask_cmp_ps_mask(valid, u, zero, _CMP_EQ_OQ), c0, one);
    }
    __m512 p = _mm512_add_ps(p0, p1);
    if (_mm512_cmp_ps_mask(p, p, _CMP_UNORD_Q)) return -1;
    // Lane counts stay below 2^31 for any count below 2^35.
    return (long)_mm512_reduce_add_epi32(c0) + (long)_mm512_reduce_add_epi32(c1);
}

AVX512 static int all_finite_avx512(const float *values, long count) {
    __m512 p0 = _mm512_setzero_ps(), p1 = _mm512_setzero_ps(), p2 = _mm512_setzero_ps(), p3 = _mm512_setzero_ps();
    const __m512 zero = _mm512_setzero_ps();
    long i = 0;
    for (; i + 64 <= count; i += 64) {
        p0 = _mm512_fmadd_ps(_mm512_loadu_ps(values + i), zero, p0);
        p1 = _mm512_fmadd_ps(_mm512_loadu_ps(values + i + 16), zero, p1);
        p2 = _mm512_fmadd_ps(_mm512_loadu_ps(values + i + 32), zero, p2);
        p3 = _mm512_fmadd_ps(_mm512_loadu_ps(values + i + 48), zero, p3);
    }
    for (; i < count; i += 16) {
        __mmask16 valid = lanes((int)(count - i));
        p0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(valid, values + i), zero, p0);
    }
    __m512 p = _mm512_add_ps(_mm512_add_ps(p0, p1), _mm512_add_ps(p2, p3));
    return _mm512_cmp_ps_mask(p, p, _CMP_UNORD_Q) ? 0 : 1;
}

int optlab_all_finite(const float *values, long count) {
    return optlab_sparse_available() ? all_finite_avx512(values, count) : all_finite_scalar(values, count);
}

long optlab_zeros_if_finite(const float *values, long count) {
    return optlab_sparse_available() ? zeros_if_finite_avx512(values, count) : zeros_if_finite_scalar(values, count);
}

long optlab_sparse_row_profile(const float *row, int inner, int *nnz, int *span) {
    return optlab_sparse_available() ? row_profile_avx512(row, inner, nnz, span) : row_profile_scalar(row, inner, nnz, span);
}

#else

int optlab_sparse_available(void) { return 0; }
void optlab_sparse_product_nn(int rows, int cols, int inner, const float *x, int ldx, const float *w, int ldw,
                              float *z, int ldz, const int *block_ends, int blocks) { abort(); }
void optlab_sparse_product_tn(int outs, int cols, int inner, const float *x, int ldx, const float *d, int ldd,
                              float *g, int ldg, const int *block_ends, int blocks) { abort(); }
void optlab_sparse_order(int rows, int inner, const float *x, int ldx, int *order) { abort(); }
void optlab_column_nonzeros(int rows, int cols, const float *x, int ldx, int *counts) { abort(); }
void optlab_sparse_product_nn_part(int count, const int *order, int cols, int inner,
                                   const float *x, int ldx, const float *w, int ldw, float *z, int ldz,
                                   const int *block_ends, int blocks, int k_begin, int k_end,
                                   float *partial, int ldp, int dense) { abort(); }
void optlab_sparse_block_sums(int count, const int *order, int cols, int inner, const float *x, int ldx,
                              const float *w, int ldw, const int *block_ends, int blocks, int first_block,
                              float *sums, int lds, int sum_rows, int dense) { abort(); }
void optlab_add_block_sums(int count, const int *order, int cols, float *z, int ldz,
                           const float *sums, int lds, int sum_rows, int block_count) { abort(); }
long optlab_zeros_if_finite(const float *values, long count) { return zeros_if_finite_scalar(values, count); }
long optlab_sparse_row_profile(const float *row, int inner, int *nnz, int *span) {
    return row_profile_scalar(row, inner, nnz, span);
}
void optlab_sparse_order_profiled(int rows, int inner, const int *nnz, const int *span, int *order) { abort(); }
int optlab_all_finite(const float *values, long count) { return all_finite_scalar(values, count); }

#endif

// ---------------------------------------------------------------------------------------
// Hand-over between the two threads of a split product.

#include <sched.h>
#include <stdatomic.h>

void optlab_progress_publish(int *counter, int value) {
    atomic_store_explicit((_Atomic int *)counter, value, memory_order_release);
}

void optlab_progress_wait(const int *counter, int value) {
    for (long spins = 0; atomic_load_explicit((_Atomic const int *)counter, memory_order_acquire) < value; spins++) {
        if (spins < 20000) {
#if defined(__x86_64__)
            _mm_pause();
#endif
        } else {
            sched_yield();
        }
    }
}
