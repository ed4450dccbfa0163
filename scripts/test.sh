#!/usr/bin/env bash
# One command from a fresh Debian 12: install every package (build + real peers), build with
# warnings as errors, run the whole test suite (unit + integration with real peers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
scripts/build.sh -DMERIDIAN_WERROR=ON -DMERIDIAN_BUILD_TESTS=ON -DMERIDIAN_BUILD_BENCH=ON
# A short libFuzzer run of every fuzzer: expression and time parsers, regex translation (clang;
# see fuzz/README.md).
FUZZ_BUILD_DIR="${BUILD_DIR:-build}/fuzz" scripts/fuzz.sh 20
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 600
