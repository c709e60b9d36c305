#!/usr/bin/env bash
# bench/memory.sh: memory per session, memory per open SSE stream and the cost
# of rehydration, in one command (docs/performance.md, "Memory and rehydration").
#
#   bash bench/memory.sh
#
# Builds Release into build-bench/ (mcp-sidecar, bench_upstream), then, on
# 127.0.0.1 only:
#   1. sidecar + Redis store: VmRSS and Redis used_memory before/after creating
#      MEM_SESSIONS idle sessions (initialize + notifications/initialized);
#      MEMORY USAGE of one session's meta key and event stream.
#   2. sidecar + memory store: MEM_STREAMS concurrent clients, each a session
#      with its standalone GET SSE stream open (served from the session log;
#      the sidecar's own upstream GET per session is held open by
#      bench_upstream --get-streams); VmRSS.
#   3. two sidecars on one Redis, each with its own bench_upstream: the first
#      request for a session created on A, sent to B (rehydration), vs the same
#      request repeated on B, vs a direct initialize to B's upstream; and the
#      overhead as node B measures it (rehydration_done: duration minus the
#      upstream's initialize), free of this client's own noise.
# The client is bench/memory_client.js (node, no npm packages). Every process
# it starts is stopped by PID on exit (bench/lib.sh). Exit status 1 if a phase
# failed to run (not for a GAP).
#
# Knobs: MEM_SESSIONS=5000 MEM_PARALLEL=4 MEM_STREAMS=10000 MEM_ROUNDS=200
# MEM_STREAMS_REDIS=1 (repeat part 2 with the Redis store) BENCH_SKIP_BUILD=0
# BENCH_BUILD_DIR=<repo>/build-bench BENCH_KEEP_TMP=0

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
N_SESSIONS=${MEM_SESSIONS:-5000}
PARALLEL=${MEM_PARALLEL:-4}
N_STREAMS=${MEM_STREAMS:-10000}
ROUNDS=${MEM_ROUNDS:-200}
STREAMS_REDIS=${MEM_STREAMS_REDIS:-1}
CLIENT=$ROOT/bench/memory_client.js
TMP=$(mktemp -d /tmp/mcp-memory.XXXXXX)
STATUS=0

source "$ROOT/bench/lib.sh"

# Ports below the ephemeral range (32768+): part 2 leaves ~20,000 client-side
# ports closing, and one of them can make a later bind fail.
FREE_PORT_SPAN=12000

command -v node >/dev/null || { log "node (>= 18) is required"; exit 1; }
ensure_packages redis-server
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
log "RLIMIT_NOFILE for this script and its children: $(ulimit -n)"

SIDECAR=$BUILD/cmd/mcp-sidecar
UPSTREAM=$BUILD/bench/bench_upstream
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "building Release into $BUILD"
  if ! cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSIDECAR_TESTS=OFF >"$TMP/cmake.log" 2>&1 ||
     ! cmake --build "$BUILD" -j"$(nproc)" --target mcp-sidecar bench_upstream >>"$TMP/cmake.log" 2>&1; then
    tail -30 "$TMP/cmake.log" >&2
    exit 1
  fi
fi

# ---- helpers -----------------------------------------------------------------

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
nofile_limit() { awk '/^Max open files/ {print $4}' "/proc/$1/limits"; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
redis_used() { rcli info memory | tr -d '\r' | awk -F: '/^used_memory:/ {print $2}'; }
kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }  # kv LINE KEY
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.0f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "nan" && v + 0 <= t + 0) ? "PASS" : "GAP" }'; }

start_redis() {
  free_port; REDIS_PORT=$FREE_PORT
  start_bg redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$TMP" --logfile ""
  REDIS_PID=$LAST_PID
  wait_port "$REDIS_PORT" "$REDIS_PID" 5 || { log "redis-server did not start"; exit 1; }
}

start_upstream() {  # start_upstream NAME: sets UP_PID UP_PORT
  free_port; UP_PORT=$FREE_PORT
  start_bg "$1" "$UPSTREAM" --port "$UP_PORT" --get-streams
  UP_PID=$LAST_PID
  wait_port "$UP_PORT" "$UP_PID" 5 || { log "bench_upstream did not start"; cat "$TMP/$1.log" >&2; exit 1; }
}

