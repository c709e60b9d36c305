#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (unit and integration)
# through CTest. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2
