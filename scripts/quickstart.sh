#!/usr/bin/env bash
# From a fresh clone: install what is missing, build in release mode, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
.build/release/optlab demo --out results/demo
# The showcase suite: surfaces and a Fashion-MNIST subset, with figures in plots/showcase/.
.build/release/optlab run experiments/showcase.yaml --resume
