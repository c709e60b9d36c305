#!/usr/bin/env bash
# Release build with warnings as errors, into build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSIDECAR_WERROR=ON
cmake --build build -j"$(nproc)"
