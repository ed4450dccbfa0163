#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang only) and runs each for SECONDS (default 30) on its
# seed corpus. Exits non-zero if a build fails or a fuzzer finds a crash; the crashing input is
# left in $FUZZ_BUILD_DIR/artifacts/.
#
#   scripts/fuzz.sh [SECONDS]            FUZZ_BUILD_DIR (default /tmp/build-fuzz), JOBS (default 2)
#   FUZZERS="expression_fuzzer" scripts/fuzz.sh 120     run only these
#   FUZZ_RUNS=20000 scripts/fuzz.sh 60   reproducible: a fixed seed, a fresh work corpus and that
#                                        many inputs per fuzzer (SECONDS is then only a cap). CI
#                                        uses this: a finding there is one anyone can replay, and
#                                        exploring for new ones is the time-based run's job.
set -euo pipefail

seconds="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-/tmp/build-fuzz}"
jobs="${JOBS:-2}"

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (apt-get install -y clang libclang-rt-14-dev)" >&2
  exit 2
fi

CC=clang CXX=clang++ cmake -S "$root/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"

fuzzers="${FUZZERS:-$(cd "$build" && find . -maxdepth 1 -type f -name '*_fuzzer' -perm -u+x \
  -printf '%f\n' | sort)}"
if [[ -z "$fuzzers" ]]; then
  echo "fuzz.sh: no fuzzers built in $build" >&2
  exit 2
fi

mkdir -p "$build/artifacts"
status=0
for fuzzer in $fuzzers; do
  short="${fuzzer%_fuzzer}"
  seeds="$root/fuzz/corpus/$short"
  work="$build/corpus/$short"  # new inputs go here, never into the checked-in seeds
  args=(-max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -timeout=10
        -rss_limit_mb=2048 -artifact_prefix="$build/artifacts/$fuzzer-")
  mode="${seconds}s"
  if [[ -n "${FUZZ_RUNS:-}" ]]; then
    rm -rf "$work"
    args+=(-runs="$FUZZ_RUNS" -seed=1)
    mode="$FUZZ_RUNS runs, seed 1, cap ${seconds}s"
  fi
  mkdir -p "$work"
  [[ -f "$root/fuzz/dict/$short.dict" ]] && args+=(-dict="$root/fuzz/dict/$short.dict")
  corpora=("$work")
  [[ -d "$seeds" ]] && corpora+=("$seeds")
  echo "== $fuzzer: $mode, seeds ${seeds#$root/}"
  if ! "$build/$fuzzer" "${args[@]}" "${corpora[@]}" 2>"$build/$fuzzer.log"; then
    tail -n 40 "$build/$fuzzer.log" >&2
    echo "== $fuzzer: FAILED (log $build/$fuzzer.log, inputs in $build/artifacts/)" >&2
    status=1
  else
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|cov: ' \
      "$build/$fuzzer.log" | tail -n 4
    echo "== $fuzzer: ok"
  fi
done
exit "$status"
