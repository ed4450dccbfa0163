#!/usr/bin/env bash
# Builds the Debian package into the build directory: scripts/package.sh [BUILD_DIR]
# (default: $BUILD_DIR or ./build) → BUILD_DIR/meridian_<version>-1_<arch>.deb, and prints its path.
# Needs dpkg-dev (dpkg-shlibdeps computes the library dependencies). The package is laid out for
# prefix /usr (the project's default); a build directory configured with another prefix is
# reconfigured with -DCMAKE_INSTALL_PREFIX=/usr first (nothing is recompiled for that).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${BUILD_DIR:-build}}
command -v dpkg-shlibdeps >/dev/null || { echo "package.sh: needs dpkg-dev (apt-get install dpkg-dev)" >&2; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
    -DMERIDIAN_BUILD_TESTS=OFF -DMERIDIAN_BUILD_BENCH=OFF >/dev/null
fi
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
if [ "$prefix" != /usr ]; then
  echo "package.sh: $build has CMAKE_INSTALL_PREFIX=$prefix; reconfiguring with /usr" >&2
  cmake -DCMAKE_INSTALL_PREFIX=/usr "$build" >/dev/null
fi
cmake --build "$build" --target meridian -j"$(nproc)" >&2
rm -f "$build"/meridian_*.deb
(cd "$build" && cpack -G DEB >&2)
ls "$build"/meridian_*.deb
