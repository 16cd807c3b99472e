#!/usr/bin/env bash
# zastava-operator under a burst of policies (issue 6's benchmark):
#   1. burst: with the operator leading and synced, 1,000 FacetPolicies are
#      created at once (16 client threads, load.py); measured: the time from
#      the first create until the compiled ConfigMap lists all 1,000 scopes;
#   2. cold start: the ConfigMap deleted and the operator restarted with the
#      1,000 policies in place; measured: start → ConfigMap with 1,000 scopes;
# and the operator's peak RSS (VmHWM) and CPU time (utime+stime), beside the
# fake API server's CPU time: the API double is single-process Python, so
# when it is the bottleneck the operator's own CPU time says what the
# operator costs.
# Targets: converged within 5 s; RSS <= 30 MB.
#
# usage: bench/operator/run.sh   (ZASTAVA_BUILD_DIR: build/; COUNT: 1000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${ZASTAVA_BUILD_DIR:-$ROOT/build}"
COUNT="${COUNT:-1000}"
STELLA="$BUILD_DIR/cli/stella"
OPERATOR="${ZASTAVA_OPERATOR:-$BUILD_DIR/operator/zastava-operator}"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_workdir operator

"$STELLA" certs --service kubernetes --namespace default --out "$WORK/tls" --local >/dev/null
python3 "$ROOT/e2e/fake_kube_api/fake_kube_api.py" --port 0 --port-file "$WORK/port" \
  --token bench-token --cert "$WORK/tls/tls.crt" --key "$WORK/tls/tls.key" 2>"$WORK/kube.log" &
API_PID=$!
PIDS+=("$API_PID")
for _ in $(seq 300); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
API_PORT="$(cat "$WORK/port")"
cat >"$WORK/kubeconfig" <<YAML
{"apiVersion": "v1", "kind": "Config", "current-context": "bench",
 "clusters": [{"name": "fake", "cluster": {"server": "https://127.0.0.1:$API_PORT",
                                           "certificate-authority": "$WORK/tls/ca.crt"}}],
 "users": [{"name": "bench", "user": {"token": "bench-token"}}],
 "contexts": [{"name": "bench", "context": {"cluster": "fake", "user": "bench"}}]}
YAML

HEALTH_PORT=$(free_port)
start_operator() {
  "$OPERATOR" --kubeconfig "$WORK/kubeconfig" --namespace zastava-system --identity bench \
    --health-address "127.0.0.1:$HEALTH_PORT" --log-level warn 2>>"$WORK/operator.log" &
  OPERATOR_PID=$!
  PIDS+=("$OPERATOR_PID")
}
wait_ready() {
  for _ in $(seq 600); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$HEALTH_PORT/readyz" 2>/dev/null | grep -q '"leader":true'; then
      curl -fsS --max-time 2 "http://127.0.0.1:$HEALTH_PORT/readyz" | grep -q '"ready":true' && return 0
    fi
    sleep 0.1
  done
  echo "bench: the operator did not become ready" >&2; tail -20 "$WORK/operator.log" >&2; exit 1
}

start_operator
wait_ready
API_CPU0=$(cpu_seconds "$API_PID"); OP_CPU0=$(cpu_seconds "$OPERATOR_PID")
echo "== burst: $COUNT FacetPolicies created at once"
BURST=$(python3 "$ROOT/bench/operator/load.py" --port "$API_PORT" --ca "$WORK/tls/ca.crt" \
  --token bench-token --count "$COUNT")
echo "$BURST"
echo "operator CPU during the burst: $(awk -v a="$(cpu_seconds "$OPERATOR_PID")" -v b="$OP_CPU0" 'BEGIN{printf "%.2f", a-b}') s;" \
  "fake API CPU: $(awk -v a="$(cpu_seconds "$API_PID")" -v b="$API_CPU0" 'BEGIN{printf "%.2f", a-b}') s"
# Let the status writes finish, then read the peak.
sleep 5
echo "operator peak RSS (VmHWM) after the burst: $(peak_rss_kb "$OPERATOR_PID") kB"

echo "== cold start: the operator restarted with $COUNT policies, ConfigMap deleted"
kill -TERM "$OPERATOR_PID"; wait "$OPERATOR_PID" || true
curl -fsS --max-time 10 --cacert "$WORK/tls/ca.crt" -H "Authorization: Bearer bench-token" \
  -X DELETE "https://127.0.0.1:$API_PORT/api/v1/namespaces/zastava-system/configmaps/zastava-policy" >/dev/null
START=$(date +%s.%N)
start_operator
python3 - "$API_PORT" "$WORK/tls/ca.crt" "$COUNT" "$START" <<'PY'
import http.client, json, ssl, sys, time
port, ca, count, start = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
context = ssl.create_default_context(cafile=ca)
deadline = time.time() + 300
while time.time() < deadline:
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    connection.request("GET", "/api/v1/namespaces/zastava-system/configmaps/zastava-policy",
                       headers={"Authorization": "Bearer bench-token"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status == 200 and len(json.loads(json.loads(body)["data"]["policy.json"])["scopes"]) >= count:
        print(json.dumps({"policies": count, "cold_start_converged_seconds": round(time.time() - start, 3)}))
        sys.exit(0)
    time.sleep(0.05)
print("bench: cold start did not converge", file=sys.stderr)
sys.exit(1)
PY
sleep 3
echo "operator CPU for the cold start (list $COUNT, compile, write): $(cpu_seconds "$OPERATOR_PID") s"
echo "operator peak RSS (VmHWM) after the cold start: $(peak_rss_kb "$OPERATOR_PID") kB"
echo "targets: converged within 5 s; RSS <= 30 MB (30720 kB)"
