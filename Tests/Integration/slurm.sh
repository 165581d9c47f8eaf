#!/usr/bin/env bash
# Integration test against a real (one-node) Slurm cluster, brought up by
# scripts/slurm-local.sh. Needs root: the Slurm daemons run as root.
#
#  1. `optlab slurm experiments/cluster-smoke.yaml --shards 3 --submit`, wait for the array,
#     `optlab merge`: runs.csv, epochs.csv and trajectories.csv must equal, row for row,
#     those of the same suite run locally without shards (timing columns excepted).
#  2. The same, with a merge while tasks run (it must list missing runs), and one array
#     task cancelled mid-shard: the merge must report its shard as incomplete;
#     `sbatch --array=I` resubmits it alone, it resumes (it says how many runs were already
#     complete), and the merged result must again equal the local one.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
suite=experiments/cluster-smoke.yaml
optlab=$root/.build/release/optlab
timeout=${OPTLAB_SLURM_TEST_TIMEOUT:-300}

fail() { echo "FAIL slurm: $*" >&2; exit 1; }
step() { echo "-- slurm: $*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root to run the Slurm daemons (run the tests as root, or set OPTLAB_SKIP_SLURM=1 to leave this test out)"
[ -x "$optlab" ] || swift build -c release --product optlab

# Use a local cluster that is already up; otherwise start one and stop it at the end.
started=0
if ! bash scripts/slurm-local.sh status >/dev/null 2>&1; then
  bash scripts/slurm-local.sh start
  started=1
fi
eval "$(bash scripts/slurm-local.sh env)"
work=$(mktemp -d /tmp/optlab-slurm-test.XXXXXX)
cleanup() {
  [ $started -eq 1 ] && bash scripts/slurm-local.sh stop || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits until no task of job $1 is queued or running.
wait_for_job() {
  local waited=0
  while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null || true)" ]; do
    sleep 1
    waited=$((waited + 1))
    [ $waited -le "$timeout" ] || { scancel "$1" || true; fail "job $1 still running after ${timeout} s"; }
  done
}

# "I=STATE" per array task of job $1, from the controller (no accounting database here).
task_states() {
  scontrol -o show job "$1" | sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*/\1=\2/p' | sort
}

# A CSV without its timing columns (they differ between any two runs of anything).
untimed() {
  awk -F, -v OFS=, '
    NR == 1 { for (i = 1; i <= NF; i++) drop[i] = ($i == "wall_seconds" || $i == "seconds") }
    { line = ""; sep = ""
      for (i = 1; i <= NF; i++) if (!drop[i]) { line = line sep $i; sep = OFS }
      print line }' "$1"
}

# The merged results in $1 must equal the local run's, file by file and row by row.
compare_with_local() {
  for file in runs.csv epochs.csv trajectories.csv; do
    local rows
    rows=$(($(wc -l <"$work/local/cluster-smoke/$file") - 1))
    [ "$rows" -gt 0 ] || fail "the local run wrote no rows to $file"
    if ! diff <(untimed "$work/local/cluster-smoke/$file") <(untimed "$1/cluster-smoke/$file") >"$work/diff.txt"; then
      head -n 20 "$work/diff.txt" >&2
      fail "$1/cluster-smoke/$file differs from the local run"
    fi
    echo "   $file: $rows rows equal to the local run"
  done
}

submit() {  # prints the job id
  local printed
  printed=$("$optlab" slurm "$suite" --shards 3 --out "$1" --submit)
  echo "$printed" >&2
  echo "$printed" | sed -n 's/^submitted job array \([0-9]*\) .*/\1/p'
}

step "the suite locally, without shards"
"$optlab" run "$suite" --out "$work/local" --no-plots --jobs 2 >/dev/null

step "test 1: the suite as a 3-task job array"
job=$(submit "$work/array")
[ -n "$job" ] || fail "optlab slurm --submit printed no job id"
[ -f "$work/array/cluster-smoke/slurm/array.sbatch" ] || fail "no array.sbatch written"
wait_for_job "$job"
states=$(task_states "$job" | tr '\n' ' ')
[ "$states" = "0=COMPLETED 1=COMPLETED 2=COMPLETED " ] || fail "task states: $states"
for i in 0 1 2; do
  grep -q "shard $i/3 done" "$work/array/cluster-smoke/slurm/logs/${job}_$i.out" || fail "task $i's log does not end its shard"
done
"$optlab" merge "$work/array/cluster-smoke" | tee "$work/merge.txt"
grep -q "all shards complete" "$work/merge.txt" || fail "merge did not find every shard complete"
compare_with_local "$work/array"

step "test 2: cancel task 1 mid-shard, resubmit it alone"
job=$(submit "$work/killed")
[ -n "$job" ] || fail "optlab slurm --submit printed no job id"
shard1=$work/killed/cluster-smoke/shards/shard-1-of-3/runs.csv
waited=0
# Cancel as soon as task 1 has finished one run: its network runs are still ahead of it.
until [ -f "$shard1" ] && [ "$(wc -l <"$shard1")" -ge 2 ]; do
  sleep 0.1
  waited=$((waited + 1))
  [ $waited -le $((timeout * 10)) ] || fail "task 1 wrote no run within ${timeout} s"
done
# A merge while tasks are still running: it succeeds and lists what is missing.
"$optlab" merge "$work/killed/cluster-smoke" | tee "$work/merge.txt"
grep -q "runs missing" "$work/merge.txt" || fail "a merge during the run did not list missing runs"
scancel "${job}_1"
wait_for_job "$job"
states=$(task_states "$job" | tr '\n' ' ')
case $states in "0=COMPLETED 1=CANCELLED 2=COMPLETED ") ;; *) fail "task states after cancelling task 1: $states" ;; esac
"$optlab" merge "$work/killed/cluster-smoke" | tee "$work/merge.txt"
grep -q "shard-1-of-3: [0-9]* runs missing" "$work/merge.txt" || fail "merge did not report shard 1 as incomplete"
grep -q "all shards complete" "$work/merge.txt" && fail "merge called an interrupted array complete"
again=$(sbatch --parsable --array=1 "$work/killed/cluster-smoke/slurm/array.sbatch" | cut -d';' -f1)
wait_for_job "$again"
states=$(task_states "$again" | tr '\n' ' ')
[ "$states" = "1=COMPLETED " ] || fail "resubmitted task: $states"
grep -Eq "[1-9][0-9]* already complete" "$work/killed/cluster-smoke/slurm/logs/${again}_1.out" ||
  fail "the resubmitted task did not resume its shard (see ${again}_1.out)"
"$optlab" merge "$work/killed/cluster-smoke" | tee "$work/merge.txt"
grep -q "all shards complete" "$work/merge.txt" || fail "merge after the resubmission is incomplete"
compare_with_local "$work/killed"

echo "PASS slurm: job arrays, merge, cancel and resubmit"
