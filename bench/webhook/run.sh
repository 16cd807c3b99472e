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
# RSS <= 50 MB, cold p99 <= 5 ms.
#
# usage: bench/webhook/run.sh   (ZASTAVA_BUILD_DIR: build/; DURATION: 10s)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${ZASTAVA_BUILD_DIR:-$ROOT/build}"
DURATION="${DURATION:-10s}"
STELLA="$BUILD_DIR/cli/stella"
WEBHOOK="$BUILD_DIR/webhook/zastava-webhook"
for tool in wrk hey nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done
WORK="$(mktemp -d /tmp/zastava-webhook-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- evidence: a real image, sealed and trusted ---
bash "$ROOT/tests/fixtures/make_images.sh" "$WORK/images" >/dev/null 2>&1
"$STELLA" keygen --type ecdsa-p256 --out "$WORK/signer.pem" >/dev/null 2>&1
"$STELLA" seal "oci:$WORK/images/oci:base" --key "$WORK/signer.pem" \
  --image-ref registry.example.com/zastava/app:base --output "$WORK/base.json" >/dev/null 2>&1
DIGEST="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["imageDigest"])' "$WORK/base.json")"
IMAGE="registry.example.com/zastava/app@$DIGEST"
python3 - "$ROOT/webhook/default-policy.yaml" "$WORK/signer.pub.pem" >"$WORK/policy.yaml" <<'PY'
import sys
text = open(sys.argv[1]).read()
key = "".join("      " + line + "\n" for line in open(sys.argv[2]).read().strip().splitlines())
text = text.replace("  trustedKeys: []          # add yours: see above", "  trustedKeys:\n    - |\n" + key)
print(text.replace("minTrustScore: 60", "minTrustScore: 0"))
PY
"$STELLA" certs --service zastava-webhook --namespace zastava --out "$WORK/tls" --local >/dev/null
echo bench-token >"$WORK/token"
python3 "$ROOT/bench/webhook/make_review.py" "$IMAGE" >"$WORK/review.json"
python3 "$ROOT/bench/webhook/make_review.py" "$IMAGE" >"$WORK/static.json"

WEBHOOK_PORT=$(free_port); API_PORT=$(free_port); METRICS_PORT=$(free_port); NGINX_PORT=$(free_port)
start_webhook() {
  "$WEBHOOK" --policy-file "$WORK/policy.yaml" --tls-cert "$WORK/tls/tls.crt" \
    --tls-key "$WORK/tls/tls.key" --listen "127.0.0.1:$WEBHOOK_PORT" \
    --api-listen "127.0.0.1:$API_PORT" --metrics-listen "127.0.0.1:$METRICS_PORT" \
    --api-token-file "$WORK/token" --store-dir "$WORK/data" --no-kube \
    --audit-log "$WORK/audit.jsonl" ${WEBHOOK_FLAGS:-} 2>>"$WORK/webhook.log" &
  WEBHOOK_PID=$!
  PIDS+=("$WEBHOOK_PID")
  for _ in $(seq 1 200); do
    curl -sf --cacert "$WORK/tls/ca.crt" "https://localhost:$WEBHOOK_PORT/readyz" >/dev/null && return
    sleep 0.05
  done
  echo "bench: the webhook did not become ready" >&2; cat "$WORK/webhook.log" >&2; exit 1
}
stop_webhook() { kill -TERM "$WEBHOOK_PID"; wait "$WEBHOOK_PID" || true; }
validate() {
  curl -sS --cacert "$WORK/tls/ca.crt" -H 'Content-Type: application/json' \
    --data-binary "@$WORK/review.json" "$@" "https://localhost:$WEBHOOK_PORT/validate"
}

start_webhook
python3 - "$IMAGE" "$WORK/base.json" >"$WORK/upload.json" <<'PY'
import json, sys
print(json.dumps({"image": sys.argv[1], "approve": True, "sealsFile": json.load(open(sys.argv[2]))}))
PY
curl -sSf --cacert "$WORK/tls/ca.crt" -H "Authorization: Bearer bench-token" \
  -H 'Content-Type: application/json' --data-binary "@$WORK/upload.json" \
  "https://localhost:$API_PORT/v1/seals" >/dev/null
validate | grep -q '"allowed":true' || { echo "bench: the sample is not allowed:" >&2; validate >&2; exit 1; }
for _ in $(seq 1 200); do validate -o /dev/null; done   # warm: verification, drift, provcache

# --- nginx: a static 6 KB JSON over TLS ---
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $WORK/tls/tls.crt; ssl_certificate_key $WORK/tls/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    location / { default_type application/json; alias $WORK/static.json; }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' 2>>"$WORK/nginx/logs/error.log" &
PIDS+=("$!")
sleep 0.5

export REVIEW_FILE="$WORK/review.json"
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
run_wrk "https://127.0.0.1:$NGINX_PORT/" nginx
run_wrk "https://127.0.0.1:$WEBHOOK_PORT/validate" webhook
python3 -c "import sys; w,n=float(open(sys.argv[1]).read()),float(open(sys.argv[2]).read()); print('webhook/nginx: %.0f%% (target >= 50%%)' % (100*w/n))" \
  "$WORK/rps-webhook" "$WORK/rps-nginx"

hey_p99() {  # URL -> p99 in ms at 1,000 req/s
  hey -z "$DURATION" -c 10 -q 100 -m POST -T application/json -D "$WORK/review.json" "$1" |
    awk '/99% in/ {printf "%.3f", $3 * 1000}'
}
echo "hey at 1,000 req/s: webhook p99 $(hey_p99 "https://127.0.0.1:$WEBHOOK_PORT/validate") ms (target <= 2 ms)," \
  "nginx p99 $(hey_p99 "https://127.0.0.1:$NGINX_PORT/") ms"
echo "webhook RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$WEBHOOK_PID/status") peak (VmHWM; target <= 50 MB)"

# --- cold path: the decision is in the store, nothing in process ---
# Server-side time of the first admission after each restart (parse to
# answer, from its log line's "seconds"), and curl's total with the handshake.
COLD=(); COLD_TOTAL=()
for _ in $(seq 1 "${COLD_RUNS:-10}"); do
  stop_webhook
  : >"$WORK/webhook.log"
  start_webhook
  COLD_TOTAL+=("$(validate -o /dev/null -w '%{time_total}' | awk '{printf "%.2f", $1 * 1000}')")
  COLD+=("$(grep -o '\\"seconds\\":[0-9.e-]*' "$WORK/webhook.log" | tail -1 | awk -F: '{printf "%.2f", $2 * 1000}')")
done
printf 'cold path, server side (first admission after a restart): %s ms (target p99 <= 5 ms)\n' "${COLD[*]}"
printf 'cold path, curl total incl. process start of curl + TLS handshake: %s ms\n' "${COLD_TOTAL[*]}"
stop_webhook
