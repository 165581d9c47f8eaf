#!/usr/bin/env bash
# The whole test suite. Release mode: some tests train on real data, and debug builds
# run numeric loops 10-50x slower. Then the integration test against a one-node Slurm
# cluster (needs root; OPTLAB_SKIP_SLURM=1 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test -c release "$@"
if [ "${OPTLAB_SKIP_SLURM:-0}" = 1 ]; then
  echo "Slurm integration test left out (OPTLAB_SKIP_SLURM=1)"
else
  bash Tests/Integration/slurm.sh
fi
