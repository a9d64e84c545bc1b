#!/usr/bin/env bash
# Scaffolder benchmark: dry runs of a template with 200 skeleton files
# (rendered through the API, the files returned in the response), and the
# template engine's own rates (bench-tmpl). Prints figures; never passes or
# fails on them. Appends them to bench/out/scaffolder-<date>.md.
#
#   bench/scaffolder.sh            FILES=200 RUNS=50 SECONDS_ENGINE=3
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${FILES:-200}
RUNS=${RUNS:-50}
SECONDS_ENGINE=${SECONDS_ENGINE:-3}

[ -f build-release/build.ninja ] || meson setup build-release -Dbuildtype=release >/dev/null
ninja -C build-release stagehand bench-tmpl >/dev/null
mkdir -p bench/out
out=bench/out/scaffolder-$(date +%Y%m%d-%H%M%S).md
{
	echo "# scaffolder benchmark $(date -u +%FT%TZ), $(nproc) cores"
	echo
	echo '## template engine (bench-tmpl)'
	echo
	build-release/bench-tmpl "$SECONDS_ENGINE" | sed 's/^/- /'
	echo
	echo "## dry runs of a ${FILES}-file template (bench/scaffolder.mjs)"
	echo
	STAGEHAND_BIN=$PWD/build-release/stagehand node bench/scaffolder.mjs "$FILES" "$RUNS" | sed 's/^/- /'
} | tee "$out"
