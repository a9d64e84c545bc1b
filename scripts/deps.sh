#!/usr/bin/env bash
# Installs everything stagehand needs to build, run and test, from Debian
# packages and npm only. Idempotent: a second run installs nothing and takes
# about a second. Works as root, or as a user with sudo.
#
#   scripts/deps.sh            what building and running needs
#   scripts/deps.sh --test     also what the test suite and benchmarks need
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

run_pkgs=(meson ninja-build pkg-config gcc
  libmicrohttpd-dev libsqlite3-dev libjansson-dev libyaml-dev
  libcurl4-openssl-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
  libgit2-dev libssl-dev zlib1g-dev)
test_pkgs=(clang libclang-rt-14-dev libcmocka-dev wrk chromium git curl
  procps valgrind python3 ruby)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
pkgs=("${run_pkgs[@]}")
[ $want_test -eq 1 ] && pkgs+=("${test_pkgs[@]}")
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
# Node.js and npm may come from elsewhere than Debian; only a missing
# command means they must be installed.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: the web fonts the frontend serves, and the test tools.
# package-lock.json pins them; node_modules is never committed.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
