#!/usr/bin/env bash
# Catalog benchmark: generate N entities with realistic relations, ingest
# them into a release stagehand and print what it costs.
#
#   bench/catalog.sh 10000            (N: 1000, 10000, 100000, ...)
#   DURATION=5 bench/catalog.sh 1000  seconds of wrk per endpoint (default 10)
#
# Prints figures only; it never passes or fails on them. The table is also
# appended to bench/out/catalog-<N>-<date>.md. Everything listens on
# 127.0.0.1; servers are stopped on exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
root=$(pwd)

N=${1:-10000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
case $N in ''|*[!0-9]*) echo "catalog.sh: N must be a number of entities" >&2; exit 2;; esac
case $DURATION in ''|*[!0-9]*) echo "catalog.sh: DURATION must be whole seconds" >&2; exit 2;; esac

say() { printf '%s\n' "$*" >&2; }

[ -x scripts/deps.sh ] && { scripts/deps.sh --test >&2 || say "catalog.sh: deps.sh failed; carrying on"; }
for tool in wrk curl meson ninja cc pkg-config python3; do
	command -v "$tool" >/dev/null || { say "catalog.sh: $tool is not installed (scripts/deps.sh --test)"; exit 1; }
done
[ -f build-release/build.ninja ] || meson setup build-release -Dbuildtype=release >/dev/null
ninja -C build-release stagehand >/dev/null
bin=$root/build-release/stagehand
hello=$root/build-release/bench-hello
# shellcheck disable=SC2046 # pkg-config prints several flags
cc -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE bench/hello.c \
	$(pkg-config --cflags --libs libmicrohttpd) -o "$hello"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagehand-catalog-bench.XXXXXX")
pids=()
cleanup() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

metric() { # metric NAME-WITH-LABELS
	curl -s "$base/metrics" | awk -v m="$1" 'index($0, m" ") == 1 { print $2 }'
}
total_items() { # no python here: this runs in a tight loop
	curl -s "$base/api/catalog/entities/by-query?limit=0" | grep -o '"totalItems":[0-9]*' |
		cut -d: -f2 || echo 0
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

say "catalog.sh: generating $N entities"
counts=$(python3 bench/gen_catalog.py "$N" "$tmp/catalog")
expected=$(python3 -c "import json,sys; c=json.loads(sys.argv[1]); print(sum(v for k,v in c.items() if k!='files'))" "$counts")
files=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['files'])" "$counts")

port=$(free_port)
base=http://127.0.0.1:$port
cat >"$tmp/stagehand.yaml" <<YAML
backend:
  log:
    access: false
    level: info
catalog:
  processingInterval: 86400
  locations:
    - type: file
      target: $tmp/catalog/all.yaml
YAML
mkdir "$tmp/data"
start_server() {
	"$bin" serve --config "$tmp/stagehand.yaml" --port "$port" --data-dir "$tmp/data" 2>>"$tmp/server.log" &
	sh_pid=$!
	pids+=("$sh_pid")
}

# ---- ingest -------------------------------------------------------------------------
t0=$(now_ms)
start_server
# Done when every entity is served and both Location rounds (the root and
# the generated catalog's) have finished writing. Each poll starts two curl
# processes, which take CPU from the server: large catalogs are polled every
# 100 ms (the figure is then good to 0.1 s), small ones every 10 ms.
poll=0.01
[ "$N" -lt 50000 ] || poll=0.1
cap_ms=$(( N * 2 > 600000 ? N * 2 : 600000 )) # 10 minutes, 2 ms an entity beyond 300k
until [ "$(total_items)" = "$expected" ] &&
	[ "$(metric 'stagehand_catalog_rounds_total{result="applied"}')" -ge 2 ]; do
	kill -0 "$sh_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
	[ $(( $(now_ms) - t0 )) -lt "$cap_ms" ] || { say "catalog.sh: ingest did not finish in $((cap_ms / 60000)) minutes"; exit 1; }
	sleep $poll
done
ingest_ms=$(( $(now_ms) - t0 ))
sleep 1 # the worker hands the round's memory back after its last write
rss=$(rss_kb "$sh_pid")
relations=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from catalog_relations').fetchone()[0])" "$tmp/data/stagehand.db")

# ---- re-processing unchanged content -------------------------------------------------
loc_ref="location:default/bench-catalog"
refresh() { curl -s -XPOST -H 'content-type: application/json' -d "{\"entityRef\":\"$loc_ref\"}" "$base/api/catalog/refresh"; }
# The refresh queues the Location and its root; both find their files as
# they were: timed until the second unchanged round is counted.
before=$(metric 'stagehand_catalog_rounds_total{result="unchanged"}')
t=$(now_ms)
refresh >/dev/null
while [ "$(metric 'stagehand_catalog_rounds_total{result="unchanged"}')" -lt $((before + 2)) ]; do sleep 0.005; done
unchanged_ms=$(( $(now_ms) - t ))
# A deleted entity makes its Location re-read everything in full (every
# entity parsed, validated and compared by hash; the deleted one written
# again): timed until the entity is served again.
victim=component-1
victim_url="$base/api/catalog/entities/by-name/component/default/$victim"
victim_uid=$(curl -s "$victim_url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["uid"])')
t=$(now_ms)
curl -s -XDELETE "$base/api/catalog/entities/by-uid/$victim_uid" >/dev/null
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$victim_url")" = 200 ]; do sleep 0.005; done
forced_ms=$(( $(now_ms) - t ))

