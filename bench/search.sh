#!/usr/bin/env bash
# Search benchmark: a catalog of N entities (bench/gen_catalog.py) plus
# SITES docs sites of PAGES pages each, ingested and indexed by a release
# stagehand; prints how long the index takes to catch up, its size, and
# query latency under wrk for selective, broad and filtered terms.
#
#   bench/search.sh                 N=100000 SITES=100 PAGES=100
#   N=10000 DURATION=5 bench/search.sh
#
# Prints figures only; it never passes or fails on them. The table is also
# appended to bench/out/search-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
root=$(pwd)

N=${N:-100000}
SITES=${SITES:-100}
PAGES=${PAGES:-100}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}

say() { printf '%s\n' "$*" >&2; }
for tool in wrk curl meson ninja python3 sqlite3; do
	command -v "$tool" >/dev/null || { say "search.sh: $tool is not installed (scripts/deps.sh --test)"; exit 1; }
done
[ -f build-release/build.ninja ] || meson setup build-release -Dbuildtype=release >/dev/null
ninja -C build-release stagehand >/dev/null
bin=$root/build-release/stagehand

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagehand-search-bench.XXXXXX")
sh_pid=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$sh_pid" ]; then
		kill -TERM "$sh_pid" 2>/dev/null || true
		wait "$sh_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

db() { sqlite3 -cmd '.timeout 5000' "$tmp/data/stagehand.db" "$1"; }

# ---- data ------------------------------------------------------------------------------------
say "search.sh: generating $N entities and $SITES docs sites of $PAGES pages"
python3 bench/gen_catalog.py "$N" "$tmp/catalog" >/dev/null
python3 - "$tmp/docs" "$SITES" "$PAGES" <<'PY'
import json, os, random, sys
out, sites, pages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(11)
words = ("deploy rollback canary latency throughput postgres redis kafka kubernetes ingress "
         "certificate secret rotation alert runbook dashboard tracing metrics logging backup "
         "restore migration schema index cache queue consumer producer retry timeout quota").split()
targets = []
for s in range(sites):
    site = os.path.join(out, f"site-{s}")
    os.makedirs(os.path.join(site, "docs"), exist_ok=True)
    with open(os.path.join(site, "catalog-info.yaml"), "w") as f:
        json.dump({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                   "metadata": {"name": f"documented-{s}", "description": f"Service {s} with a handbook",
                                "annotations": {"backstage.io/techdocs-ref": "dir:."}},
                   "spec": {"type": "service", "lifecycle": "production", "owner": f"team-{s % 20}"}}, f)
    with open(os.path.join(site, "mkdocs.yml"), "w") as f:
        f.write(f"site_name: Handbook {s}\n")
    for p in range(pages):
        title = f"{rnd.choice(words).capitalize()} {rnd.choice(words)} guide {p}"
        body = [f"# {title}\n"]
        for sec in range(3):
            body.append(f"\n## {rnd.choice(words).capitalize()} {rnd.choice(words)} step {sec}\n\n")
            body.append(" ".join(rnd.choice(words) for _ in range(60)) + ".\n")
        name = "index.md" if p == 0 else f"page-{p}.md"
        with open(os.path.join(site, "docs", name), "w") as f:
            f.write("".join(body))
    targets.append(f"./site-{s}/catalog-info.yaml")
with open(os.path.join(out, "all.yaml"), "w") as f:
    json.dump({"apiVersion": "backstage.io/v1alpha1", "kind": "Location",
               "metadata": {"name": "bench-docs"}, "spec": {"targets": targets}}, f)
PY

port=$(free_port)
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
    - type: file
      target: $tmp/docs/all.yaml
YAML
mkdir "$tmp/data"

# ---- ingest and index -------------------------------------------------------------------
# Everything is indexed when every served entity has its catalog document,
# every site is built, and no indexing or build job is left.
served() { db "SELECT count(*) FROM catalog_entities WHERE final IS NOT NULL"; }
catalog_docs() { db "SELECT count(*) FROM search_docs WHERE type = 'software-catalog'"; }
sites_built() { db "SELECT count(*) FROM techdocs_sites WHERE built_at IS NOT NULL"; }
busy() { db "SELECT count(*) FROM jobs WHERE queue IN ('search.index', 'techdocs.build')"; }
expected=$(( N + 2 + SITES + 2 ))   # gen_catalog's entities and Locations, the sites' entities and Locations

t0=$(now_ms)
"$bin" serve --config "$tmp/stagehand.yaml" --port "$port" --data-dir "$tmp/data" 2>>"$tmp/server.log" &
sh_pid=$!
until [ -f "$tmp/data/stagehand.db" ]; do sleep 0.05; done
served_ms=
until [ "$(served)" -ge "$expected" ] && [ "$(sites_built)" -ge "$SITES" ] && [ "$(busy)" = 0 ] &&
	[ "$(catalog_docs)" = "$(served)" ]; do
	kill -0 "$sh_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
	[ -n "$served_ms" ] || { [ "$(served)" -lt "$expected" ] || served_ms=$(( $(now_ms) - t0 )); }
	[ $(( $(now_ms) - t0 )) -lt 900000 ] || { say "search.sh: not indexed after 15 minutes"; exit 1; }
	sleep 0.2
