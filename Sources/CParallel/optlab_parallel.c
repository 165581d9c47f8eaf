#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT
#include "optlab_parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

// How long an idle worker spins before it sleeps. Between the regions of one training
// step the calling thread runs short serial parts (the loss, bias sums); a worker that
// slept through them would add a wake-up (tens of microseconds) to every region.
enum { SPIN_NANOSECONDS = 2000000, PAUSES_PER_CLOCK_READ = 64 };

static long long monotonic_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

struct worker {
    optlab_team *team;
    int part;
    pthread_t thread;
};

struct optlab_team {
    int size;
    struct worker *workers;  // size - 1 of them
    // The current region, published by bumping `generation`.
    optlab_task task;
    void *context;
    _Atomic unsigned long generation;
    _Atomic int remaining;   // workers still running the current region
    _Atomic int sleepers;
    _Atomic int stopping;
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

static void *worker_main(void *argument) {
    struct worker *self = argument;
    optlab_team *team = self->team;
    unsigned long seen = 0;
    for (;;) {
        unsigned long generation = atomic_load_explicit(&team->generation, memory_order_acquire);
        long long deadline = 0;
        for (int spin = 1; generation == seen; spin++) {
            CPU_RELAX();
            generation = atomic_load_explicit(&team->generation, memory_order_acquire);
            if (spin % PAUSES_PER_CLOCK_READ == 0) {
                // Give the processor away if another thread is waiting for it (more
                // threads than processors: a spinning worker would otherwise hold up the
                // very thread it waits for).
                sched_yield();
                long long now = monotonic_nanoseconds();
                if (deadline == 0) deadline = now + SPIN_NANOSECONDS;
                else if (now > deadline) break;
            }
        }
        if (generation == seen) {
            pthread_mutex_lock(&team->lock);
            atomic_fetch_add(&team->sleepers, 1);
            // Sequentially consistent, as in publish(): a worker that counts itself as a
            // sleeper either sees the new generation here or is seen by the publisher.
            while ((generation = atomic_load(&team->generation)) == seen)
                pthread_cond_wait(&team->wake, &team->lock);
            atomic_fetch_sub(&team->sleepers, 1);
            pthread_mutex_unlock(&team->lock);
        }
        seen = generation;
        if (atomic_load_explicit(&team->stopping, memory_order_acquire)) return NULL;
        team->task(team->context, self->part, team->size);
        atomic_fetch_sub_explicit(&team->remaining, 1, memory_order_acq_rel);
    }
}

optlab_team *optlab_team_create(int threads) {
    optlab_team *team = calloc(1, sizeof *team);
    if (!team) return NULL;
    team->size = threads < 1 ? 1 : threads;
    pthread_mutex_init(&team->lock, NULL);
    pthread_cond_init(&team->wake, NULL);
    if (team->size == 1) return team;
    team->workers = calloc((size_t)team->size - 1, sizeof *team->workers);
    if (!team->workers) { free(team); return NULL; }
    for (int i = 0; i < team->size - 1; i++) {
        team->workers[i].team = team;
        team->workers[i].part = i + 1;
        if (pthread_create(&team->workers[i].thread, NULL, worker_main, &team->workers[i]) != 0) {
            team->size = i + 1;  // the workers started so far
            optlab_team_destroy(team);
            return NULL;
        }
    }
    return team;
}

int optlab_team_size(const optlab_team *team) { return team->size; }

int optlab_available_processors(void) {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

static void publish(optlab_team *team) {
    atomic_fetch_add(&team->generation, 1);
    if (atomic_load(&team->sleepers) > 0) {
        pthread_mutex_lock(&team->lock);
        pthread_cond_broadcast(&team->wake);
        pthread_mutex_unlock(&team->lock);
    }
}

void optlab_team_run(optlab_team *team, optlab_task task, void *context) {
    if (team->size == 1) { task(context, 0, 1); return; }
    team->task = task;
    team->context = context;
    atomic_store_explicit(&team->remaining, team->size - 1, memory_order_relaxed);
    publish(team);
    task(context, 0, team->size);
    for (int spin = 1; atomic_load_explicit(&team->remaining, memory_order_acquire) > 0; spin++) {
        CPU_RELAX();
        if (spin % PAUSES_PER_CLOCK_READ == 0) sched_yield();
    }
}

void optlab_team_destroy(optlab_team *team) {
    if (!team) return;
    if (team->size > 1) {
        atomic_store_explicit(&team->stopping, 1, memory_order_release);
        publish(team);
        for (int i = 0; i < team->size - 1; i++) pthread_join(team->workers[i].thread, NULL);
    }
    free(team->workers);
    pthread_mutex_destroy(&team->lock);
    pthread_cond_destroy(&team->wake);
    free(team);
}