start_sidecar() {  # start_sidecar NAME UP_PORT memory|redis: sets SC_PID SC_PORT
  local name=$1 up=$2 store=$3 admin
  local flags=()
  [[ $store == redis ]] && flags=(--set store.kind=redis --set "store.redis.url=redis://127.0.0.1:$REDIS_PORT")
  free_port; SC_PORT=$FREE_PORT
  free_port; admin=$FREE_PORT
  start_bg "$name" "$SIDECAR" --set "listen=127.0.0.1:$SC_PORT" --set "admin.listen=127.0.0.1:$admin" \
    --set "upstream.url=http://127.0.0.1:$up/mcp" --set "log.level=${SC_LOG_LEVEL:-warn}" "${flags[@]}"
  SC_PID=$LAST_PID
  wait_port "$SC_PORT" "$SC_PID" 5 || { log "mcp-sidecar ($name) did not start"; cat "$TMP/$name.log" >&2; exit 1; }
}

settle_rss() {  # settle_rss PID: VmRSS in KiB once two reads 0.5 s apart agree within 1 %
  local a b i
  a=$(rss_kb "$1")
  for ((i = 0; i < 10; i++)); do
    sleep 0.5
    b=$(rss_kb "$1")
    (( b * 100 >= a * 99 && b * 100 <= a * 101 )) && break
    a=$b
  done
  echo "$b"
}

ROWS=()  # "figure|measured|target|verdict"
row() { ROWS+=("$1|$2|$3|$4"); }

# ---- 1. idle sessions, Redis store ----------------------------------------------

part_sessions() {
  log "1. $N_SESSIONS idle sessions through the sidecar (Redis store)"
  start_upstream upstream-sessions
  local up_pid=$UP_PID
  start_sidecar sidecar-sessions "$UP_PORT" redis
  local sc=$SC_PID url="http://127.0.0.1:$SC_PORT/mcp" out
  # 20 warm-up sessions so lazily built state (the Redis connection, scripts,
  # first allocations) is not charged to the measured sessions.
  node "$CLIENT" sessions "$url" 20 2 >/dev/null || { log "warm-up failed"; STATUS=1; }
  local rss0 mem0 rss1 mem1
  rss0=$(settle_rss "$sc"); mem0=$(redis_used)
  if ! out=$(node "$CLIENT" sessions "$url" "$N_SESSIONS" "$PARALLEL"); then
    log "session creation failed: $out"; STATUS=1
  fi
  log "  $out"
  rss1=$(settle_rss "$sc"); mem1=$(redis_used)
  local ok sid init_bytes
  ok=$(kv "$out" ok); sid=$(kv "$out" sid); init_bytes=$(kv "$out" init_result_bytes)
  local per_rss per_redis
  per_rss=$(div $(((rss1 - rss0) * 1024)) "$ok")
  per_redis=$(div $((mem1 - mem0)) "$ok")
  local meta events meta_key events_key meta_len
  meta_key=$(rcli --scan --pattern 'mcp:*:meta' | awk 'NR == 1')  # awk reads all: no SIGPIPE
  events_key=${meta_key%:meta}:events
  meta=$(rcli memory usage "$meta_key" | tr -d '\r')
  events=$(rcli memory usage "$events_key" | tr -d '\r')
  [[ -z $events ]] && events=0
  meta_len=$(rcli --raw dump "$meta_key" | wc -c)
  local init_params
  init_params=$(node -e 'process.stdout.write(String(Buffer.byteLength(JSON.stringify({protocolVersion:"2025-06-18",capabilities:{},clientInfo:{name:"bench-memory",version:"1.0.0"}}))))')
  local record=$((meta + events)) target_record=$((1024 + init_params))
  log "  sidecar VmRSS ${rss0} KiB -> ${rss1} KiB; redis used_memory $mem0 -> $mem1; keys: $(rcli dbsize | tr -d '\r')"
  log "  one session: $meta_key MEMORY USAGE=$meta B (DUMP ${meta_len} B), $events_key MEMORY USAGE=$events B (XLEN $(rcli xlen "$events_key" | tr -d '\r'), stream-node-max-bytes $(rcli config get stream-node-max-bytes | tr -d '\r' | awk 'NR == 2'))"
  log "  key types: meta=$(rcli type "$meta_key" | tr -d '\r') ($(rcli object encoding "$meta_key" | tr -d '\r')) events=$(rcli type "$events_key" | tr -d '\r')"
  log "  meta fields: $(rcli hkeys "$meta_key" 2>/dev/null | tr -d '\r' | tr '\n' ' ')"
  # Content-addressed blobs (client_params, InitializeResult), shared by every
  # session with the same bytes: count them and their MEMORY USAGE in total.
  local blob_keys=0 blob_mem=0 key
  while read -r key; do
    [[ -z $key ]] && continue
    blob_keys=$((blob_keys + 1))
    blob_mem=$((blob_mem + $(rcli memory usage "$key" | tr -d '\r')))
  done < <(rcli --scan --pattern 'mcp:blob:*' | tr -d '\r')
  log "  InitializeResult $init_bytes B, initialize params $init_params B; blobs: $blob_keys keys, MEMORY USAGE $blob_mem B in total (shared by all sessions)"
  SID_EXAMPLE=$sid
  row "sidecar RSS per idle session (Redis store, $ok sessions)" "$per_rss B" "<= 2048 B" "$(verdict "$per_rss" 2048)"
  row "Redis used_memory per session" "$per_redis B" "<= $target_record B" "$(verdict "$per_redis" "$target_record")"
  row "Redis record (MEMORY USAGE meta $meta + events $events)" "$record B" "<= 1024 + $init_params B" "$(verdict "$record" "$target_record")"
  row "  InitializeResult $init_bytes B + params $init_params B: $blob_keys shared blob keys" "$(div "$blob_mem" "$ok") B per session" "-" "-"
  stop_and_forget "$sc" "$up_pid"
}

