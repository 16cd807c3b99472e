#!/usr/bin/env bash
# Requests per second of the Zastava HTTPS server against nginx, both serving
# the same 6 KB JSON body over TLS on loopback, measured with
#   wrk -t2 -c64 -d5s https://127.0.0.1:PORT/
# Usage: bench/http/run.sh [BUILD_DIR]   (default: build)
# Needs: openssl, wrk, /usr/sbin/nginx, and the zastava_http_bench_server target
# (built here if missing). Everything lives in a temp dir, removed at exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$repo/build}"
server_bin="$build/tests/http/zastava_http_bench_server"
if [[ ! -x "$server_bin" ]]; then
  cmake --build "$build" --target zastava_http_bench_server
fi

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_workdir http

wait_for_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on $1" >&2
  return 1
}

# A P-256 server certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$WORK/server.key" -out "$WORK/server.crt" 2>/dev/null

# 6 KB of JSON: an AdmissionReview-sized document.
python3 - "$WORK/body.json" <<'PY'
import json, sys
items = [{"image": f"registry.example/app-{i}@sha256:" + "ab" * 32, "verdict": "allow"} for i in range(50)]
text = json.dumps({"items": items})
while len(text) < 6144:
    items.append({"pad": "x"}); text = json.dumps({"items": items})
open(sys.argv[1], "w").write(text)
PY

# The server twice: 2 worker threads (one per core here) and 1.
zastava_port="$(free_port)"
"$server_bin" "$WORK/server.crt" "$WORK/server.key" "$WORK/body.json" "$zastava_port" 2 \
  >"$WORK/zastava.log" 2>&1 &
PIDS+=($!)
zastava1_port="$(free_port)"
"$server_bin" "$WORK/server.crt" "$WORK/server.key" "$WORK/body.json" "$zastava1_port" 1 \
  >"$WORK/zastava1.log" 2>&1 &
PIDS+=($!)

nginx_port="$(free_port)"
mkdir -p "$WORK/nginx/html" "$WORK/nginx/tmp"
cp "$WORK/body.json" "$WORK/nginx/html/index.json"
cat >"$WORK/nginx/nginx.conf" <<CONF
user root;
worker_processes 2;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $WORK/server.crt;
    ssl_certificate_key $WORK/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $WORK/nginx/html;
    location / { default_type application/json; try_files /index.json =404; }
  }
}
CONF
if [[ "$(id -u)" != 0 ]]; then sed -i '/^user root;/d' "$WORK/nginx/nginx.conf"; fi
/usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
PIDS+=($!)

wait_for_port "$zastava_port"
wait_for_port "$zastava1_port"
wait_for_port "$nginx_port"

run_wrk() {  # name port
  local out
  out="$(wrk -t2 -c64 -d5s "https://127.0.0.1:$2/")"
  echo "== $1 ==" >&2
  echo "$out" >&2
  printf '%-22s %10s req/s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
}

echo "body: $(wc -c <"$WORK/body.json") bytes; wrk -t2 -c64 -d5s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
run_wrk "zastava (2 threads)" "$zastava_port"
run_wrk "zastava (1 thread)" "$zastava1_port"
run_wrk "nginx (2 workers)" "$nginx_port"
