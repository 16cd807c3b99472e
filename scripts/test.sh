#!/usr/bin/env bash
# README command (2): install dependencies, build, run every test (unit,
# interop against npm canonicalize / @sigstore/core / b3sum, CLI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ZASTAVA_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/build.sh"
ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)" --timeout 900 "$@"
