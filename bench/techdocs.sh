#!/usr/bin/env bash
# TechDocs benchmark: builds of a generated 1,000-page site on the server's
# workers (sync request to its finish event, a page changed between runs),
# syncs over unchanged sources, the stored size, and the first page served
# after a cold start on a database that holds the site. Prints figures;
# never passes or fails on them. Appends them to bench/out/techdocs-<date>.md.
#
#   bench/techdocs.sh              PAGES=1000 RUNS=5 COLD=5
set -euo pipefail
cd "$(dirname "$0")/.."

PAGES=${PAGES:-1000}
RUNS=${RUNS:-5}
COLD=${COLD:-5}

[ -f build-release/build.ninja ] || meson setup build-release -Dbuildtype=release >/dev/null
ninja -C build-release stagehand >/dev/null
command -v sqlite3 >/dev/null || { echo "techdocs.sh: needs the sqlite3 command" >&2; exit 1; }
mkdir -p bench/out
out=bench/out/techdocs-$(date +%Y%m%d-%H%M%S).md
{
	echo "# techdocs benchmark $(date -u +%FT%TZ), $(nproc) cores"
	echo
	echo "## a ${PAGES}-page site (bench/techdocs.mjs)"
	echo
	STAGEHAND_BIN=$PWD/build-release/stagehand node bench/techdocs.mjs "$PAGES" "$RUNS" "$COLD" | sed 's/^/- /'
} | tee "$out"