# ---- restart ------------------------------------------------------------------------------
kill -TERM "$sh_pid"; wait "$sh_pid" 2>/dev/null || true
t0=$(now_ms)
start_server
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/.backstage/health/v1/readiness")" = 200 ]; do sleep 0.005; done
ready_ms=$(( $(now_ms) - t0 ))
ready_log=$(grep -o 'ready in [0-9.]*ms' "$tmp/server.log" | tail -1 | grep -o '[0-9.]*' || echo '?')

# ---- throughput and latency -------------------------------------------------------------------
hport=$(free_port)
"$hello" "$hport" 2>/dev/null &
pids+=("$!")
sleep 0.2
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
declare -A urls=(
	[ceiling]="http://127.0.0.1:$hport/"
	[ceiling-after]="http://127.0.0.1:$hport/"
	[by-ref]="$base/api/catalog/entities/by-name/component/default/component-$((N / 3))"
	[page]="$base/api/catalog/entities/by-query?filter=$(enc kind=component)&orderField=$(enc metadata.name,asc)&limit=20"
	[count]="$base/api/catalog/entities/by-query?filter=$(enc kind=component)&limit=0"
	[facets]="$base/api/catalog/entity-facets?facet=spec.type&filter=$(enc kind=component)"
	[or-ordered]="$base/api/catalog/entities/by-query?filter=$(enc kind=component,spec.lifecycle=production)&filter=$(enc kind=api,spec.type=openapi)&orderField=$(enc metadata.name,asc)&limit=20"
)
# The ceiling swings between runs: it is measured just before and just after
# by-ref, and by-ref is compared with the mean of the two (as bench/http.sh).
order=(ceiling by-ref ceiling-after page count facets or-ordered)
wrk_run() { # prints "req/s p50 p99" (latencies in ms)
	wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" 2>&1 | wrk_summary
}
single_ms() { # median of 20 sequential requests, ms
	for _ in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' "$1"; done |
		sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", (a[10] + a[11]) / 2 * 1000 }'
}

declare -A rps p50 p99 single
for name in "${order[@]}"; do
	url=${urls[$name]}
	curl -s -o /dev/null "$url"
	read -r rps[$name] p50[$name] p99[$name] < <(wrk_run "$url")
	single[$name]=$(single_ms "$url")
done
ceiling_mean=$(( (${rps[ceiling]} + ${rps[ceiling-after]}) / 2 ))

# ---- report --------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
report=$(
	echo "## catalog benchmark: $N entities ($(date -u +%Y-%m-%dT%H:%MZ))"
	echo
	echo "machine: $(nproc) cores, $cpu; wrk -t2 -c$CONNECTIONS -d${DURATION}s"
	echo
	echo "| measure | figure |"
	echo "|---|---|"
	echo "| entities (incl. Location entities) | $expected in $files files |"
	echo "| relation rows | $relations |"
	echo "| ingest until every entity is served with its relations | $(awk "BEGIN { printf \"%.2f s (%.0f entities/s)\", $ingest_ms / 1000, $expected / ($ingest_ms / 1000) }") |"
	echo "| RSS after ingest | $(awk "BEGIN { printf \"%.0f MB\", $rss / 1024 }") |"
	echo "| refresh, files unchanged (hash) | $(awk "BEGIN { printf \"%d ms (%.0f entities/s)\", $unchanged_ms, $expected / ($unchanged_ms / 1000 + 0.0001) }") |"
	echo "| full re-read, every entity parsed and compared | $(awk "BEGIN { printf \"%d ms (%.0f entities/s)\", $forced_ms, $expected / ($forced_ms / 1000 + 0.0001) }") |"
	echo "| restart to readiness on the filled database | ${ready_ms} ms (server reports ready in ${ready_log} ms) |"
	echo
	echo "| endpoint | req/s | p50 ms | p99 ms | % of ceiling (mean of the two runs) | single request, median of 20 (ms) |"
	echo "|---|---|---|---|---|---|"
	for name in "${order[@]}"; do
		pct=$(awk "BEGIN { printf \"%.0f%%\", ${rps[$name]} * 100 / ($ceiling_mean + 0.0001) }")
		echo "| $name | ${rps[$name]} | ${p50[$name]} | ${p99[$name]} | $pct | ${single[$name]} |"
	done
)
printf '%s\n' "$report"
mkdir -p bench/out
printf '%s\n\n' "$report" >>"bench/out/catalog-$N-$(date -u +%Y%m%d).md"
