#!/usr/bin/env bash
# The provcache store benchmark: the tiered provcache (in-process LRU ->
# Valkey -> PostgreSQL, write-behind) next to the floor the servers set.
#
# usage: bench/provcache/run.sh [WORK_DIR]     (default: a fresh mktemp dir)
#   env BENCH   the benchmark binary (default: build/bench/zastava_bench)
#       FSYNC   on (default, durable commits as in production) or off
#
# Starts its own redis-server and PostgreSQL 15 on free loopback ports (as
# the `postgres` user when run as root), then measures:
#   floor     redis-benchmark -t get -n 200000 -q          (50 clients, and -c 1)
#             pgbench -S -T 10 after pgbench -i             (1 client, SELECT by key)
#   provcache zastava_bench --benchmark_filter=ProvcacheTiered against the same
#             servers: p50/p99 of a hit in each layer, write-behind decisions/s
# and prints a summary table with the targets. Everything stops on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${BENCH:-$ROOT/build/bench/zastava_bench}
FSYNC=${FSYNC:-on}
PG_BIN=${ZASTAVA_PG_BINDIR:-/usr/lib/postgresql/15/bin}
WORK=${1:-$(mktemp -d /tmp/provcache-bench.XXXXXX)}

for tool in "$BENCH" redis-server redis-benchmark redis-cli "$PG_BIN/initdb" "$PG_BIN/pg_ctl" \
  "$PG_BIN/pgbench" "$PG_BIN/psql" python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
mkdir -p "$WORK"

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # free_port

# as_pg COMMAND...: PostgreSQL refuses to run as root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

REDIS_PORT=$(free_port)
PG_PORT=$(free_port)
REDIS_PID=
cleanup() {
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  [ -d "$WORK/pg" ] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "starting redis-server on 127.0.0.1:$REDIS_PORT and PostgreSQL on 127.0.0.1:$PG_PORT" >&2
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
  --dir "$WORK" --logfile "$WORK/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.05
done

[ "$(id -u)" = 0 ] && chown postgres "$WORK"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U postgres >"$WORK/initdb.log" 2>&1
cat >>"$WORK/pg/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
fsync = $FSYNC
synchronous_commit = $FSYNC
EOF
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT" -l "$WORK/pg.log" -w start >/dev/null
as_pg "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
  -c "CREATE ROLE zastava SUPERUSER LOGIN" -c "CREATE DATABASE zastava OWNER zastava"

echo "floor: redis-benchmark" >&2
REDIS_50=$(redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get -n 200000 -q | tr '\r' '\n' | grep -a '^GET' | tail -1)
REDIS_1=$(redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get -n 200000 -c 1 -q | tr '\r' '\n' | grep -a '^GET' | tail -1)

echo "floor: pgbench -S -T 10" >&2
"$PG_BIN/pgbench" -i -q -h 127.0.0.1 -p "$PG_PORT" -U zastava zastava >"$WORK/pgbench-init.log" 2>&1
PGBENCH=$("$PG_BIN/pgbench" -S -T 10 -h 127.0.0.1 -p "$PG_PORT" -U zastava zastava 2>/dev/null)

echo "provcache: $BENCH --benchmark_filter=ProvcacheTiered" >&2
ZASTAVA_BENCH_POSTGRES_URL="postgresql://zastava@127.0.0.1:$PG_PORT/zastava" \
ZASTAVA_BENCH_VALKEY_URL="redis://127.0.0.1:$REDIS_PORT" \
  "$BENCH" --benchmark_filter=ProvcacheTiered --benchmark_format=json \
  --benchmark_out="$WORK/provcache.json" --benchmark_out_format=json >/dev/null

REDIS_50="$REDIS_50" REDIS_1="$REDIS_1" PGBENCH="$PGBENCH" FSYNC="$FSYNC" \
  python3 - "$WORK/provcache.json" <<'PY'
import json, os, re, sys

runs = {b["name"].split("/")[0]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}

def counter(name, key):
    run = runs.get(name)
    return run.get(key) if run else None

def redis_line(text):
    rps = re.search(r"([\d.]+) requests per second", text)
    p50 = re.search(r"p50=([\d.]+) msec", text)
    return (float(rps.group(1)) if rps else None, float(p50.group(1)) * 1000 if p50 else None)

pg = os.environ["PGBENCH"]
pg_tps = re.search(r"tps = ([\d.]+)", pg)
pg_lat = re.search(r"latency average = ([\d.]+) ms", pg)
r50 = redis_line(os.environ["REDIS_50"])
r1 = redis_line(os.environ["REDIS_1"])

def fmt(value, unit=""):
    return "-" if value is None else f"{value:,.1f}{unit}"

rows = [
    ("floor  redis GET, 50 clients", fmt(r50[1], " us p50"), fmt(r50[0], " ops/s"), ""),
    ("floor  redis GET, 1 client", fmt(r1[1], " us p50"), fmt(r1[0], " ops/s"), ""),
    ("floor  pgbench -S, 1 client",
     fmt(float(pg_lat.group(1)) * 1000 if pg_lat else None, " us avg"),
     fmt(float(pg_tps.group(1)) if pg_tps else None, " tps"), ""),
]
targets = [
    ("BM_ProvcacheTieredGetMemoryHit", "in-process hit", "p50_us", 10.0, "< 10 us (p50)"),
    ("BM_ProvcacheTieredGetValkeyHit", "Valkey hit", "p99_us", 500.0, "p99 < 0.5 ms"),
    ("BM_ProvcacheTieredGetPostgresHit", "PostgreSQL hit", "p99_us", 2000.0, "p99 < 2 ms"),
]
for name, label, key, limit, target in targets:
    p50, p99 = counter(name, "p50_us"), counter(name, "p99_us")
    value = counter(name, key)
    verdict = "" if value is None else ("ok" if value < limit else "MISSED")
    rows.append((f"tiered {label}", f"{fmt(p50)} / {fmt(p99)} us p50/p99", "",
                 f"{target} {verdict}"))
wb = counter("BM_ProvcacheTieredWriteBehindThroughput", "decisions_per_s")
rows.append(("tiered write-behind into PostgreSQL", "", fmt(wb, " decisions/s"),
             ">= 20k/s " + ("" if wb is None else ("ok" if wb >= 20000 else "MISSED"))))

print(f"\nprovcache store benchmark (loopback, PostgreSQL fsync={os.environ['FSYNC']})")
widths = [max(len(r[i]) for r in rows) for i in range(4)]
for row in rows:
    print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
PY
