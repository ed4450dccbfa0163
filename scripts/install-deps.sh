#!/usr/bin/env bash
# Installs every Debian package Meridian needs to build, test and benchmark.
# Usage: scripts/install-deps.sh [build|test]   (default: test = build + real peers for tests)
# Package daemons are kept from starting (policy-rc.d): tests start their own peers in temp dirs.
set -euo pipefail
what=${1:-test}

build_pkgs=(cmake g++ make pkg-config git netcat-openbsd curl
  librocksdb-dev libboost-dev libfmt-dev nlohmann-json3-dev libcpp-httplib-dev libyaml-cpp-dev
  zlib1g-dev libbrotli-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev libre2-dev libssl-dev openssl)
test_pkgs=(graphite-carbon graphite-web python3-whisper carbon-c-relay collectd-core
  victoria-metrics nagios4-core nsca procps clang libclang-rt-14-dev
  chromium  # the browser tests (test/browser) drive Debian's chromium through playwright-core
  # the package test (test/package): dpkg-shlibdeps for cpack, a Debian 12 chroot by debootstrap,
  # systemd-analyze to verify the unit
  dpkg-dev debootstrap systemd)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
# The build installs the pages' chart library with npm (dashboards/web, `npm ci`): Debian's
# Node.js when there is no node/npm on PATH (one installed otherwise is kept).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
# Keep package post-install scripts from starting carbon-cache, collectd, nagios, vmetrics...
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
trap '[ $created_policy = 1 ] && $SUDO rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
