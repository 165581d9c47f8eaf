// Nanoseconds per round trip of one cache line between two threads (C11 atomics,
// 200,000 round trips): one thread writes an odd value, the other answers with the next.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define ROUND_TRIPS 200000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static _Alignas(64) _Atomic int line;

static void *answerer(void *arg) {
    (void)arg;
    for (int i = 0; i < ROUND_TRIPS; i++) {
        while (atomic_load_explicit(&line, memory_order_acquire) != 2 * i + 1) {}
        atomic_store_explicit(&line, 2 * i + 2, memory_order_release);
    }
    return 0;
}

int main(void) {
    pthread_t other;
    pthread_create(&other, 0, answerer, 0);
    double start = now();
    for (int i = 0; i < ROUND_TRIPS; i++) {
        atomic_store_explicit(&line, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&line, memory_order_acquire) != 2 * i + 2) {}
    }
    double elapsed = now() - start;
    pthread_join(other, 0);
    printf("%.0f\n", elapsed / ROUND_TRIPS * 1e9);
    return 0;
}
