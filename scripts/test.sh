#!/usr/bin/env bash
# The whole test suite. Release mode: some tests train on real data, and debug builds
# run numeric loops 10-50x slower.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test -c release "$@"
