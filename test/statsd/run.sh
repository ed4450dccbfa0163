#!/bin/sh
# ctest driver for the statsd test: installs the pinned statsd (npm ci, again only when the
# lockfile changed; optional native modules skipped) into BUILD_DIR/statsd_tests — never in the
# source tree — then runs node's test runner on test/statsd/*.test.mjs against MERIDIAN_BINARY.
# usage: run.sh BUILD_DIR MERIDIAN_BINARY [node --test args...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
binary=$2
shift 2
command -v node >/dev/null || { echo "statsd test: node not found (scripts/install-deps.sh test)" >&2; exit 1; }
work=$build/statsd_tests
mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -f "$work/node_modules/statsd/stats.js" ]; then
  rm -f "$work/package-lock.json"
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --omit=optional --no-audit --no-fund --prefer-offline >/dev/null) || {
    echo "statsd test: npm ci failed in $work (needs the npm registry or its cache)" >&2; exit 1; }
fi
export MERIDIAN_BINARY="$binary"
export MERIDIAN_STATSD="$work/node_modules/statsd/stats.js"
exec node --test --test-concurrency=1 "$@" "$here"/*.test.mjs
