#ifndef OPTLAB_SPARSE_H
#define OPTLAB_SPARSE_H

// Matrix products that skip the zero entries of a sparse left operand (image pixels:
// half of a Fashion-MNIST image and four fifths of an MNIST digit are exactly 0) while
// giving every output element the bits a blocked BLAS kernel gives it.
//
// The contract these functions reproduce: each output element is accumulated by one
// chain of fused multiply-adds, acc = fma(a_k, b_k, acc) starting from +0, in increasing
// k, restarted at every boundary in `block_ends` (the inner-dimension blocks of the BLAS
// driver), and every finished block is added to the output element (c = c + acc). A term
// whose a_k is 0 leaves a chain unchanged when every operand is finite (0·b + acc = acc,
// and +0 + -0 = +0), so skipping it changes no bit. The caller checks that the operands
// are finite and that the BLAS it stands in for follows this contract (the library
// compares the two on random products of the shapes it uses before trusting it).
//
// Both need AVX-512F; optlab_sparse_available() says whether the processor has it.

// 1 when the processor can run the kernels below, else 0.
int optlab_sparse_available(void);

// z[r·ldz + j] += Σ_k x[r·ldx + k]·w[k·ldw + j] for r < rows, j < cols, k < inner:
// a row-major product X·W added to Z (beta = 1), X the sparse operand.
// block_ends: the end of each inner block, increasing, the last equal to inner.
void optlab_sparse_product_nn(int rows, int cols, int inner,
                              const float *x, int ldx, const float *w, int ldw,
                              float *z, int ldz, const int *block_ends, int blocks);

// The same product in parts. optlab_sparse_order fills order[0..rows) with the row
// indices in the order the kernel groups them (rows sharing their nonzero columns
// together); it does not change any number. optlab_sparse_product_nn_part then computes,
// for the rows order[0..count), only the terms of the inner columns [k_begin, k_end): a
// block that began before k_begin resumes from partial[r·ldp + j], one that goes on past
// k_end leaves its running sum there instead of adding it to z. So two calls over
// [0, s) and [s, inner), the second after the first, give the whole product's bits, and
// the threads owning W's rows [0, s) and [s, inner) need never read each other's rows.
// With `dense`, every column of [k_begin, k_end) is taken, zero or not: the blocked
// kernel's chains exactly, for W rows that are not all finite (0·∞ is NaN).
void optlab_sparse_order(int rows, int inner, const float *x, int ldx, int *order);
// One row's part in that order: its nonzero entries (a NaN counts as one) and the span from
// its first nonzero column to its last (0 without any). Returns the row's zero entries, or
// -1 if an entry is not finite (as optlab_zeros_if_finite). Portable.
long optlab_sparse_row_profile(const float *row, int inner, int *nnz, int *span);
// optlab_sparse_order's order from the rows' profiles.
void optlab_sparse_order_profiled(int rows, int inner, const int *nnz, const int *span, int *order);
// counts[c]: the nonzero entries among columns [16c, 16c + 16) of the rows.
void optlab_column_nonzeros(int rows, int cols, const float *x, int ldx, int *counts);
void optlab_sparse_product_nn_part(int count, const int *order, int cols, int inner,
                                   const float *x, int ldx, const float *w, int ldw, float *z, int ldz,
                                   const int *block_ends, int blocks, int k_begin, int k_end,
                                   float *partial, int ldp, int dense);

// The same chains for a thread that owns W's rows [k, inner) from a block boundary k on
// and need not wait for the rows before it: optlab_sparse_block_sums computes, for rows
// order[0..count), each of the blocks first_block..<blocks on its own, leaving block b's
// raw chain value (not added to anything) at sums[(b − first_block)·sum_rows·lds + r·lds
// + j]; optlab_add_block_sums later adds block_count such blocks to those rows of z in
// block order (z = z + s), which is what the whole product does after the blocks before.
void optlab_sparse_block_sums(int count, const int *order, int cols, int inner,
                              const float *x, int ldx, const float *w, int ldw,
                              const int *block_ends, int blocks, int first_block,
                              float *sums, int lds, int sum_rows, int dense);
void optlab_add_block_sums(int count, const int *order, int cols, float *z, int ldz,
                           const float *sums, int lds, int sum_rows, int block_count);

// g[i·ldg + j] = Σ_r x[r·ldx + i]·d[r·ldd + j] for i < outs, j < cols, r < inner:
// the row-major product Xᵀ·D written over G (beta = 0), X the sparse operand (its
// columns are G's rows). block_ends splits r, as above.
void optlab_sparse_product_tn(int outs, int cols, int inner,
                              const float *x, int ldx, const float *d, int ldd,
                              float *g, int ldg, const int *block_ends, int blocks);

// The number of zero entries among count floats, or -1 if any entry is not finite.
long optlab_zeros_if_finite(const float *values, long count);

// A counter one thread raises (release) and another waits on (acquire) until it reaches
// value: spinning briefly, then yielding the processor.
void optlab_progress_publish(int *counter, int value);
void optlab_progress_wait(const int *counter, int value);

// 1 if every one of count floats is finite, else 0.
int optlab_all_finite(const float *values, long count);

#endif
