#!/usr/bin/env bash
# Installs everything Zastava needs to build and test on Debian 12:
# the Debian packages, then the npm interop peers into .deps/npm (git-ignored).
# Idempotent and quick when everything is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NPM_DIR="${ZASTAVA_NPM_DIR:-$ROOT/.deps/npm}"

# Build toolchain and libraries (see DEVELOPERS.md for why each is chosen).
DEBIAN_PACKAGES=(
  cmake ninja-build g++ ccache pkg-config git
  libssl-dev libboost1.81-dev nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # stores: PostgreSQL 15 and Redis 7 servers for the integration tests, their clients
  libpqxx-dev libhiredis-dev postgresql-15 redis-server redis-tools
  # benchmarks: load generators and the nginx floor
  wrk hey nginx-light
  # interop peers and tools the tests drive
  b3sum openssl curl
  # tests/crds/check_crds.py reads the CRDs with PyYAML
  python3 python3-yaml
  # image readers and the test images (tests/fixtures/make_images.sh)
  libarchive-dev umoci skopeo zstd jq
  # bench/seal/run.sh: wall time and peak RSS
  time
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      echo "$pkg"
    fi
  done
}

install_debian_packages() {
  local missing
  mapfile -t missing < <(missing_packages "${DEBIAN_PACKAGES[@]}")
  # Node.js may come from Debian or from elsewhere: only install it when absent.
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "bootstrap: Debian packages present"
    return
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # An apt list older than a day may miss current package versions.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
    as_root apt-get update -qq
  fi
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The npm peers are pinned by tests/interop/package.json (+ package-lock.json);
# a stamp of those files' hash skips the install when nothing changed.
install_npm_peers() {
  local stamp="$NPM_DIR/.zastava-stamp" want
  want="$(cat "$ROOT/tests/interop/package.json" "$ROOT/tests/interop/package-lock.json" "$ROOT/tests/interop/.npmrc" 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$NPM_DIR/node_modules" ]; then
    echo "bootstrap: npm peers present"
    return
  fi
  echo "bootstrap: installing npm peers into $NPM_DIR"
  mkdir -p "$NPM_DIR"
  cp "$ROOT/tests/interop/package.json" "$NPM_DIR/package.json"
  cp "$ROOT/tests/interop/.npmrc" "$NPM_DIR/.npmrc"
  if [ -f "$ROOT/tests/interop/package-lock.json" ]; then
    cp "$ROOT/tests/interop/package-lock.json" "$NPM_DIR/package-lock.json"
    (cd "$NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$NPM_DIR" && npm install --no-audit --no-fund --loglevel=error)
  fi
  echo "$want" > "$stamp"
}

install_debian_packages
install_npm_peers
