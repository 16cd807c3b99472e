#!/usr/bin/env bash
# README command (1): build, then run zastava-webhook on this machine on the
# embedded store with a fresh self-signed certificate (`stella certs --local`)
# and the default policy (webhook/default-policy.yaml), and print how to send
# it a sample AdmissionReview with curl. Ctrl-C stops it gracefully.
#
# Environment: ZASTAVA_BUILD_DIR (build/), ZASTAVA_RUN_DIR (where the
# certificates, token and embedded store go; default build/run/),
# ZASTAVA_WEBHOOK_PORT (8443), ZASTAVA_API_PORT (8444), ZASTAVA_METRICS_PORT (9090),
# ZASTAVA_SKIP_BUILD=1 (use the binaries already built).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ZASTAVA_BUILD_DIR:-$ROOT/build}"
RUN_DIR="${ZASTAVA_RUN_DIR:-$BUILD_DIR/run}"
WEBHOOK_PORT="${ZASTAVA_WEBHOOK_PORT:-8443}"
API_PORT="${ZASTAVA_API_PORT:-8444}"
METRICS_PORT="${ZASTAVA_METRICS_PORT:-9090}"
if [ "${ZASTAVA_SKIP_BUILD:-0}" != 1 ]; then
  "$ROOT/scripts/bootstrap.sh"
  "$ROOT/scripts/build.sh"
fi
STELLA="$BUILD_DIR/cli/stella"
WEBHOOK="$BUILD_DIR/webhook/zastava-webhook"

mkdir -p "$RUN_DIR"
if [ ! -f "$RUN_DIR/tls/tls.crt" ]; then
  "$STELLA" certs --service zastava-webhook --namespace zastava --out "$RUN_DIR/tls" --local >/dev/null
fi
if [ ! -f "$RUN_DIR/api-token" ]; then
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$RUN_DIR/api-token")
fi
POLICY="$RUN_DIR/policy.yaml"
[ -f "$POLICY" ] || cp "$ROOT/webhook/default-policy.yaml" "$POLICY"

cat <<MSG
zastava-webhook on https://localhost:$WEBHOOK_PORT (store: $RUN_DIR/data, policy: $POLICY)

Send it the sample AdmissionReview (a Pod with a tag-only and a digest-pinned image):

  curl --cacert $RUN_DIR/tls/ca.crt -H 'Content-Type: application/json' \\
       --data @$ROOT/e2e/samples/pod-review.json https://localhost:$WEBHOOK_PORT/validate

The default policy trusts no signing key yet, so it is denied (DigestRequired,
SealMissing). Add your key to $POLICY (see its header; it is re-read on save),
seal an image with 'stella seal' and upload the seals to the API:

  curl --cacert $RUN_DIR/tls/ca.crt -H "Authorization: Bearer \$(cat $RUN_DIR/api-token)" \\
       -H 'Content-Type: application/json' --data @upload.json https://localhost:$API_PORT/v1/seals

Readiness: curl --cacert $RUN_DIR/tls/ca.crt https://localhost:$WEBHOOK_PORT/readyz
Metrics:   curl http://localhost:$METRICS_PORT/metrics

MSG
exec "$WEBHOOK" --policy-file "$POLICY" \
  --tls-cert "$RUN_DIR/tls/tls.crt" --tls-key "$RUN_DIR/tls/tls.key" \
  --listen "127.0.0.1:$WEBHOOK_PORT" --api-listen "127.0.0.1:$API_PORT" \
  --metrics-listen "127.0.0.1:$METRICS_PORT" --api-token-file "$RUN_DIR/api-token" \
  --store-dir "$RUN_DIR/data" --log-format text --no-kube "$@"
