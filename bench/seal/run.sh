#!/usr/bin/env bash
# The seal benchmark: `stella seal` next to what a user would script today
# and next to the floor, on a generated image of 100k files / 1 GiB in 5 gzip
# layers; plus a half-size image (half the files and bytes) and a "thin" one
# (all the files, half the bytes) to show how memory scales: with the number
# of files (their metadata is kept for the manifests), not with their size.
#
# usage: bench/seal/run.sh [WORK_DIR]      (default /tmp/stella-seal-bench)
#   env STELLA   the stella binary (default: build/cli/stella under the repo)
#       FILES    files in the full image (default 100000)
#       BYTES    bytes in the full image (default 1 GiB)
#
# Measured, each with /usr/bin/time -v (wall time, peak RSS), page cache warm
# (every layer blob is read once before each run):
#   stella   stella seal oci:IMAGE:bench --key K --output seals.json
#   umoci    umoci unpack, then find -type f -print0 | xargs -0 sha256sum
#   floor    gzip -dc of every layer, in order, piped into one sha256sum
# The generated images are kept in WORK_DIR and reused while the generator
# and the sizes are unchanged.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${1:-/tmp/stella-seal-bench}
STELLA=${STELLA:-$ROOT/build/cli/stella}
FILES=${FILES:-100000}
BYTES=${BYTES:-1073741824}

for tool in "$STELLA" /usr/bin/time umoci gzip sha256sum python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
mkdir -p "$WORK"
cd "$WORK"

# make_image NAME FILES BYTES: the layout in WORK/NAME, generated once.
make_image() {
  local name=$1 files=$2 bytes=$3
  local stamp
  stamp="$(sha256sum "$HERE/gen_image.py" | cut -c1-16) $files $bytes"
  if [ -f "$name/.stamp" ] && [ "$(cat "$name/.stamp")" == "$stamp" ]; then return; fi
  rm -rf "$name"
  echo "generating $name: $files files, $bytes bytes, 5 gzip layers..." >&2
  python3 "$HERE/gen_image.py" "$name" --files "$files" --bytes "$bytes" --layers 5 >&2
  echo "$stamp" >"$name/.stamp"
}

layers_of() {  # IMAGE -> layer blob paths, in order
  local manifest
  manifest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"][7:])' \
    "$1/index.json")
  python3 -c 'import json,sys; [print(sys.argv[2] + "/blobs/sha256/" + l["digest"][7:]) for l in json.load(open(sys.argv[1]))["layers"]]' \
    "$1/blobs/sha256/$manifest" "$1"
}

warm() { cat "$1"/blobs/sha256/* >/dev/null; }

# measure LABEL COMMAND...: runs under /usr/bin/time -v; sets WALL (s) and RSS (MB).
measure() {
  local label=$1
  shift
  local report="$WORK/time-$label.txt"
  if ! /usr/bin/time -v -o "$report" "$@" >"$WORK/out-$label.txt" 2>"$WORK/err-$label.txt"; then
    echo "run.sh: $label failed:" >&2
    cat "$WORK/err-$label.txt" >&2
    exit 1
  fi
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$report")
  RSS=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$report")
}

make_image full "$FILES" "$BYTES"
make_image half $((FILES / 2)) $((BYTES / 2))
make_image thin "$FILES" $((BYTES / 2))
rm -f key.pem key.pub.pem
"$STELLA" keygen --type ecdsa-p256 --out key.pem >/dev/null 2>&1

declare -A wall rss
run_stella() {  # IMAGE
  warm "$1"
  measure "stella-$1" "$STELLA" seal "oci:$WORK/$1:bench" --key key.pem --output "$WORK/seals-$1.json"
  wall[stella-$1]=$WALL
  rss[stella-$1]=$RSS
}

run_stella full
run_stella half
run_stella thin

warm full
rm -rf bundle
ROOTLESS=()
[ "$(id -u)" -eq 0 ] || ROOTLESS=(--rootless)
measure umoci bash -c "umoci unpack ${ROOTLESS[*]} --image '$WORK/full:bench' '$WORK/bundle' >/dev/null &&
  cd '$WORK/bundle/rootfs' && find . -type f -print0 | xargs -0 sha256sum >'$WORK/umoci-sums.txt'"
wall[umoci]=$WALL
rss[umoci]=$RSS
rm -rf bundle

warm full
mapfile -t LAYERS < <(layers_of full)
measure floor bash -c 'for layer in "$@"; do gzip -dc "$layer"; done | sha256sum' floor "${LAYERS[@]}"
wall[floor]=$WALL
rss[floor]=$RSS

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
full_bytes=$(du -sb full/blobs | cut -f1)
echo
echo "image: $FILES files, $BYTES bytes uncompressed, $full_bytes bytes of blobs, 5 gzip layers; $(nproc) cores"
printf '%-44s %9s %12s %s\n' "command" "wall (s)" "peak RSS MB" "note"
printf '%-44s %9s %12s %s\n' "stella seal (full)" "${wall[stella-full]}" "${rss[stella-full]}" \
  "$(ratio "${wall[umoci]}" "${wall[stella-full]}")x faster than umoci; $(ratio "${wall[stella-full]}" "${wall[floor]}")x the floor"
printf '%-44s %9s %12s %s\n' "stella seal (half: $((FILES / 2)) files)" "${wall[stella-half]}" \
  "${rss[stella-half]}" "RSS full/half $(ratio "${rss[stella-full]}" "${rss[stella-half]}")"
printf '%-44s %9s %12s %s\n' "stella seal (thin: $FILES files, half bytes)" "${wall[stella-thin]}" \
  "${rss[stella-thin]}" "RSS full/thin $(ratio "${rss[stella-full]}" "${rss[stella-thin]}")"
printf '%-44s %9s %12s %s\n' "umoci unpack + find | xargs sha256sum" "${wall[umoci]}" "${rss[umoci]}" ""
printf '%-44s %9s %12s %s\n' "floor: gzip -dc layers | sha256sum" "${wall[floor]}" "${rss[floor]}" ""
echo
echo "targets: >= 3x faster than umoci, <= 1.5x the floor, peak RSS < 100 MB"
