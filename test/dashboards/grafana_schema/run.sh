#!/bin/sh
# ctest driver: installs the pinned packages (npm ci, once per lockfile) into BUILD_DIR and
# type-checks the Grafana export's golden files. usage: run.sh BUILD_DIR FILE.json...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$1/grafana_schema
shift
mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --prefer-offline >/dev/null)
fi
exec node "$here/check.mjs" "$work/node_modules" "$@"