# ---- 2. open SSE streams ---------------------------------------------------------

part_streams() {  # part_streams memory|redis
  local store=$1
  log "2. $N_STREAMS clients with an open GET SSE stream each, through the sidecar ($store store)"
  start_upstream "upstream-streams-$store"
  local up_pid=$UP_PID
  start_sidecar "sidecar-streams-$store" "$UP_PORT" "$store"
  local sc=$SC_PID url="http://127.0.0.1:$SC_PORT/mcp" out
  local limit n_streams=$N_STREAMS
  limit=$(nofile_limit "$sc")
  log "  sidecar RLIMIT_NOFILE (soft): $limit; bench_upstream: $(nofile_limit "$up_pid")"
  # The sidecar holds two descriptors per stream (the client's GET and its
  # own upstream GET for the session's copy).
  if (( n_streams * 2 + 100 > limit )); then
    n_streams=$(( (limit - 100) / 2 ))
    log "  RLIMIT_NOFILE $limit cannot hold $N_STREAMS streams x 2 fds (hard limit $(ulimit -Hn), no CAP_SYS_RESOURCE?): measuring $n_streams and extrapolating to $N_STREAMS"
  fi
  local rss0 rss1
  rss0=$(settle_rss "$sc")
  local ready=$TMP/streams-$store.ready cl i
  rm -f "$ready"
  node "$CLIENT" streams "$url" "$n_streams" "$ready" 240 2>"$TMP/streams-client-$store.log" &
  cl=$!
  PIDS+=("$cl")
  for ((i = 0; i < 1200; i++)); do  # up to 120 s
    [[ -s $ready ]] && break
    alive "$cl" || break
    sleep 0.1
  done
  local opened=0 failed=0 line="(no READY line)"
  if [[ -s $ready ]]; then
    line=$(cat "$ready"); opened=$(kv "$line" opened); failed=$(kv "$line" failed)
  fi
  rss1=$(settle_rss "$sc")
  local up_rss fds
  up_rss=$(rss_kb "$up_pid"); fds=$(fd_count "$sc")
  log "  $line after $((i / 10)) s; sidecar fds $fds; VmRSS ${rss0} KiB -> ${rss1} KiB; bench_upstream VmRSS ${up_rss} KiB"
  [[ $failed == 0 && $opened == "$n_streams" ]] || { log "  $(tail -3 "$TMP/streams-client-$store.log")"; STATUS=1; }
  local total_mib per at_n
  total_mib=$(awk -v k="$rss1" 'BEGIN { printf "%.1f", k / 1024 }')
  per=$(div $(((rss1 - rss0) * 1024)) "$opened")
  if [[ $opened != "$N_STREAMS" && $per != nan ]]; then
    at_n=$(awk -v k="$rss0" -v p="$per" -v n="$N_STREAMS" 'BEGIN { printf "%.1f", (k * 1024 + p * n) / 1048576 }')
    row "sidecar RSS, $opened open SSE streams ($store store)" "$total_mib MiB" "-" "-"
    row "  extrapolated to $N_STREAMS streams" "$at_n MiB" "<= 150 MiB" "$(verdict "$at_n" 150)"
  else
    row "sidecar RSS, $opened open SSE streams ($store store)" "$total_mib MiB" "<= 150 MiB" "$(verdict "$total_mib" 150)"
  fi
  row "  per stream, its session included (delta / $opened)" "$per B" "<= $((150 * 1024 * 1024 / N_STREAMS)) B" "$(verdict "$per" $((150 * 1024 * 1024 / N_STREAMS)))"
  stop_and_forget "$cl"
  stop_and_forget "$sc" "$up_pid"
}

# ---- 3. rehydration on a fresh node ---------------------------------------------------

