#!/usr/bin/env bash
# bench/run.sh: the whole benchmark in one command (docs/performance.md).
#
#   bash bench/run.sh
#
# Builds Release into build-bench/, starts on 127.0.0.1 only: bench_upstream,
# a redis-server, mcp-sidecar (memory store), mcp-sidecar (Redis store) and
# nginx as a plain reverse proxy, then measures with bench_load, rows
# alternating a b c d a b c d ... :
#   (a) direct to bench_upstream   (b) sidecar + memory store
#   (c) sidecar + Redis store      (d) nginx (keepalive pool, hash on Mcp-Session-Id)
# for the JSON workload, then the SSE workload, each at 32 connections and at
# 1 connection. Every process it starts is stopped by PID on exit, success or
# not. Exit status 1 if any measured run had a non-2xx response, a transport
# error or a wrong body.
#
# Knobs (environment): BENCH_ROUNDS=2 BENCH_DURATION=4 BENCH_WARMUP=1
# BENCH_LAT_ROUNDS=3 BENCH_LAT_DURATION=2 BENCH_SESSIONS=200 BENCH_CONNECTIONS=32
# BENCH_BUILD_DIR=<repo>/build-bench BENCH_SKIP_BUILD=0 BENCH_KEEP_TMP=0

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-4}
WARMUP=${BENCH_WARMUP:-1}
LAT_DURATION=${BENCH_LAT_DURATION:-2}
LAT_ROUNDS=${BENCH_LAT_ROUNDS:-3}
SESSIONS=${BENCH_SESSIONS:-200}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
TMP=$(mktemp -d /tmp/mcp-bench.XXXXXX)
RESULTS=$TMP/results.txt
: >"$RESULTS"
STATUS=0

source "$ROOT/bench/lib.sh"
source "$ROOT/bench/report.sh"

# ---- the systems under test ------------------------------------------------------

REDIS_PID="" REDIS_PORT=""
UP_PID="" UP_PORT="" MEM_PID="" MEM_PORT="" RED_PID="" RED_PORT="" RED_WHY=""
NGX_PID="" NGX_PORT="" NGX_WORKERS=""

start_redis() {
  free_port; REDIS_PORT=$FREE_PORT
  start_bg redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$TMP" --logfile ""
  REDIS_PID=$LAST_PID
  wait_port "$REDIS_PORT" "$REDIS_PID" 5 || { log "redis-server did not start"; REDIS_PID=""; }
}

start_sidecar() {  # start_sidecar NAME [--set ...]: sets SC_PID SC_PORT; 1 if it did not come up
  local name=$1 admin
  shift
  free_port; SC_PORT=$FREE_PORT
  free_port; admin=$FREE_PORT
  start_bg "$name" "$SIDECAR" --set "listen=127.0.0.1:$SC_PORT" --set "admin.listen=127.0.0.1:$admin" \
    --set "upstream.url=http://127.0.0.1:$UP_PORT/mcp" --set log.level=warn "$@"
  SC_PID=$LAST_PID
  wait_port "$SC_PORT" "$SC_PID" 5
}

start_stack() {  # start_stack json|sse
  local flags=()
  [[ $1 == sse ]] && flags=(--sse)
  free_port; UP_PORT=$FREE_PORT
  start_bg "upstream-$1" "$UPSTREAM" --port "$UP_PORT" "${flags[@]}"
  UP_PID=$LAST_PID
  wait_port "$UP_PORT" "$UP_PID" 5 || { log "bench_upstream did not start"; cat "$TMP/upstream-$1.log" >&2; exit 1; }

  start_sidecar "sidecar-memory-$1" ||
    { log "mcp-sidecar (memory) did not start"; cat "$TMP/sidecar-memory-$1.log" >&2; exit 1; }
  MEM_PID=$SC_PID MEM_PORT=$SC_PORT

  RED_PID="" RED_PORT="" RED_WHY=""
  if [[ -z $REDIS_PID ]]; then
    RED_WHY="redis-server did not start"
  elif start_sidecar "sidecar-redis-$1" --set store.kind=redis --set "store.redis.url=redis://127.0.0.1:$REDIS_PORT"; then
    RED_PID=$SC_PID RED_PORT=$SC_PORT
  else
    RED_WHY="the sidecar did not start: $(grep -o 'event=[a-z_]*' "$TMP/sidecar-redis-$1.log" | head -1 || true)"
    stop_and_forget "$SC_PID"
  fi

  free_port; NGX_PORT=$FREE_PORT
  write_nginx_conf "$TMP/nginx-$1" "$NGX_PORT" "$UP_PORT"
  start_nginx "nginx-$1" "$TMP/nginx-$1" "$NGX_PORT" || exit 1
}

stop_stack() {
  # shellcheck disable=SC2086
  stop_and_forget "$NGX_PID" $NGX_WORKERS "$RED_PID" "$MEM_PID" "$UP_PID"
}

# ---- measuring ----------------------------------------------------------------

run_row() {  # run_row WORKLOAD MODE ROW ROUND PORT CONNS DURATION WARMUP [PROXY_PID...]
  local workload=$1 mode=$2 row=$3 round=$4 port=$5 conns=$6 dur=$7 warm=$8 out p
  shift 8
  local args=(--url "http://127.0.0.1:$port/mcp" --sessions "$SESSIONS" --connections "$conns"
              --duration "$dur" --warmup "$warm" --expect "$workload" --upstream-pid "$UP_PID"
              --label "$workload/$mode/$row/$round" --max-run 60)
  for p in "$@"; do args+=(--proxy-pid "$p"); done
  [[ -n ${STORE_PID:-} ]] && args+=(--store-pid "$STORE_PID")
  if ! out=$("$LOAD" "${args[@]}" 2>>"$TMP/load.log"); then
    log "bench_load failed for $workload/$mode/$row round $round: $(tail -1 "$TMP/load.log")"
    STATUS=1
  fi
  [[ -n $out ]] && printf '%s %s %s %s %s\n' "$workload" "$mode" "$row" "$round" "$out" >>"$RESULTS"
  return 0
}

measure_workload() {  # measure_workload json|sse
  local workload=$1 mode round rounds conns dur warm
  start_stack "$workload"
  for mode in load lat; do
    conns=$CONNECTIONS dur=$DURATION warm=$WARMUP rounds=$ROUNDS
    [[ $mode == lat ]] && conns=1 dur=$LAT_DURATION warm=0.5 rounds=$LAT_ROUNDS
    for ((round = 1; round <= rounds; round++)); do
      log "  $workload, $conns connection(s), round $round/$rounds"
      run_row "$workload" "$mode" a "$round" "$UP_PORT" "$conns" "$dur" "$warm"
      run_row "$workload" "$mode" b "$round" "$MEM_PORT" "$conns" "$dur" "$warm" "$MEM_PID"
      if [[ -n $RED_PID ]]; then
        STORE_PID=$REDIS_PID run_row "$workload" "$mode" c "$round" "$RED_PORT" "$conns" "$dur" "$warm" "$RED_PID"
      fi
      # shellcheck disable=SC2086
      run_row "$workload" "$mode" d "$round" "$NGX_PORT" "$conns" "$dur" "$warm" "$NGX_PID" $NGX_WORKERS
    done
  done
  stop_stack
}

# ---- main ------------------------------------------------------------------------

ensure_packages nginx redis-server
build_bench
log "measuring (temp dir $TMP)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_redis
measure_workload json
measure_workload sse
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

print_machine
print_table json "tools/call answered as application/json"
print_table sse "tools/call answered as a 3-event SSE stream (priming, progress, response)"
check_clean || STATUS=1
exit "$STATUS"
