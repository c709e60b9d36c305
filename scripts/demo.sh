#!/usr/bin/env bash
# The demo: installs and builds, starts the official MCP "everything" server on
# 127.0.0.1:3001 (Streamable HTTP, /mcp), then runs the sidecar in the
# foreground with config/examples/dev.yaml:
#   MCP endpoint  http://127.0.0.1:8080/mcp
#   admin API     http://127.0.0.1:9090
# Extra arguments go to the sidecar (e.g. --set log.level=debug). Ctrl-C stops
# the sidecar; the upstream is stopped with it. Rerunnable: an upstream left
# over from an earlier run is stopped first.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

UPSTREAM_PORT=3001
SIDECAR_PORT=8080
ADMIN_PORT=9090
CONFIG=config/examples/dev.yaml
SIDECAR=build/cmd/mcp-sidecar
EVERYTHING=tests/integration/node_modules/@modelcontextprotocol/server-everything/dist/index.js
PRELOAD=tests/integration/support/loopback.cjs
state=build/demo
pidfile="$state/upstream.pid"
upstream_log="$state/upstream.log"

bash scripts/install-deps.sh
bash scripts/build.sh

[[ -f "$CONFIG" ]] || { echo "demo: $CONFIG is missing" >&2; exit 1; }
[[ -x "$SIDECAR" ]] || { echo "demo: $SIDECAR was not built" >&2; exit 1; }
mkdir -p "$state"

listening() {  # is something accepting TCP connections on 127.0.0.1:$1?
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_demo_upstream() {  # is PID $1 a server-everything started by this script?
  local cmdline
  cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline")" || return 1
  [[ "$cmdline" == *"$root/$PRELOAD"* && "$cmdline" == *server-everything* && "$cmdline" == *streamableHttp* ]] &&
    tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" | grep -qx "PORT=$UPSTREAM_PORT"
}

stop_pid() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null || true
}

# A stale upstream from an earlier run: by pid file, else by its exact command line.
stale=()
if [[ -f "$pidfile" ]] && is_demo_upstream "$(cat "$pidfile")"; then
  stale+=("$(cat "$pidfile")")
fi
for dir in /proc/[0-9]*; do
  pid="${dir#/proc/}"
  [[ " ${stale[*]} " == *" $pid "* ]] && continue
  is_demo_upstream "$pid" && stale+=("$pid")
done
for pid in "${stale[@]}"; do
  echo "demo: stopping the upstream left by an earlier run (pid $pid)"
  stop_pid "$pid"
done
rm -f "$pidfile"

for port in "$UPSTREAM_PORT" "$SIDECAR_PORT" "$ADMIN_PORT"; do
  if listening "$port"; then
    echo "demo: port $port on 127.0.0.1 is already in use by another program; stop it and rerun" >&2
    exit 1
  fi
done

echo "demo: starting server-everything on 127.0.0.1:$UPSTREAM_PORT (log: $upstream_log)"
PORT="$UPSTREAM_PORT" node --require "$root/$PRELOAD" "$root/$EVERYTHING" streamableHttp \
  >"$upstream_log" 2>&1 </dev/null &
upstream_pid=$!
echo "$upstream_pid" >"$pidfile"

# `--set store.kind=redis` without a store.redis.url: the demo brings its own
# throwaway redis-server on 127.0.0.1:$REDIS_PORT (the default URL).
REDIS_PORT="${REDIS_PORT:-6379}"
redis_pid=""
if [[ " $* " == *"store.kind=redis"* && " $* " != *"store.redis.url="* ]]; then
  if listening "$REDIS_PORT"; then
    echo "demo: using the Redis already listening on 127.0.0.1:$REDIS_PORT"
  else
    echo "demo: starting redis-server on 127.0.0.1:$REDIS_PORT (no persistence)"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      >"$(dirname "$upstream_log")/redis.log" 2>&1 </dev/null &
    redis_pid=$!
  fi
fi

cleanup() {
  stop_pid "$upstream_pid"
  [[ -n "$redis_pid" ]] && stop_pid "$redis_pid"
  rm -f "$pidfile"
}
# Ctrl-C reaches the whole foreground process group: the sidecar drains and
# exits, then this script stops the upstream (EXIT trap) and reports.
trap cleanup EXIT
trap 'exit 143' TERM

for _ in $(seq 150); do
  listening "$UPSTREAM_PORT" && break
  kill -0 "$upstream_pid" 2>/dev/null || { echo "demo: server-everything exited:" >&2; cat "$upstream_log" >&2; exit 1; }
  sleep 0.1
done
listening "$UPSTREAM_PORT" || { echo "demo: server-everything did not start:" >&2; cat "$upstream_log" >&2; exit 1; }

cat <<EOF

  Upstream : server-everything  http://127.0.0.1:$UPSTREAM_PORT/mcp   (pid $upstream_pid)
  Sidecar  : MCP endpoint       http://127.0.0.1:$SIDECAR_PORT/mcp
             admin API          http://127.0.0.1:$ADMIN_PORT

  In another terminal, try:
    node tests/integration/demo-client.mjs http://127.0.0.1:$SIDECAR_PORT/mcp
    curl -s http://127.0.0.1:$ADMIN_PORT/sessions
    curl -s http://127.0.0.1:$ADMIN_PORT/sessions/<id>/events
    curl -s http://127.0.0.1:$ADMIN_PORT/metrics

  Starting the sidecar in the foreground (Ctrl-C stops it and the upstream).

EOF

status=0
"$SIDECAR" --config "$CONFIG" "$@" || status=$?
echo "demo: sidecar exited with status $status"
exit "$status"
