#!/usr/bin/env bash
# The HTTP front-door benchmark of issue 8: Meridian vs VictoriaMetrics, same machine, same run.
# Builds nothing: expects `meridian` and `http_compare` in ./build (or $MERIDIAN_BUILD_DIR), e.g.
#   cmake --build build -j2 --target meridian http_compare
# and Debian's victoria-metrics (scripts/install-deps.sh test). Extra args go to the tool:
#   bench/http_compare.sh --duration 20 --only meridian
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MERIDIAN_BUILD_DIR:-build}
for f in "$build/bench/http_compare" "$build/app/meridian" /usr/bin/victoria-metrics; do
  [[ -x $f ]] || { echo "http_compare.sh: $f missing (see the comment at the top)" >&2; exit 2; }
done
exec "$build/bench/http_compare" --meridian "$build/app/meridian" --vm /usr/bin/victoria-metrics "$@"
