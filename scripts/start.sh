#!/usr/bin/env bash
# Install what is missing, build, and start the portal on its embedded
# default: SQLite under ./var, guest sign-in, http://127.0.0.1:7007.
# Extra arguments go to `stagehand serve` (e.g. --config stagehand.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
exec ./build/stagehand serve "$@"
