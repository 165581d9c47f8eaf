// Read bandwidth of two threads at once, each summing its own buffer of KB kilobytes
// (argument) repeatedly with AVX-512 loads: GB/s per thread.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static long bytes;
static double rate[2];

__attribute__((target("avx512f"))) static void *reader(void *arg) {
    long id = (long)arg, n = bytes / 4;
    float *b = aligned_alloc(64, bytes);
    for (long i = 0; i < n; i++) b[i] = 1;
    long passes = (long)(2e9 / bytes);
    if (passes < 1) passes = 1;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    double start = now();
    for (long p = 0; p < passes; p++) {
        for (long i = 0; i < n; i += 64) {
            s0 = _mm512_add_ps(s0, _mm512_load_ps(b + i));
            s1 = _mm512_add_ps(s1, _mm512_load_ps(b + i + 16));
            s2 = _mm512_add_ps(s2, _mm512_load_ps(b + i + 32));
            s3 = _mm512_add_ps(s3, _mm512_load_ps(b + i + 48));
        }
    }
    double seconds = now() - start;
    float out[16];
    _mm512_storeu_ps(out, _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    if (out[0] == -1) printf("unreachable\n");  // keeps the sums
    rate[id] = passes * (double)bytes / seconds / 1e9;
    free(b);
    return 0;
}

int main(int argc, char **argv) {
    bytes = (argc > 1 ? atol(argv[1]) : 65536) * 1024;
    bytes -= bytes % 256;
    pthread_t threads[2];
    for (long i = 0; i < 2; i++) pthread_create(&threads[i], 0, reader, (void *)i);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], 0);
    printf("%.0f %.0f\n", rate[0], rate[1]);
    return 0;
}
