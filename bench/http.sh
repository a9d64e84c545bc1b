#!/usr/bin/env bash
# HTTP throughput of a release stagehand, next to the ceiling of this machine:
# a bare libmicrohttpd server (bench/hello.c) configured the same way.
#
#   bench/http.sh                 10 s per target
#   DURATION=30 bench/http.sh     longer runs (1..300 s)
#   CONNECTIONS=64 bench/http.sh  more keep-alive connections (default 32)
#
# The ceiling is bench-hello measured just before and after /healthcheck
# (the mean of both); a large drift between the two means other load on the
# machine moved the figures, and the CPU time per request is then the steadier
# figure. Prints figures only; it never passes or fails
# on them. The table is also appended to bench/out/http-<date>.md.
# Everything listens on 127.0.0.1, and both servers are stopped on exit,
# Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=2
WARMUP=2
case $DURATION in ''|*[!0-9]*) echo "http.sh: DURATION must be whole seconds" >&2; exit 2;; esac
case $CONNECTIONS in ''|*[!0-9]*) echo "http.sh: CONNECTIONS must be a number" >&2; exit 2;; esac
if [ "$DURATION" -lt 1 ] || [ "$DURATION" -gt 300 ]; then
	echo "http.sh: DURATION must be 1..300 seconds" >&2
	exit 2
fi
if [ "$CONNECTIONS" -lt "$THREADS" ] || [ "$CONNECTIONS" -gt 1024 ]; then
	echo "http.sh: CONNECTIONS must be $THREADS..1024" >&2
	exit 2
fi

say() { printf '%s\n' "$*" >&2; }

# ---- dependencies and builds --------------------------------------------------

if [ -x scripts/deps.sh ]; then
	scripts/deps.sh --test >&2 || say "http.sh: scripts/deps.sh --test failed; carrying on with what is installed"
fi
for tool in wrk curl meson ninja cc pkg-config python3; do
	command -v "$tool" >/dev/null || { say "http.sh: $tool is not installed (scripts/deps.sh --test)"; exit 1; }
done

# quiet CMD...: run CMD, showing its output only when it fails.
quiet() {
	local log
	if ! log=$("$@" 2>&1); then
		printf '%s\n' "$log" >&2
		say "http.sh: failed: $*"
		exit 1
	fi
}
if [ ! -f build-release/build.ninja ]; then
	say "http.sh: setting up build-release"
	quiet meson setup build-release -Dbuildtype=release
fi
quiet ninja -C build-release stagehand
stagehand_bin=$root/build-release/stagehand
hello_bin=$root/build-release/bench-hello
# shellcheck disable=SC2046 # pkg-config prints several flags
cc -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE bench/hello.c \
	$(pkg-config --cflags --libs libmicrohttpd) -o "$hello_bin"

# ---- servers ---------------------------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagehand-bench.XXXXXX")
pids=()