part_rehydrate() {
  log "3. rehydration: $ROUNDS sessions created on node A, first used on node B"
  start_upstream upstream-a
  local up_a=$UP_PID
  start_sidecar sidecar-a "$UP_PORT" redis
  local sc_a=$SC_PID port_a=$SC_PORT
  start_upstream upstream-b
  local up_b=$UP_PID up_b_port=$UP_PORT
  # info: its rehydration_done lines carry each rehydration's own timings
  SC_LOG_LEVEL=info start_sidecar sidecar-b "$UP_PORT" redis
  local sc_b=$SC_PID port_b=$SC_PORT out
  if ! out=$(node "$CLIENT" rehydrate "http://127.0.0.1:$port_a/mcp" "http://127.0.0.1:$port_b/mcp" \
             "http://127.0.0.1:$up_b_port/mcp" "$ROUNDS"); then
    log "rehydration run failed: $out"; STATUS=1
  fi
  log "  $out"
  local f50 f99 m50 m99 u50 u99 o50 o99
  f50=$(kv "$out" first_p50_us); f99=$(kv "$out" first_p99_us)
  m50=$(kv "$out" mapped_p50_us); m99=$(kv "$out" mapped_p99_us)
  u50=$(kv "$out" upinit_p50_us); u99=$(kv "$out" upinit_p99_us)
  o50=$(kv "$out" overhead_p50_us); o99=$(kv "$out" overhead_p99_us)
  local e50 e99
  e50=$(kv "$out" extra_p50_us); e99=$(kv "$out" extra_p99_us)
  row "first request on node B (rehydrates), p50 / p99" "$f50 / $f99 us" "-" "-"
  row "same request again on B (mapped), p50 / p99" "$m50 / $m99 us" "-" "-"
  row "direct initialize to B's upstream, p50 / p99" "$u50 / $u99 us" "-" "-"
  # first - mapped includes the upstream's initialize as the sidecar sees it
  # (without this client's own per-request cost, which the direct initialize
  # below carries): an upper bound on overhead + upstream initialize.
  row "first - mapped, p50 (overhead + upstream init)" "$e50 us" "<= 1000 + init us" "$(verdict "$e50" $((1000 + u50)))"
  row "first - mapped, p99" "$e99 us" "<= 1000 + init us" "$(verdict "$e99" $((1000 + u99)))"
  row "rehydration overhead p50 (first - mapped - init)" "$o50 us" "<= 1000 us" "$(verdict "$o50" 1000)"
  row "rehydration overhead p99" "$o99 us" "<= 1000 us" "$(verdict "$o99" 1000)"
  row "  noise floor of this client: mapped p99 - p50" "$((m99 - m50)) us" "-" "-"
  # The same overhead measured inside node B, free of this client's noise:
  # each rehydration's duration minus the time its upstream took to answer
  # the initialize (rehydration_done's duration_us and initialize_us).
  local inside n i50 i99
  inside=$(sed -n 's/.*event=rehydration_done .*duration_us=\([0-9]*\) upstream_us=[0-9]* initialize_us=\([0-9]*\).*/\1 \2/p' \
             "$TMP/sidecar-b.log" | awk '{ print $1 - $2 }' | sort -n)
  n=$(printf '%s\n' "$inside" | grep -c . || true)
  if ((n > 0)); then
    i50=$(printf '%s\n' "$inside" | awk -v n="$n" 'NR == int((n - 1) * 0.50) + 1')
    i99=$(printf '%s\n' "$inside" | awk -v n="$n" 'NR == int((n - 1) * 0.99) + 1')
    row "rehydration overhead inside node B, p50 ($n rehydrations)" "$i50 us" "<= 1000 us" "$(verdict "$i50" 1000)"
    row "rehydration overhead inside node B, p99" "$i99 us" "<= 1000 us" "$(verdict "$i99" 1000)"
  else
    log "no rehydration_done lines in sidecar-b.log"; STATUS=1
  fi
  stop_and_forget "$sc_b" "$up_b" "$sc_a" "$up_a"
}

# ---- main ------------------------------------------------------------------------

start_redis
part_sessions
part_streams memory
if [[ $STREAMS_REDIS == 1 ]]; then
  rcli flushall >/dev/null
  part_streams redis
fi
rcli flushall >/dev/null
part_rehydrate

printf '\nMemory and rehydration (%s, %s CPUs, node %s, redis %s)\n\n' \
  "$(uname -r)" "$(nproc)" "$(node --version)" "$(redis-server --version | grep -o 'v=[0-9.]*' | cut -d= -f2)"
printf '| %-58s | %-18s | %-18s | %-4s |\n' figure measured target ""
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..20})" "$(printf -- '-%.0s' {1..20})" "------"
for r in "${ROWS[@]}"; do
  IFS='|' read -r a b c d <<<"$r"
  printf '| %-58s | %-18s | %-18s | %-4s |\n' "$a" "$b" "$c" "$d"
done
exit "$STATUS"