done
indexed_ms=$(( $(now_ms) - t0 ))
docs_total=$(db "SELECT count(*) FROM search_docs")
doc_sections=$(db "SELECT count(*) FROM search_docs WHERE type = 'techdocs'")
index_bytes=$(db "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%'" 2>/dev/null || echo 0)
db_bytes=$(stat -c %s "$tmp/data/stagehand.db")

# ---- one entity changed: how soon search sees it ----------------------------------------
marker="zebrafinch$RANDOM"
python3 - "$tmp/docs/site-0/catalog-info.yaml" "$marker" <<'PY'
import json, sys
p, marker = sys.argv[1], sys.argv[2]
e = json.load(open(p))
e["metadata"]["description"] = f"Now says {marker}"
json.dump(e, open(p, "w"))
PY
t=$(now_ms)
curl -s -XPOST -H 'content-type: application/json' -d '{"entityRef":"location:default/bench-docs"}' \
	"$base/api/catalog/refresh" >/dev/null
until curl -s "$base/api/search/query?term=$marker" | grep -q '"numberOfResults":1'; do
	[ $(( $(now_ms) - t )) -lt 60000 ] || { say "search.sh: the change was not found in a minute"; exit 1; }
	sleep 0.01
done
change_ms=$(( $(now_ms) - t ))

# ---- latency under wrk -------------------------------------------------------------------
# Answers are cached until the index changes: "cold" makes every request
# distinct (an extra parameter the engine ignores, but the cache key has),
# "repeated" cycles the same few requests.
wrk_run() { # wrk_run LUA-TERMS cold|repeated -> "req/s p50 p99" (ms)
	cat >"$tmp/terms.lua" <<LUA
local terms = { $1 }
local cold = "$2" == "cold"
local i = 0
setup = function(thread) thread:set("id", tostring(math.random(1, 1000000000))) end
request = function()
  i = i + 1
  local q = terms[(i % #terms) + 1]
  if cold then q = q .. "&run=" .. id .. "-" .. i end
  return wrk.format("GET", "/api/search/query?" .. q)
end
LUA
	wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$tmp/terms.lua" "$base" 2>&1 | wrk_summary
}
declare -A mixes=(
	[selective]="'term=component-4242', 'term=user-777', 'term=api-31', 'term=team-7', 'term=resource-12'"
	[words]="'term=rollback', 'term=kafka%20consumer', 'term=certif', 'term=postgres%20backup', 'term=canary'"
	[broad]="'term=component', 'term=production', 'term=service', 'term=java'"
	[filtered]="'term=deploy&types%5B0%5D=techdocs&filters%5Bowner%5D=team-3', 'term=python&filters%5Bkind%5D=component&filters%5Blifecycle%5D=production'"
	[browse]="'pageLimit=25', 'types%5B0%5D=techdocs&pageCursor=MTA%3D'"
)
order=(selective words broad filtered browse)
# One request at a time, every one distinct: the latency of a query on an
# otherwise idle server (median over three rounds of the mix's terms).
single_ms() { # single_ms LUA-TERMS
	local terms
	terms=$(printf '%s' "$1" | tr -d "'" | tr ',' '\n' | sed 's/^ *//')
	for round in 1 2 3; do
		while read -r t; do
			curl -s -o /dev/null -w '%{time_total}\n' "$base/api/search/query?$t&single=$round$RANDOM"
		done <<<"$terms"
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }'
}
declare -A rps p50 p99 single
for mix in "${order[@]}"; do
	single[$mix]=$(single_ms "${mixes[$mix]}")
done
for mix in "${order[@]}"; do
	for how in cold repeated; do
		read -r rps[$mix-$how] p50[$mix-$how] p99[$mix-$how] < <(wrk_run "${mixes[$mix]}" $how)
	done
done

# ---- report --------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
report=$(
	echo "## search benchmark: $N entities, $SITES sites x $PAGES pages ($(date -u +%Y-%m-%dT%H:%MZ))"
	echo
	echo "machine: $(nproc) cores, $cpu; wrk -t2 -c$CONNECTIONS -d${DURATION}s, terms cycled"
	echo
	echo "| measure | figure |"
	echo "|---|---|"
	echo "| documents | $docs_total ($doc_sections docs sections from $(( SITES * PAGES )) pages) |"
	echo "| start to every entity served | $(awk "BEGIN { printf \"%.1f s\", ${served_ms:-$indexed_ms} / 1000 }") |"
	echo "| start to everything indexed (sites built, index caught up) | $(awk "BEGIN { printf \"%.1f s\", $indexed_ms / 1000 }") |"
	echo "| index size (search tables and FTS5) | $(awk "BEGIN { printf \"%.1f MB of a %.1f MB database\", $index_bytes / 1048576, $db_bytes / 1048576 }") |"
	echo "| an entity's file changed: refresh to found by search | $change_ms ms |"
	echo
	echo "| queries | one at a time: median ms | cold: req/s | p50 ms | p99 ms | repeated: req/s | p50 ms | p99 ms |"
	echo "|---|---|---|---|---|---|---|---|"
	for mix in "${order[@]}"; do
		echo "| $mix: ${mixes[$mix]//\'/} | ${single[$mix]} | ${rps[$mix-cold]} | ${p50[$mix-cold]} |" \
			"${p99[$mix-cold]} | ${rps[$mix-repeated]} | ${p50[$mix-repeated]} | ${p99[$mix-repeated]} |"
	done
)
printf '%s\n' "$report"
mkdir -p bench/out
printf '%s\n\n' "$report" >>"bench/out/search-$(date -u +%Y%m%d).md"
