#!/usr/bin/env bash
# The whole test suite. Release mode: some tests train on real data, and debug builds
# run numeric loops 10-50x slower. Then the integration test against a one-node Slurm
# cluster (needs root; OPTLAB_SKIP_SLURM=1 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test -c release "$@"
# The products' last bits depend on OpenBLAS's kernels, which OPENBLAS_CORETYPE or
# OpenBLAS's own detection choose when the library loads. When optlab, left to itself,
# would run other kernels than the tests just had (its AVX-512 ones, say, where the
# environment asks for Haswell), the whole suite runs again with those.
if [ $# -eq 0 ]; then
  swift build -c release --product optlab > /dev/null
  kernels() { "$@" .build/release/optlab --version | sed -n 's/.*; OpenBLAS kernels: //p'; }
  tested=$(kernels env OPTLAB_KEEP_BLAS_CORE=1)
  preferred=$(kernels env -u OPENBLAS_CORETYPE)
  if [ -n "$preferred" ] && [ "$preferred" != "$tested" ]; then
    echo "The tests again with OpenBLAS's $preferred kernels (optlab's own choice here; the run above had $tested)"
    OPENBLAS_CORETYPE=$preferred swift test -c release --skip-build
  fi
fi
if [ "${OPTLAB_SKIP_SLURM:-0}" = 1 ]; then
  echo "Slurm integration test left out (OPTLAB_SKIP_SLURM=1)"
else
  bash Tests/Integration/slurm.sh
fi
