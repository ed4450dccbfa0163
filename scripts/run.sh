#!/usr/bin/env bash
# One command from a fresh Debian 12: install build packages, build, run `meridian serve` with
# the embedded default config (data in ./data, Graphite :2003 TCP+UDP, HTTP :8080).
# Arguments are passed to `meridian serve` (e.g. --config meridian.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
scripts/build.sh -DMERIDIAN_BUILD_TESTS=OFF -DMERIDIAN_BUILD_BENCH=OFF
exec build/app/meridian serve "$@"
