// Seconds for 400 million AVX-512 fused multiply-adds (eight independent chains, registers
// only) on each of N threads at once (argument: 1 or 2).
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

static double seconds[2];

__attribute__((target("avx512f"))) static void *worker(void *arg) {
    long id = (long)arg;
    double start = now();
    const __m512 m = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
    __m512 a0 = _mm512_set1_ps(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (long i = 0; i < 50000000; i++) {
        a0 = _mm512_fmadd_ps(a0, m, c);
        a1 = _mm512_fmadd_ps(a1, m, c);
        a2 = _mm512_fmadd_ps(a2, m, c);
        a3 = _mm512_fmadd_ps(a3, m, c);
        a4 = _mm512_fmadd_ps(a4, m, c);
        a5 = _mm512_fmadd_ps(a5, m, c);
        a6 = _mm512_fmadd_ps(a6, m, c);
        a7 = _mm512_fmadd_ps(a7, m, c);
    }
    __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                               _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    float out[16];
    _mm512_storeu_ps(out, sum);
    if (out[0] == 12345) printf("unreachable\n");  // keeps the chains
    seconds[id] = now() - start;
    return 0;
}

int main(int argc, char **argv) {
    int n = argc > 1 && atoi(argv[1]) == 1 ? 1 : 2;
    pthread_t threads[2];
    for (long i = 0; i < n; i++) pthread_create(&threads[i], 0, worker, (void *)i);
    for (int i = 0; i < n; i++) pthread_join(threads[i], 0);
    printf("%d threads: %.3f %.3f s\n", n, seconds[0], n > 1 ? seconds[1] : 0.0);
    return 0;
}
