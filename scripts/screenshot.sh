#!/usr/bin/env bash
# A PNG of the top of an HTML report in headless Chromium (the README's momentum-lab image):
#   scripts/screenshot.sh docs/momentum-lab/report.html docs/momentum-lab/lab.png [WIDTHxHEIGHT]
set -euo pipefail
page=$1 out=$2 size=${3:-1200x1250}
browser=$(command -v chromium || command -v chromium-browser) || { echo "needs chromium (scripts/setup.sh installs it)" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$profile" --no-first-run \
  --disable-background-networking --hide-scrollbars --window-size="${size/x/,}" \
  --screenshot="$(realpath -m "$out")" "file://$(realpath "$page")" 2>/dev/null
echo "wrote $out"
