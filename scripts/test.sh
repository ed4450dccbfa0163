#!/usr/bin/env bash
# One command from a fresh Debian 12: install every package (build + real peers), build with
# warnings as errors, run the whole test suite (unit + integration with real peers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
scripts/build.sh -DMERIDIAN_WERROR=ON -DMERIDIAN_BUILD_TESTS=ON -DMERIDIAN_BUILD_BENCH=ON
# A short, reproducible libFuzzer run of every fuzzer (fixed seed and input count; clang; see
# fuzz/README.md): expressions, times, regexes, HTTP requests, ingest lines, pickle frames,
# whole renders.
FUZZ_BUILD_DIR="${BUILD_DIR:-build}/fuzz" FUZZ_RUNS=20000 scripts/fuzz.sh 60
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 600
