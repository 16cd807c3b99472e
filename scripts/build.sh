#!/usr/bin/env bash
# Configures (once) and builds Zastava with Ninja into ${ZASTAVA_BUILD_DIR:-build}.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ZASTAVA_BUILD_DIR:-$ROOT/build}"
# Let ccache share results between clones of the repo in different places
# (CI builds a fresh clone each time): paths are made relative to the repo
# and the working directory is left out of the hash.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${ZASTAVA_BUILD_TYPE:-RelWithDebInfo}" \
    -DZASTAVA_NPM_DIR="${ZASTAVA_NPM_DIR:-$ROOT/.deps/npm}"
fi
cmake --build "$BUILD_DIR" -- ${ZASTAVA_NINJA_FLAGS:-}
