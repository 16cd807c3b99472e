#!/usr/bin/env bash
# zastava-webhook throughput and latency, beside nginx as the floor, in one run:
#   - a realistic 6 KB Pod AdmissionReview (make_review.py) for a real image
#     sealed with `stella seal` and ingested as the approved baseline (so the
#     whole pipeline runs: parse, scope, seal verification, drift, provcache);
#   - caches warmed, then `wrk -t2 -c64 -d10s` (keep-alive, post.lua) and
#     `hey` at a fixed 1,000 req/s (10 workers x 100 q/s) for p99;
#   - nginx (nginx-light) serving a static 6 KB JSON over TLS, same wrk run;
#   - the webhook's RSS (VmHWM); the cold path: after a restart (decision in
#     the store, nothing in process), the first admission's latency.
# Targets (issue 5): >= 50% of nginx's req/s, p99 <= 2 ms at 1,000 req/s,
# RSS <= 50 MB, cold p99 <= 5 ms. Wall-clock figures: run it on a quiet
# machine. On a loaded one, cpu.sh (CPU time per request) is the comparison
# that holds. The setup is common.sh's.
#
# usage: bench/webhook/run.sh   (ZASTAVA_BUILD_DIR: build/; DURATION: 10s)
set -euo pipefail
# shellcheck source=bench/webhook/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

run_wrk() {  # URL LABEL
  local out
  out="$(wrk -t2 -c64 -d"$DURATION" --latency -s "$ROOT/bench/webhook/post.lua" "$1")"
  echo "$out" >"$WORK/wrk-$2.txt"
  local rps p50 p99
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  printf '%-8s wrk -t2 -c64 -d%s: %10s req/s  p50 %8s  p99 %8s\n' "$2" "$DURATION" "$rps" "$p50" "$p99"
  echo "$rps" >"$WORK/rps-$2"
}
echo "== zastava-webhook vs nginx, 6 KB body over TLS, $(nproc) cores (shared with the load generator)"
run_wrk "https://127.0.0.1:$NGINX_PORT/validate" nginx
run_wrk "https://127.0.0.1:$WEBHOOK_PORT/validate" webhook
python3 -c "import sys; w,n=float(open(sys.argv[1]).read()),float(open(sys.argv[2]).read()); print('webhook/nginx: %.0f%% (target >= 50%%)' % (100*w/n))" \
  "$WORK/rps-webhook" "$WORK/rps-nginx"

hey_p99() {  # URL -> p99 in ms at 1,000 req/s
  hey -z "$DURATION" -c 10 -q 100 -m POST -T application/json -D "$WORK/review.json" "$1" |
    awk '/99% in/ {printf "%.3f", $3 * 1000}'
}
echo "hey at 1,000 req/s: webhook p99 $(hey_p99 "https://127.0.0.1:$WEBHOOK_PORT/validate") ms (target <= 2 ms)," \
  "nginx p99 $(hey_p99 "https://127.0.0.1:$NGINX_PORT/validate") ms"
echo "webhook RSS: $(awk -v kb="$(peak_rss_kb "$WEBHOOK_PID")" 'BEGIN { printf "%.1f MB", kb / 1024 }') peak (VmHWM; target <= 50 MB)"

# --- cold path: the decision is in the store, nothing in process ---
# Server-side time of the first admission after each restart (parse to
# answer, from its log line's "seconds"), and curl's total with the handshake.
COLD=(); COLD_TOTAL=()
for _ in $(seq 1 "${COLD_RUNS:-10}"); do
  stop_webhook
  : >"$WORK/webhook.log"
  start_webhook
  COLD_TOTAL+=("$(validate -o /dev/null -w '%{time_total}' | awk '{printf "%.2f", $1 * 1000}')")
  # The log is written in batches (every 10 ms at most): wait for the line.
  for _ in $(seq 1 100); do
    grep -q '\\"seconds\\":' "$WORK/webhook.log" && break
    sleep 0.02
  done
  COLD+=("$(grep -o '\\"seconds\\":[0-9.e-]*' "$WORK/webhook.log" | tail -1 | awk -F: '{printf "%.2f", $2 * 1000}')")
done
printf 'cold path, server side (first admission after a restart): %s ms (target p99 <= 5 ms)\n' "${COLD[*]}"
printf 'cold path, curl total incl. process start of curl + TLS handshake: %s ms\n' "${COLD_TOTAL[*]}"
stop_webhook
