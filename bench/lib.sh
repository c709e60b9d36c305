# bench/lib.sh: process management and build helpers shared by bench/run.sh
# and bench/profile.sh (sourced, not run). The caller sets ROOT, BUILD and TMP
# first. Installs the EXIT trap that stops, by PID and in reverse start order,
# every process started through start_bg, whether the script succeeds or not.

PIDS=()          # every process we started, in start order
USED_PORTS=" "

log() { printf '%s\n' "$*" >&2; }

alive() { kill -0 "$1" 2>/dev/null; }

stop_pid() {  # stop_pid PID: TERM, up to 5 s, then KILL
  local pid=$1 i
  alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

forget_pid() {  # drop PID from PIDS (after stopping it)
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

stop_and_forget() {
  local p
  for p in "$@"; do
    [[ -n $p ]] || continue
    stop_pid "$p"
    forget_pid "$p"
  done
  return 0
}

cleanup() {
  local rc=$? i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  if [[ ${BENCH_KEEP_TMP:-0} == 1 || $rc -ne 0 ]]; then
    log "logs kept in $TMP"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_bg() {  # start_bg NAME CMD...: CMD in the background, output to $TMP/NAME.log; sets LAST_PID
  local name=$1
  shift
  "$@" >"$TMP/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

children_of() {  # PIDs whose parent is $1 (read from /proc, no procps needed)
  local parent=$1 f rest pid
  for f in /proc/[0-9]*/stat; do
    read -r rest 2>/dev/null <"$f" || continue
    pid=${rest%% *}
    rest=${rest##*) }   # "STATE PPID ..."
    rest=${rest#* }
    [[ ${rest%% *} == "$parent" ]] && printf '%s\n' "$pid"
  done
  return 0
}

# sets FREE_PORT: a loopback port nobody listens on, not handed out before,
# drawn from 20000 up to the kernel's ephemeral range (FREE_PORT_SPAN narrows
# it further). Never inside that range: after a run with thousands of
# connections its ports are taken by sockets still closing, and a listener's
# bind then fails with "Address already in use" although nothing listens.
free_port() {
  local i p span ephemeral_low
  ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  span=$((ephemeral_low > 21000 ? ephemeral_low - 20000 : 1000))
  ((${FREE_PORT_SPAN:-$span} < span)) && span=$FREE_PORT_SPAN
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % span))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      FREE_PORT=$p
      return 0
    fi
  done
  log "no free port found"
  return 1
}

wait_port() {  # wait_port PORT PID SECONDS: 0 once PORT accepts; 1 if PID died or time ran out
  local port=$1 pid=$2 tries=$((${3:-5} * 20)) i
  for ((i = 0; i < tries; i++)); do
    alive "$pid" || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

ensure_packages() {  # installs the missing Debian packages (as root; apt only if one is missing)
  local need=() pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
  ((${#need[@]} == 0)) && return 0
  if [[ $(id -u) != 0 ]]; then
    log "missing packages: ${need[*]} (install them as root)"
    return 1
  fi
  log "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

build_bench() {  # Release build of the sidecar and the bench tools into $BUILD
  SIDECAR=$BUILD/cmd/mcp-sidecar
  LOAD=$BUILD/bench/bench_load
  UPSTREAM=$BUILD/bench/bench_upstream
  [[ ${BENCH_SKIP_BUILD:-0} == 1 ]] && return 0
  log "building Release into $BUILD"
  if ! cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSIDECAR_TESTS=OFF >"$TMP/cmake.log" 2>&1 ||
     ! cmake --build "$BUILD" -j"$(nproc)" --target mcp-sidecar bench_load bench_upstream >>"$TMP/cmake.log" 2>&1; then
    tail -30 "$TMP/cmake.log" >&2
    return 1
  fi
}

write_nginx_conf() {  # write_nginx_conf DIR LISTEN_PORT UPSTREAM_PORT
  local dir=$1
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  upstream mcp_upstream {
    hash \$http_mcp_session_id consistent;
    server 127.0.0.1:$3;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$2;
    location / {
      proxy_pass http://mcp_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 3600s;
    }
  }
}
EOF
}

start_nginx() {  # start_nginx NAME DIR PORT: sets NGX_PID and NGX_WORKERS (the worker PIDs)
  start_bg "$1" nginx -p "$2/" -e "$2/error.log" -c "$2/nginx.conf" -g 'daemon off;'
  NGX_PID=$LAST_PID
  wait_port "$3" "$NGX_PID" 5 || { log "nginx did not start"; cat "$2/error.log" >&2; return 1; }
  NGX_WORKERS=$(children_of "$NGX_PID" | tr '\n' ' ')
  local w
  for w in $NGX_WORKERS; do PIDS+=("$w"); done  # stopped by PID too, should the master die first
}
