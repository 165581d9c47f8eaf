#ifndef OPTLAB_PARALLEL_H
#define OPTLAB_PARALLEL_H

// A fixed team of threads for short data-parallel regions inside one training run.
//
// optlab_team_run(team, task, context) calls task(context, part, parts) once for every
// part in 0..<parts, part 0 on the calling thread and the others on the team's workers,
// and returns when all have finished. A training step opens a dozen such regions of
// 10-500 microseconds each, so waking a worker must cost far less than a microsecond:
// idle workers spin on a generation counter for 2 milliseconds before
// they sleep on a condition variable, and the caller only takes the lock to wake
// sleepers. A team of one thread runs every task inline and starts no threads.

typedef void (*optlab_task)(void *context, int part, int parts);
typedef struct optlab_team optlab_team;

// A team of `threads` threads in all (the caller included); NULL if a thread cannot be
// started. threads < 1 counts as 1.
optlab_team *optlab_team_create(int threads);
int optlab_team_size(const optlab_team *team);
void optlab_team_run(optlab_team *team, optlab_task task, void *context);
// Processors this process may run on (its affinity mask: what taskset, cpusets and
// Slurm allocations leave it), at least 1.
int optlab_available_processors(void);
// Stops and joins the workers.
void optlab_team_destroy(optlab_team *team);

#endif
