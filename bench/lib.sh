#!/usr/bin/env bash
# Helpers the benchmark scripts source (not run):
#   bench_workdir LABEL   makes $WORK (/tmp/zastava-LABEL-bench.XXXXXX); at
#                         exit every pid in PIDS is killed and $WORK removed
#   free_port             a free TCP port on 127.0.0.1
#   cpu_seconds PID       the process's user + system CPU seconds so far
#   peak_rss_kb PID       its peak resident set (VmHWM), in kB

bench_cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

bench_workdir() {
  WORK="$(mktemp -d "/tmp/zastava-$1-bench.XXXXXX")"
  PIDS=()
  trap bench_cleanup EXIT
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

peak_rss_kb() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }
