#!/usr/bin/env bash
# CPU time per request of zastava-webhook and of nginx, for the same 6 KB
# body over TLS with keep-alive (the setup of run.sh: common.sh). Unlike
# req/s, this barely depends on what else the machine runs, so it is the
# figure to compare on a shared or loaded machine:
#
#   cpu_us_per_request = delta(utime + stime of the server's processes) / requests
#
# read from /proc/PID/stat (every thread; nginx: master and workers) around a
# `wrk -t2 -c64 -d$DURATION` run (requests counted by wrk), rounds alternating
# between the two servers. Prints each run, the medians, and two ratios: at
# equal server CPU, and the req/s ratio run.sh would show on a quiet machine
# where wrk takes its share of the same cores (both CPU-bound).
#
# usage: bench/webhook/cpu.sh   (ZASTAVA_BUILD_DIR: build/; DURATION: 5s; ROUNDS: 5)
set -euo pipefail
DURATION="${DURATION:-5s}"
# shellcheck source=bench/webhook/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ROUNDS="${ROUNDS:-5}"
CLK_TCK="$(getconf CLK_TCK)"

cpu_ticks() {  # PIDS... -> utime + stime summed, in clock ticks
  local total=0 pid fields
  for pid in "$@"; do
    # Fields after the ")" that ends the command name: utime is the 12th, stime the 13th.
    fields="$(sed 's/.*) //' "/proc/$pid/stat")"
    total=$((total + $(awk '{print $12 + $13}' <<<"$fields")))
  done
  echo "$total"
}

nginx_pids() {
  local master
  master="$(cat "$WORK/nginx/nginx.pid")"
  echo "$master" $(pgrep -P "$master")
}

# One wrk run against URL; appends "server_us wrk_us" (CPU per request) to $WORK/cpu-LABEL.
measure() {  # LABEL URL PIDS...
  local label="$1" url="$2"; shift 2
  local before after out requests
  before="$(cpu_ticks "$@")"
  # wrk's own CPU (user + system) from its rusage, to estimate the req/s ratio below.
  out="$(python3 - "$DURATION" "$ROOT/bench/webhook/post.lua" "$url" <<'PY'
import resource, subprocess, sys
run = subprocess.run(["wrk", "-t2", "-c64", "-d" + sys.argv[1], "-s", sys.argv[2], sys.argv[3]],
                     capture_output=True, text=True, check=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(run.stdout)
print("WRK_CPU_SECONDS", usage.ru_utime + usage.ru_stime)
PY
)"
  after="$(cpu_ticks "$@")"
  if grep -q 'Non-2xx' <<<"$out"; then echo "cpu: $label answered non-2xx:" >&2; echo "$out" >&2; exit 1; fi
  requests="$(awk '/requests in/ {print $1}' <<<"$out")"
  python3 - "$label" "$((after - before))" "$CLK_TCK" "$requests" \
    "$(awk '/WRK_CPU_SECONDS/ {print $2}' <<<"$out")" "$WORK/cpu-$label" <<'PY'
import sys
label, ticks, hz, requests, wrk_seconds, out = sys.argv[1:]
server_us = int(ticks) / float(hz) * 1e6 / int(requests)
wrk_us = float(wrk_seconds) * 1e6 / int(requests)
print("%-8s %8s requests  %7.1f us CPU/request  (wrk %5.1f us)" % (label, requests, server_us, wrk_us))
open(out, "a").write("%f %f\n" % (server_us, wrk_us))
PY
}

echo "== CPU per request, 6 KB body over TLS, keep-alive, wrk -t2 -c64 -d$DURATION, $ROUNDS rounds"
for _ in $(seq 1 "$ROUNDS"); do  # interleaved, so both see the same background load
  measure nginx "https://127.0.0.1:$NGINX_PORT/validate" $(nginx_pids)
  measure webhook "https://127.0.0.1:$WEBHOOK_PORT/validate" "$WEBHOOK_PID"
done
python3 - "$WORK/cpu-webhook" "$WORK/cpu-nginx" <<'PY'
import statistics, sys
def medians(path):
    rows = [tuple(map(float, line.split())) for line in open(path)]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
(w, w_wrk), (n, n_wrk) = medians(sys.argv[1]), medians(sys.argv[2])
print("median: webhook %.1f us, nginx %.1f us CPU per request" % (w, n))
print("  webhook/nginx at equal server CPU: %.0f%% (target >= 50%%)" % (100 * n / w))
print("  expected wrk req/s ratio when wrk shares the cores: %.0f%% ((nginx + wrk) / (webhook + wrk) CPU)"
      % (100 * (n + n_wrk) / (w + w_wrk)))
PY
stop_webhook
