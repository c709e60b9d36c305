#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need on Debian 12, as
# root (or via sudo). Idempotent and quiet on rerun: apt runs only when a
# package is missing, `npm ci` only when package-lock.json changed.
# Needs no standard input (CI runs it with none).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(
  build-essential cmake pkg-config
  libevent-dev libhiredis-dev libsimdjson-dev libyaml-cpp-dev libfmt-dev catch2 libssl-dev libjemalloc-dev
  redis-server nginx wrk curl ca-certificates
)

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (or install sudo)" >&2; exit 1; }
  SUDO=(sudo -n)
fi

installed() {
  # "install ok installed" only: a removed package can leave dpkg -s answering 0.
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  # Package scripts must not start daemons (redis-server, nginx): tests start
  # their own on free ports. Debian's hook for that is policy-rc.d (exit 101).
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    added_policy=1
  fi
  trap '[[ $added_policy == 1 ]] && "${SUDO[@]}" rm -f "$policy"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
  for pkg in "${missing[@]}"; do
    installed "$pkg" || { echo "install-deps: $pkg failed to install" >&2; exit 1; }
  done
fi

# Node.js 20+ ships with the machine image (Debian's nodejs 18 is too old for the SDK).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-deps: node and npm (Node.js >= 20) are required and not on PATH" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 20)); then
  echo "install-deps: Node.js >= 20 required, found $(node --version)" >&2
  exit 1
fi

# The integration tests' npm packages, pinned by the committed lock file.
integration=tests/integration
stamp="$integration/node_modules/.install-stamp"
want="$(sha256sum "$integration/package-lock.json" "$integration/package.json" | sha256sum | cut -d' ' -f1) node-$node_major"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "install-deps: npm ci in $integration"
  (cd "$integration" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  printf '%s\n' "$want" >"$stamp"
fi
