# Helpers the benchmark scripts share (sourced, not run).

now_ms() { date +%s%3N; }

# A TCP port nobody listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Read wrk --latency output on stdin; print "req/s p50 p99" (latencies in
# ms), or "0 0 0" when wrk printed no figures.
wrk_summary() {
	python3 -c '
import re, sys
text = sys.stdin.read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)", text, re.M)
p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", text, re.M)
if not (rps and p50 and p99):
    print("0 0 0"); sys.exit()
print(f"{float(rps.group(1)):.0f} {ms(*p50.groups()):.2f} {ms(*p99.groups()):.2f}")'
}
