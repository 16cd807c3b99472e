#!/usr/bin/env bash
# Shared by run.sh and cpu.sh (sourced, not run): builds the evidence (a real
# image sealed with `stella seal`, its seals ingested as the approved
# baseline), a policy trusting the signer, certificates, the 6 KB review;
# starts the webhook (start_webhook / stop_webhook, WEBHOOK_PID) with warm
# caches and nginx serving the same 6 KB as a static file over TLS
# (NGINX_PORT). Everything lives in $WORK, removed at exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${ZASTAVA_BUILD_DIR:-$ROOT/build}"
DURATION="${DURATION:-10s}"
STELLA="$BUILD_DIR/cli/stella"
WEBHOOK="$BUILD_DIR/webhook/zastava-webhook"
for tool in wrk hey nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_workdir webhook

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
# nginx workers run as nobody when started by root: let them reach static.json
# (mktemp -d is 0700; the keys in $WORK/tls stay 0600).
chmod 711 "$WORK"
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
    # wrk POSTs the review to both servers: the static module refuses a POST
    # with 405, which error_page turns into the file (answered as a GET), so
    # nginx reads the 6 KB request and writes the 6 KB answer like the webhook.
    location = /validate {
      default_type application/json; alias $WORK/static.json; error_page 405 =200 \$uri;
    }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' 2>>"$WORK/nginx/logs/error.log" &
PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -sf --cacert "$WORK/tls/ca.crt" -o /dev/null "https://localhost:$NGINX_PORT/validate" && break
  sleep 0.05
done
export REVIEW_FILE="$WORK/review.json"
