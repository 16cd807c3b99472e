#!/usr/bin/env bash
# Times `stella digest --alg blake3` against Debian's b3sum on one thread,
# over a 1 GiB file of random bytes in a temp dir (page cache warm, best of 3).
#
# usage: bench/compare_b3sum.sh [STELLA]   (default: $STELLA, else build/cli/stella)
#        SIZE_MIB=256 bench/compare_b3sum.sh ...  for a smaller file
set -euo pipefail

stella="${1:-${STELLA:-build/cli/stella}}"
size_mib="${SIZE_MIB:-1024}"
runs=3

command -v b3sum >/dev/null || { echo "compare_b3sum: b3sum not found (apt-get install b3sum)" >&2; exit 1; }
[[ -x "$stella" ]] || { echo "compare_b3sum: no stella binary at '$stella'" >&2; exit 1; }

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
file="$workdir/input.bin"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"
cat "$file" >/dev/null  # into the page cache, so both read from memory

# best_seconds CMD...: the fastest of $runs wall-clock timings.
best_seconds() {
  local best="" start end elapsed
  for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    "$@" >/dev/null
    end=$EPOCHREALTIME
    elapsed=$(echo "$end - $start" | bc -l)
    if [[ -z "$best" ]] || (($(echo "$elapsed < $best" | bc -l))); then best=$elapsed; fi
  done
  echo "$best"
}

expected="$(b3sum --num-threads 1 --no-names "$file")"
got="$("$stella" digest --alg blake3 "$file" | cut -d' ' -f1)"
if [[ "$got" != "blake3:$expected" ]]; then
  echo "compare_b3sum: digests differ: b3sum $expected, stella $got" >&2
  exit 1
fi

bytes=$((size_mib * 1024 * 1024))
b3sum_s=$(best_seconds b3sum --num-threads 1 "$file")
stella_s=$(best_seconds "$stella" digest --alg blake3 "$file")
mbps() { echo "scale=1; $bytes / $1 / 1000000" | bc -l; }

echo "input: ${size_mib} MiB, best of ${runs}, one thread"
printf 'b3sum --num-threads 1     : %8.3f s  %8s MB/s\n' "$b3sum_s" "$(mbps "$b3sum_s")"
printf 'stella digest --alg blake3: %8.3f s  %8s MB/s\n' "$stella_s" "$(mbps "$stella_s")"
printf 'ratio stella/b3sum time   : %8s\n' "$(echo "scale=2; $stella_s / $b3sum_s" | bc -l)"
