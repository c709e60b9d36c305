#!/usr/bin/env bash
# bench/profile.sh: where the sidecar's time goes, next to nginx, on the JSON
# workload (docs/performance.md, "Where the time goes"). About 1 minute.
#
#   bash bench/profile.sh                      # syscalls, perf stat, perf profile
#   PROFILE_CALLGRIND=1 bash bench/profile.sh  # + callgrind of the sidecar (~30 s more)
#
# 1. system calls per request (strace -c) of: the sidecar, the sidecar with
#    libevent's epoll changelist (EVENT_EPOLL_USE_CHANGELIST=1), the sidecar
#    with the Redis store and its redis-server (when this build has it),
#    nginx; then CPU per request of those, of the sidecar on jemalloc
#    (LD_PRELOAD) and of the sidecar with both;
# 2. perf stat (software counters: this VM exposes no hardware counters)
#    of the sidecar per request;
# 3. perf record -e cpu-clock of the sidecar: top shared objects and symbols;
# 4. optionally callgrind: instructions, allocations and printf per request.
# Needs strace, perf (linux-perf), valgrind for 4. Processes are stopped by PID.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
TMP=$(mktemp -d /tmp/mcp-profile.XXXXXX)
REQUESTS=${PROFILE_REQUESTS:-3000}
SESSIONS=20

source "$ROOT/bench/lib.sh"

ensure_packages nginx strace linux-perf
[[ ${PROFILE_CALLGRIND:-0} == 1 ]] && ensure_packages valgrind
build_bench

free_port; UP_PORT=$FREE_PORT
start_bg upstream "$UPSTREAM" --port "$UP_PORT"
UP_PID=$LAST_PID
wait_port "$UP_PORT" "$UP_PID" 5 || { log "bench_upstream did not start"; exit 1; }

