#!/usr/bin/env bash
# Web frontend benchmark: generate a catalog of N entities, ingest it into a
# release stagehand, then time the catalog and entity pages in Debian's
# chromium (bench/web.mjs).
#
#   bench/web.sh 100000        (N, default 100000)
#   RUNS=20 bench/web.sh 10000 page loads per measure (default 10)
#
# Prints figures only; it never passes or fails on them. Also appended to
# bench/out/web-<N>-<date>.md. Listens on 127.0.0.1; stops its server on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-100000}
RUNS=${RUNS:-10}
case $N in ''|*[!0-9]*) echo "web.sh: N must be a number of entities" >&2; exit 2;; esac
say() { printf '%s\n' "$*" >&2; }

[ -x scripts/deps.sh ] && { scripts/deps.sh --test >&2 || say "web.sh: deps.sh failed; carrying on"; }
for tool in curl meson ninja node python3; do
	command -v "$tool" >/dev/null || { say "web.sh: $tool is not installed (scripts/deps.sh --test)"; exit 1; }
done
[ -f build-release/build.ninja ] || meson setup build-release -Dbuildtype=release >/dev/null
ninja -C build-release stagehand >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagehand-web-bench.XXXXXX")
pid=
cleanup() {
	[ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT

say "web.sh: generating $N entities"
counts=$(python3 bench/gen_catalog.py "$N" "$tmp/catalog")
expected=$(python3 -c "import json,sys; c=json.loads(sys.argv[1]); print(sum(v for k,v in c.items() if k!='files'))" "$counts")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
cat >"$tmp/stagehand.yaml" <<YAML
backend:
  log:
    access: false
catalog:
  processingInterval: 86400
  locations:
    - type: file
      target: $tmp/catalog/all.yaml
YAML
build-release/stagehand serve --config "$tmp/stagehand.yaml" --port "$port" --data-dir "$tmp" 2>"$tmp/server.log" &
pid=$!
say "web.sh: ingesting"
until [ "$(curl -s "$base/api/catalog/entities/by-query?limit=0" | grep -o '"totalItems":[0-9]*' | cut -d: -f2)" = "$expected" ]; do
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
	sleep 0.5
done
sleep 2 # let the round's last writes and the checkpoint settle

report=$(
	echo "## web benchmark: $N entities ($(date -u +%Y-%m-%dT%H:%MZ))"
	echo
	echo "machine: $(nproc) cores; Debian chromium, headless"
	echo
	node bench/web.mjs "$base" "/catalog/default/component/component-$((N / 3))" "$RUNS"
)
printf '%s\n' "$report"
mkdir -p bench/out
printf '%s\n\n' "$report" >>"bench/out/web-$N-$(date -u +%Y%m%d).md"
