#!/bin/sh
# ctest driver for the browser tests: installs the pinned playwright-core (npm ci, again only
# when the lockfile changed) into BUILD_DIR/browser_tests — never in the source tree — then runs
# node's test runner on test/browser/*.test.mjs against MERIDIAN_BINARY with Debian's chromium.
# usage: run.sh BUILD_DIR MERIDIAN_BINARY [node --test args...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
binary=$2
shift 2
chromium=${MERIDIAN_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "browser tests: chromium not found at $chromium (scripts/install-deps.sh test installs Debian's chromium; or set MERIDIAN_CHROMIUM)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "browser tests: node not found (scripts/install-deps.sh test)" >&2; exit 1; }
work=$build/browser_tests
mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/playwright-core" ]; then
  rm -f "$work/package-lock.json"
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --prefer-offline >/dev/null) || {
    echo "browser tests: npm ci failed in $work (needs the npm registry or its cache)" >&2; exit 1; }
fi
export MERIDIAN_BINARY="$binary"
export MERIDIAN_NODE_MODULES="$work/node_modules"
export MERIDIAN_CHROMIUM="$chromium"
export MERIDIAN_ARTIFACTS="${MERIDIAN_ARTIFACTS:-$build/test-artifacts/browser}"
exec node --test --test-concurrency=1 "$@" "$here"/*.test.mjs
