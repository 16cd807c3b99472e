#!/usr/bin/env bash
# README command (1): the main job on the embedded default. Until the webhook
# lands this is stella's self-check: fresh keys sign an in-toto statement in a
# DSSE envelope, which is then verified (and a tampered copy rejected).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ZASTAVA_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/build.sh"
exec "$BUILD_DIR/cli/stella" selfcheck "$@"