cleanup() {
	local pid
	trap - EXIT INT TERM
	if [ -n "${wrk_pid:-}" ]; then
		kill -TERM "$wrk_pid" 2>/dev/null || true
		wait "$wrk_pid" 2>/dev/null || true
	fi
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		# stagehand drains for up to its shutdown grace; do not wait forever.
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'say "http.sh: interrupted"; exit 130' INT
trap 'exit 143' TERM

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_ready NAME PID URL LOG: until URL answers 200, at most 15 s.
wait_ready() {
	local name=$1 pid=$2 url=$3 log=$4
	for _ in $(seq 150); do
		if ! kill -0 "$pid" 2>/dev/null; then
			say "http.sh: $name exited during start-up:"
			cat "$log" >&2
			exit 1
		fi
		if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" = 200 ]; then
			return 0
		fi
		sleep 0.1
	done
	say "http.sh: $name did not answer $url within 15 s:"
	cat "$log" >&2
	exit 1
}

hello_port=$(free_port)
"$hello_bin" "$hello_port" 2>"$tmp/hello.log" &
hello_pid=$!
pids+=("$hello_pid")
wait_ready "bench-hello" "$hello_pid" "http://127.0.0.1:$hello_port/" "$tmp/hello.log"

printf 'backend:\n  log:\n    access: false\n    level: warn\n' >"$tmp/stagehand.yaml"
mkdir "$tmp/data"
sh_port=$(free_port)
"$stagehand_bin" serve --config "$tmp/stagehand.yaml" --host 127.0.0.1 --port "$sh_port" \
	--data-dir "$tmp/data" 2>"$tmp/stagehand.log" &
sh_pid=$!
pids+=("$sh_pid")
wait_ready "stagehand" "$sh_pid" "http://127.0.0.1:$sh_port/healthcheck" "$tmp/stagehand.log"

# ---- targets -----------------------------------------------------------------------

# name|server pid|url|accept-encoding (empty: none). The ceiling is measured
# just before and just after /healthcheck and averaged, so that other load
# on the machine shifting meanwhile shows up as drift instead of skewing the
# headline ratio.
targets=("hello /|$hello_pid|http://127.0.0.1:$hello_port/|"
	"stagehand /healthcheck|$sh_pid|http://127.0.0.1:$sh_port/healthcheck|"
	"hello / (again)|$hello_pid|http://127.0.0.1:$hello_port/|")
notes=()

static_files=()
for f in index.html css/theme.css; do
	if [ -f "web/$f" ] && [ "$(stat -c %s "web/$f")" -ge 1024 ]; then
		static_files+=("$f")
	elif [ -f "web/$f" ]; then
		notes+=("web/$f is under 1 KB; skipped")
	fi
done
if [ ${#static_files[@]} -eq 0 ] && [ -d web ]; then
	# Neither is there yet: the largest compressible file of at least 1 KB.
	f=$(find web -type f -size +1k \( -name '*.html' -o -name '*.js' -o -name '*.css' \
		-o -name '*.json' -o -name '*.svg' \) -printf '%s %P\n' 2>/dev/null |
		sort -rn | awk 'NR == 1 { print $2 }')
	[ -n "$f" ] && static_files+=("$f")
fi
if [ ${#static_files[@]} -eq 0 ]; then
	notes+=("no static file of at least 1 KB under web/; static targets skipped")
fi
for f in "${static_files[@]}"; do
	size=$(stat -c %s "web/$f")
	targets+=("stagehand /$f ($size B)|$sh_pid|http://127.0.0.1:$sh_port/$f|")
	targets+=("stagehand /$f gzip|$sh_pid|http://127.0.0.1:$sh_port/$f|gzip")
done

# check_target URL ENCODING: a note when the answer is not what is measured.
check_target() {
	local url=$1 enc=$2 hdrs
	hdrs=$(curl -s -o /dev/null -D - --max-time 5 ${enc:+-H "Accept-Encoding: $enc"} "$url" |
		tr -d '\r') || { echo "no answer"; return; }
	local code
	code=$(awk 'NR == 1 { print $2 }' <<<"$hdrs")
	if [ "$code" != 200 ]; then
		echo "status $code"
	elif [ -n "$enc" ] && ! grep -qi "^content-encoding: *$enc" <<<"$hdrs"; then
		echo "not $enc-encoded"
	fi
}

# to_ms VALUE: wrk's "123.45us" / "1.23ms" / "1.01s" in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n }'
}

# cpu_ticks PID: user + system time the process has used, in clock ticks.
# Less sensitive than req/s to other load on the machine.
clk_tck=$(getconf CLK_TCK)
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || true
}

# run_wrk ARGS...: wrk's report in $tmp/wrk.out. wrk catches SIGINT and exits
# normally, which would keep this shell from acting on a Ctrl-C; waiting on
# it in the background lets the INT trap run at once.
run_wrk() {
	wrk -t"$THREADS" -c"$CONNECTIONS" "$@" >"$tmp/wrk.out" &
	wrk_pid=$!
	wait "$wrk_pid" || say "http.sh: wrk exited with status $?"
	wrk_pid=""
}

# ---- runs ----------------------------------------------------------------------------

wrk_version=$(wrk --version 2>&1 | head -n 1 | sed 's/ *Copyright.*//' || true)
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$cpu_model" ] || cpu_model=$(uname -m)
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
sh_version=$("$stagehand_bin" --version)
mhd_version=$(pkg-config --modversion libmicrohttpd)
cc_version=$(cc --version | head -n 1)
git_rev=$(git rev-parse --short HEAD 2>/dev/null || echo "-")
git diff --quiet HEAD 2>/dev/null || git_rev="$git_rev+changes"

cat <<EOF
stagehand HTTP benchmark, $stamp
machine:     $(nproc) cores, $cpu_model, Linux $(uname -r), load average $load_before
versions:    $sh_version ($git_rev, buildtype=release), libmicrohttpd $mhd_version, $wrk_version
compiler:    $cc_version
load:        wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, ${WARMUP}s warm-up per target, keep-alive, loopback
servers:     $(nproc) MHD threads each; stagehand access log off, log level warn

EOF

rows=()
hello_rps=()
hello_cpu=()
health_rps=""
health_cpu=-
for t in "${targets[@]}"; do
	IFS='|' read -r name pid url enc <<<"$t"
	note=$(check_target "$url" "$enc")
	hdr=()
	[ -n "$enc" ] && hdr=(-H "Accept-Encoding: $enc")
	say "http.sh: $name ..."
	run_wrk -d"${WARMUP}s" "${hdr[@]}" "$url"
	cpu0=$(cpu_ticks "$pid")
	run_wrk -d"${DURATION}s" --latency "${hdr[@]}" "$url"
	cpu1=$(cpu_ticks "$pid")
	out=$(cat "$tmp/wrk.out")
	for p in "${pids[@]}"; do
		if ! kill -0 "$p" 2>/dev/null; then
			say "http.sh: a server exited during the run:"
			cat "$tmp/hello.log" "$tmp/stagehand.log" >&2
			exit 1
		fi
	done
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$tmp/wrk.out")
	nreq=$(awk '/ requests in / { print $1 }' "$tmp/wrk.out")
	cpu_us=-
	if [ -n "$nreq" ] && [ "$nreq" -gt 0 ] && [ -n "$cpu0" ] && [ -n "$cpu1" ]; then
		cpu_us=$(awk -v t=$((cpu1 - cpu0)) -v hz="$clk_tck" -v n="$nreq" \
			'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
	fi
	p50=$(awk '$1 == "50%" { print $2 }' "$tmp/wrk.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$tmp/wrk.out")
	sockerr=$(awk '/Socket errors:/ { sub(/^ *Socket errors: */, ""); print }' "$tmp/wrk.out")
	[ -n "$non2xx" ] && note="${note:+$note; }$non2xx non-2xx"
	[ -n "$sockerr" ] && note="${note:+$note; }socket errors: $sockerr"
	if [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ]; then
		say "http.sh: could not read wrk's output for $name:"
		say "$out"
		rows+=("$name|-|-|-|-|${note:+$note; }no figures")
		continue
	fi
	case $name in hello*) hello_rps+=("$rps"); hello_cpu+=("$cpu_us");; esac
	[ "$name" = "stagehand /healthcheck" ] && health_rps=$rps && health_cpu=$cpu_us
	rows+=("$name|$rps|$(to_ms "$p50")|$(to_ms "$p99")|$cpu_us|$note")
done

ceiling=""
drift=""
if [ ${#hello_rps[@]} -gt 0 ]; then
	ceiling=$(printf '%s\n' "${hello_rps[@]}" | awk '{ s += $1 } END { printf "%.0f", s / NR }')
	if [ ${#hello_rps[@]} -eq 2 ]; then
		drift=$(awk -v a="${hello_rps[0]}" -v b="${hello_rps[1]}" \
			'BEGIN { d = 100 * (b - a) / a; printf "%+.1f", d }')
	fi
fi
# percent RPS: of the ceiling, or "-".
percent() {
	if [ -z "$ceiling" ] || [ "$1" = - ] || [ -z "$1" ]; then
		echo -
	else
		awk -v a="$1" -v b="$ceiling" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'
	fi
}
health_pct=$(percent "$health_rps")
cpu_line=""
if [ ${#hello_cpu[@]} -gt 0 ] && [ "$health_cpu" != - ]; then
	cpu_line=$(printf '%s\n' "${hello_cpu[@]}" | awk -v h="$health_cpu" '
		$1 != "-" { s += $1; n++ }
		END { if (n) printf "healthcheck CPU: %.2f us/req against %.2f us/req bare (%+.2f us)", h, s / n, h - s / n }')
fi

# ---- report ---------------------------------------------------------------------------

ceiling_text="${ceiling:--} req/s, the mean of the bare libmicrohttpd runs around /healthcheck${drift:+ (second run ${drift}% against the first)}"
fmt='%-36s %10s %10s %10s %8s %12s  %s\n'
# shellcheck disable=SC2059 # the format is ours
printf "$fmt" target req/s "p50 ms" "p99 ms" "% ceil" "cpu us/req" ""
for r in "${rows[@]}"; do
	IFS='|' read -r a b c d e f <<<"$r"
	# shellcheck disable=SC2059
	printf "$fmt" "$a" "$b" "$c" "$d" "$(percent "$b")" "$e" "$f"
done
echo
echo "ceiling:     $ceiling_text"
echo "cpu us/req:  the server's user + system CPU time over the run, per request"
for n in "${notes[@]}"; do
	echo "note: $n"
done
echo
summary="healthcheck: ${health_rps:--} req/s = ${health_pct:--}% of bare libmicrohttpd (target ≥ 80%)"
echo "$summary"
[ -n "$cpu_line" ] && echo "$cpu_line"

mkdir -p bench/out
md=bench/out/http-$(date -u +%Y-%m-%d).md
{
	echo "## $stamp"
	echo
	echo "- machine: $(nproc) cores, $cpu_model, Linux $(uname -r), load average $load_before before the runs"
	echo "- versions: $sh_version ($git_rev, release), libmicrohttpd $mhd_version, $wrk_version, $cc_version"
	echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency\`, ${WARMUP}s warm-up, loopback"
	echo
	echo "| target | req/s | p50 ms | p99 ms | % of ceiling | server CPU µs/req | notes |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	for r in "${rows[@]}"; do
		IFS='|' read -r a b c d e f <<<"$r"
		echo "| $a | $b | $c | $d | $(percent "$b") | $e | $f |"
	done
	echo
	echo "ceiling: $ceiling_text"
	for n in "${notes[@]}"; do
		echo
		echo "note: $n"
	done
	echo
	echo "$summary"
	[ -n "$cpu_line" ] && printf '\n%s\n' "$cpu_line"
	echo
} >>"$md"
say "http.sh: appended to $md"