start_sidecar() {  # start_sidecar NAME [ENV=VALUE ...] [-- SIDECAR FLAGS...]: sets SC_PID SC_PORT
  local name=$1 admin env=() flags=()
  shift
  while (($# > 0)) && [[ $1 != -- ]]; do env+=("$1"); shift; done
  (($# > 0)) && shift && flags=("$@")
  free_port; SC_PORT=$FREE_PORT
  free_port; admin=$FREE_PORT
  start_bg "$name" env "${env[@]}" "$SIDECAR" --set "listen=127.0.0.1:$SC_PORT" \
    --set "admin.listen=127.0.0.1:$admin" --set "upstream.url=http://127.0.0.1:$UP_PORT/mcp" \
    --set log.level=warn "${flags[@]}"
  SC_PID=$LAST_PID
  wait_port "$SC_PORT" "$SC_PID" 5
}

start_sidecar sidecar || { log "mcp-sidecar did not start"; cat "$TMP/sidecar.log" >&2; exit 1; }
SC1_PID=$SC_PID SC1_PORT=$SC_PORT
start_sidecar sidecar-changelist EVENT_EPOLL_USE_CHANGELIST=1 || exit 1
SC2_PID=$SC_PID SC2_PORT=$SC_PORT
JEMALLOC=$(ls /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 2>/dev/null || true)
SC3_PID="" SC4_PID="" SCR_PID="" REDIS_PID=""
if [[ -n $JEMALLOC ]]; then  # libjemalloc2 comes with redis-server
  start_sidecar sidecar-jemalloc LD_PRELOAD="$JEMALLOC" || exit 1
  SC3_PID=$SC_PID SC3_PORT=$SC_PORT
  start_sidecar sidecar-both LD_PRELOAD="$JEMALLOC" EVENT_EPOLL_USE_CHANGELIST=1 || exit 1
  SC4_PID=$SC_PID SC4_PORT=$SC_PORT
fi
if command -v redis-server >/dev/null; then  # the Redis store, when this build has it
  free_port; REDIS_PORT=$FREE_PORT
  start_bg redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$TMP" --logfile ""
  REDIS_PID=$LAST_PID
  SC_PID=""
  if wait_port "$REDIS_PORT" "$REDIS_PID" 5 &&
     start_sidecar sidecar-redis -- --set store.kind=redis --set "store.redis.url=redis://127.0.0.1:$REDIS_PORT"; then
    SCR_PID=$SC_PID SCR_PORT=$SC_PORT
  else
    log "no Redis-store rows: the sidecar did not start with store.kind=redis"
    stop_and_forget "$SC_PID"
  fi
fi
free_port; NGX_PORT=$FREE_PORT
write_nginx_conf "$TMP/nginx" "$NGX_PORT" "$UP_PORT"
start_nginx nginx "$TMP/nginx" "$NGX_PORT" || exit 1

finish_tracer() {  # finish_tracer PID: SIGINT makes strace/perf write their summary and detach
  kill -INT "$1" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do alive "$1" || break; sleep 0.1; done
  stop_and_forget "$1"
}

load() {  # load PORT EXTRA...: a fixed number of tools/call requests (plus the setup ones)
  local port=$1
  shift
  "$LOAD" --url "http://127.0.0.1:$port/mcp" --sessions "$SESSIONS" --connections 32 --warmup 0 \
    --duration 60 --requests "$REQUESTS" --expect json --no-delete --max-run 120 "$@"
}

syscalls() {  # syscalls NAME PORT PID...: strace -c over one load run, per request
  local name=$1 port=$2 p args=() sp
  shift 2
  for p in "$@"; do args+=(-p "$p"); done
  start_bg strace strace -c -f "${args[@]}" -o "$TMP/strace-$name.txt"
  sp=$LAST_PID
  sleep 0.5
  load "$port" >/dev/null
  finish_tracer "$sp"
  local per=$((REQUESTS + 2 * SESSIONS))
  local top total
  top=$(awk '$4 ~ /^[0-9]+$/ && $NF != "total" { print $NF, $4 }' "$TMP/strace-$name.txt" | sort -k2,2nr |
        awk -v per="$per" 'NR <= 6 { printf " %s %.1f", $1, $2 / per }')
  total=$(awk -v per="$per" '$NF == "total" { printf "%.1f", $4 / per }' "$TMP/strace-$name.txt")
  printf '  %-28s %5s syscalls/request:%s\n' "$name" "$total" "$top"
}

echo "== system calls per request (strace -c, $REQUESTS tools/call + $((2 * SESSIONS)) setup, 32 connections)"
if command -v strace >/dev/null; then
  syscalls "sidecar (memory store)" "$SC1_PORT" "$SC1_PID"
  syscalls "sidecar + epoll changelist" "$SC2_PORT" "$SC2_PID"
  if [[ -n $SCR_PID ]]; then
    syscalls "sidecar (redis store)" "$SCR_PORT" "$SCR_PID"
    syscalls "  its redis-server" "$SCR_PORT" "$REDIS_PID"
  fi
  # shellcheck disable=SC2086
  syscalls "nginx" "$NGX_PORT" "$NGX_PID" $NGX_WORKERS
else
  echo "  strace not installed"
fi

echo
echo "== CPU per request (bench_load, 32 connections, 3 s each; alternating, 3 rounds)"
echo "   changelist = EVENT_EPOLL_USE_CHANGELIST=1, jemalloc = LD_PRELOAD=libjemalloc.so.2 (no code change)"
targets=("sidecar:$SC1_PORT:$SC1_PID" "sidecar+changelist:$SC2_PORT:$SC2_PID")
[[ -n $SC3_PID ]] && targets+=("sidecar+jemalloc:$SC3_PORT:$SC3_PID" "sidecar+both:$SC4_PORT:$SC4_PID")
[[ -n $SCR_PID ]] && targets+=("sidecar(redis store):$SCR_PORT:$SCR_PID")
targets+=("nginx:$NGX_PORT:$NGX_PID")
for round in 1 2 3; do
  for target in "${targets[@]}"; do
    IFS=: read -r name port pid <<<"$target"
    pids=(--proxy-pid "$pid")
    # shellcheck disable=SC2206
    [[ $name == nginx ]] && for w in $NGX_WORKERS; do pids+=(--proxy-pid "$w"); done
    [[ $name == *redis* ]] && pids+=(--store-pid "$REDIS_PID")
    out=$(load "$port" "${pids[@]}" --requests 0 --duration 3)
    printf '  round %d %-20s %s\n' "$round" "$name" \
      "$(grep -oE '(rps|p50_us|p99_us|proxy_cpu_us_per_req|store_cpu_us_per_req)=[^ ]*' <<<"$out" |
         grep -v '=-$' | tr '\n' ' ')"
  done
done

if command -v perf >/dev/null; then
  echo
  echo "== perf stat of the sidecar over one load run (software events)"
  start_bg perf-stat perf stat -e task-clock,context-switches,cpu-migrations,page-faults -p "$SC1_PID" \
    -o "$TMP/perfstat.txt"
  ps=$LAST_PID
  sleep 0.3
  load "$SC1_PORT" >/dev/null
  finish_tracer "$ps"
  awk -v per=$((REQUESTS + 2 * SESSIONS)) '
    /task-clock/ { gsub(",", "", $1); printf "  %-18s %10.1f ms total  %8.1f us per request\n", "task-clock", $1, $1 * 1000 / per }
    /context-switches|cpu-migrations|page-faults/ {
      gsub(",", "", $1); printf "  %-18s %10s total     %8.2f per request\n", $2, $1, $1 / per }' "$TMP/perfstat.txt"

  echo
  echo "== perf record -e cpu-clock of the sidecar (flat, one load run)"
  start_bg perf-record perf record -q -e cpu-clock -F 1999 -p "$SC1_PID" -o "$TMP/perf.data"
  ps=$LAST_PID
  sleep 0.3
  load "$SC1_PORT" >/dev/null
  finish_tracer "$ps"
  echo "  by shared object:"
  { perf report -i "$TMP/perf.data" --stdio --no-children -g none --sort dso 2>/dev/null |
    grep -E '^ +[0-9]' | head -8 | sed 's/^/  /'; } || true
  echo "  top symbols:"
  { perf report -i "$TMP/perf.data" --stdio --no-children -g none --sort dso,symbol 2>/dev/null |
    grep -E '^ +[0-9]' | head -25 | cut -c1-130 | sed 's/^/  /'; } || true
fi

if [[ ${PROFILE_CALLGRIND:-0} == 1 ]]; then
  echo
  echo "== callgrind of a fresh sidecar (startup + $((2 * SESSIONS)) setup + $REQUESTS requests, 8 connections)"
  free_port; CG_PORT=$FREE_PORT
  free_port; CG_ADMIN=$FREE_PORT
  start_bg callgrind valgrind --tool=callgrind --callgrind-out-file="$TMP/callgrind.out" "$SIDECAR" \
    --set "listen=127.0.0.1:$CG_PORT" --set "admin.listen=127.0.0.1:$CG_ADMIN" \
    --set "upstream.url=http://127.0.0.1:$UP_PORT/mcp" --set log.level=warn
  CG_PID=$LAST_PID
  wait_port "$CG_PORT" "$CG_PID" 30 || { log "sidecar under valgrind did not start"; exit 1; }
  "$LOAD" --url "http://127.0.0.1:$CG_PORT/mcp" --sessions "$SESSIONS" --connections 8 --warmup 0 \
    --duration 100 --requests "$REQUESTS" --expect json --no-delete --timeout-ms 30000 --max-run 150 >/dev/null
  stop_and_forget "$CG_PID"
  per=$((REQUESTS + 2 * SESSIONS))
  callgrind_annotate --inclusive=yes "$TMP/callgrind.out" 2>/dev/null >"$TMP/cg-inclusive.txt"
  callgrind_annotate --tree=caller "$TMP/callgrind.out" 2>/dev/null >"$TMP/cg-callers.txt"
  awk -v per="$per" '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "  %.0f instructions per request (user space)\n", $1 / per }' \
    "$TMP/cg-inclusive.txt"
  echo "  calls per request:"
  for fn in 'malloc.c:malloc ' 'malloc.c:calloc ' 'malloc.c:free ' 'operator new(unsigned long) ' \
            'evbuffer_add_printf ' 'evhttp_add_header ' 'evhttp_find_header '; do
    # In --tree=caller output the "<" caller lines, each with "(Nx)" calls,
    # come before the "*" line of the function they call.
    awk -v fn="$fn" -v per="$per" '
      /^$/ { n = 0; next }
      / < / { s = $0; sub(/.*\(/, "", s); sub(/x\).*/, "", s); gsub(",", "", s); n += s; next }
      / \*  / && index($0, fn) { total += n }
      END { printf "    %-32s %7.1f\n", fn, total / per }' "$TMP/cg-callers.txt"
  done
  echo "  top inclusive sidecar functions (% of all instructions):"
  { grep -E 'sidecar::(proxy|sessionstore|DeferredQueue)' "$TMP/cg-inclusive.txt" | grep -v _Function_handler |
    head -18 | sed -E 's/\(anonymous namespace\):://g; s/^ *[0-9,]+ \(([ 0-9.]+%)\) +(\?\?\?:)?([^(]*).*/\1  \3/' | cut -c1-110 | sed 's/^/    /'; } || true
fi
