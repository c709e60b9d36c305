# bench/report.sh: the tables of bench/run.sh (sourced by it, not run alone).
# Reads $RESULTS, one line per bench_load run:
#   WORKLOAD MODE ROW ROUND RESULT label=... rps=... p50_us=... ...
# MODE is "load" (all connections) or "lat" (one connection). Figures are the
# median over rounds; req/s also shows the spread (min-max).

declare -A ROW_NAMES=([a]="(a) direct to upstream" [b]="(b) sidecar + memory" [c]="(c) sidecar + redis"
                      [d]="(d) nginx")

# summary WORKLOAD MODE ROW ->
#   "n rps rps_min rps_max p50 p99 p999 non2xx errors bad proxy_cpu upstream_cpu loadgen_cpu store_cpu"
# Figures are medians over the rounds (robust to one disturbed round);
# counts are sums.
summary() {
  awk -v w="$1" -v m="$2" -v r="$3" '
    function median(name,    i, j, t, k) {
      k = cnt[name]
      if (k == 0) return "-"
      for (i = 2; i <= k; i++)   # insertion sort (mawk has no asort)
        for (j = i; j > 1 && val[name, j - 1] > val[name, j]; j--) {
          t = val[name, j]; val[name, j] = val[name, j - 1]; val[name, j - 1] = t
        }
      return (k % 2) ? val[name, (k + 1) / 2] : (val[name, k / 2] + val[name, k / 2 + 1]) / 2
    }
    function add(name, v) { if (v != "" && v != "-") val[name, ++cnt[name]] = v + 0 }
    $1 == w && $2 == m && $3 == r {
      delete kv
      for (i = 6; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
      n++
      add("rps", kv["rps"]); add("p50", kv["p50_us"]); add("p99", kv["p99_us"]); add("p999", kv["p999_us"])
      add("pc", kv["proxy_cpu_us_per_req"]); add("uc", kv["upstream_cpu_us_per_req"])
      add("lc", kv["loadgen_cpu_us_per_req"]); add("sc", kv["store_cpu_us_per_req"])
      if (n == 1 || kv["rps"] + 0 < lo) lo = kv["rps"] + 0
      if (n == 1 || kv["rps"] + 0 > hi) hi = kv["rps"] + 0
      non2xx += kv["non2xx"]; err += kv["errors"]; bad += kv["bad_body"]
      if (!kv["ok"]) err++
    }
    END {
      if (n == 0) { print 0; exit }
      pc = median("pc"); uc = median("uc"); lc = median("lc"); sc = median("sc")
      printf "%d %.0f %.0f %.0f %.0f %.0f %.0f %d %d %d %s %s %s %s\n", n, median("rps"), lo, hi,
             median("p50"), median("p99"), median("p999"), non2xx, err, bad,
             pc == "-" ? pc : sprintf("%.1f", pc), uc == "-" ? uc : sprintf("%.1f", uc),
             lc == "-" ? lc : sprintf("%.1f", lc), sc == "-" ? sc : sprintf("%.1f", sc)
    }' "$RESULTS"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

print_machine() {
  echo
  echo "== machine"
  echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel: $(uname -r); load average before/after: $LOAD_BEFORE / $LOAD_AFTER"
  echo "nginx: $(nginx -v 2>&1 | sed 's/.*: //'); redis: $(redis-server --version | awk '{print $3}');" \
       "libevent: $(pkg-config --modversion libevent 2>/dev/null || echo '?');" \
       "g++: $(g++ -dumpfullversion 2>/dev/null || echo '?')"
  echo "tree: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
       "$( [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]] && echo '(with uncommitted changes)')"
  echo "workload: $SESSIONS sessions, $CONNECTIONS connections, $ROUNDS rounds x ${DURATION}s (warm-up ${WARMUP}s)," \
       "rows alternating a b c d; 1-connection rows: $LAT_ROUNDS rounds x ${LAT_DURATION}s; medians over rounds"
}

print_table() {  # print_table WORKLOAD TITLE
  local w=$1 r s
  echo
  echo "== workload $w: $2"
  printf '%-24s %9s %15s %7s %7s %8s %7s %6s %10s %10s %10s\n' row "req/s" "(min-max)" "p50 us" "p99 us" \
    "p999 us" non2xx errors "proxy cpu" "redis cpu" "upstr cpu"
  printf '%-24s %9s %15s %7s %7s %8s %7s %6s %10s %10s %10s\n' "" "" "" "" "" "" "" "" "us/req" "us/req" "us/req"
  declare -A rps=() cpu=() lat50=() lat99=()
  for r in a b c d; do
    s=$(summary "$w" load "$r")
    if [[ $s == 0 ]]; then
      if [[ $r == c && -n ${RED_WHY:-} ]]; then
        printf '%-24s redis store unavailable in this build (%s)\n' "${ROW_NAMES[$r]}" "$RED_WHY"
      else
        printf '%-24s no result (see %s/load.log)\n' "${ROW_NAMES[$r]}" "$TMP"
      fi
      continue
    fi
    set -- $s
    rps[$r]=$2
    [[ ${11} != - ]] && cpu[$r]=${11}
    printf '%-24s %9s %15s %7s %7s %8s %7s %6s %10s %10s %10s\n' "${ROW_NAMES[$r]}" "$2" "($3-$4)" "$5" "$6" "$7" \
      "$8" "$(( $9 + ${10} ))" "${11}" "${14}" "${12}"
  done
  local note=""
  [[ -z ${rps[c]:-} ]] && note=" (no redis row)"
  echo "throughput ratios: c/d = $(ratio "${rps[c]:-0}" "${rps[d]:-0}"), c/a = $(ratio "${rps[c]:-0}" "${rps[a]:-0}")$note;" \
       "b/d = $(ratio "${rps[b]:-0}" "${rps[d]:-0}"), b/a = $(ratio "${rps[b]:-0}" "${rps[a]:-0}")"
  echo "proxy CPU per request vs nginx: c/d = $(ratio "${cpu[c]:-0}" "${cpu[d]:-0}"), b/d = $(ratio "${cpu[b]:-0}" "${cpu[d]:-0}")" \
       "(one-core capacity = 1e6 / cpu: b $(ratio 1000000 "${cpu[b]:-0}" | cut -d. -f1) req/s," \
       "c $(ratio 1000000 "${cpu[c]:-0}" | cut -d. -f1) req/s, d $(ratio 1000000 "${cpu[d]:-0}" | cut -d. -f1) req/s)"
  echo "latency at 1 connection (us; added = row minus (a)):"
  printf '  %-22s %7s %7s %10s %10s %9s %10s\n' row "p50" "p99" "added p50" "added p99" "req/s" "proxy cpu"
  for r in a b c d; do
    s=$(summary "$w" lat "$r")
    [[ $s == 0 ]] && continue
    set -- $s
    lat50[$r]=$5 lat99[$r]=$6
    local add50="-" add99="-"
    if [[ $r != a && -n ${lat50[a]:-} ]]; then
      add50=$(( $5 - ${lat50[a]} )); add99=$(( $6 - ${lat99[a]} ))
      [[ $add50 -ge 0 ]] && add50="+$add50"; [[ $add99 -ge 0 ]] && add99="+$add99"
    fi
    printf '  %-22s %7s %7s %10s %10s %9s %10s\n' "${ROW_NAMES[$r]}" "$5" "$6" "$add50" "$add99" "$2" "${11}"
  done
}

check_clean() {  # non-zero if any run had non-2xx, errors or wrong bodies
  local bad
  bad=$(awk '{ for (i = 6; i <= NF; i++) { split($i, p, "=");
               if ((p[1] == "non2xx" || p[1] == "errors" || p[1] == "bad_body") && p[2] > 0) print $5 " " $0 } }' \
        "$RESULTS" | wc -l)
  if [[ $bad -gt 0 ]]; then
    echo
    echo "WARNING: $bad runs had non-2xx responses, errors or wrong bodies (results in $RESULTS)"
    return 1
  fi
  return 0
}
