#!/usr/bin/env bash
# Live capture under load, on the loopback device only (needs root, tcpreplay, tcpdump, python3):
# a generated capture is replayed into lo with tcpreplay, at top speed and at fixed rates, while
# `capture -i lo` (and then, in the same run, `tcpdump -i lo -w /dev/null`) captures it with a BPF filter for the
# generated addresses. Prints one table: packets sent, the rate reached, what libpcap received (each packet once: a
# loopback device counts each twice), dropped by the kernel, dropped by flowdemux, CPU of the capturing process, and
# whether flowdemux's connections equal those of `read` on the replayed file (same 5-tuples, states, and packets and
# IP bytes per direction).
# Usage: sudo scripts/live-bench.sh [flows] [rates...]     (defaults: 100000 topspeed 100000 200000; a rate is
# packets per second or "topspeed"). Extra capture options go in FLOWDEMUX_CAPTURE_OPTS (e.g. "--workers 2").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
flows=${1:-100000}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(topspeed 100000 200000)
for tool in tcpreplay tcpdump python3; do
  command -v "$tool" >/dev/null || { echo "live-bench: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "live-bench: capturing on lo needs root" >&2; exit 2; }
dir=${BENCH_DIR:-$(mktemp -d)}
filter='net 10.0.0.0/8 or net 2001:db8::/32'
./analyzer --version >/dev/null

file="$dir/live-$flows.pcap"
[ -f "$file" ] || java -jar target/flowdemux.jar generate --flows "$flows" --concurrency 10000 -o "$file" \
  --summary "$file.json" 2>/dev/null
packets=$(grep '"packets"' "$file.json" | tr -dc 0-9)
./analyzer read "$file" --format json --top all -o "$dir/read.json"

# Fields of a connection that a replay must keep (times and uids are the capture's own).
cat > "$dir/compare.py" <<'EOF'
import json, sys
from collections import Counter
keys = ("orig_h", "orig_p", "resp_h", "resp_p", "proto", "conn_state", "history", "orig_pkts", "resp_pkts",
        "orig_ip_bytes", "resp_ip_bytes")
def conns(path):
    return Counter(tuple(c[k] for k in keys) for c in json.load(open(path))["connections"])
read, live = conns(sys.argv[1]), conns(sys.argv[2])
same = sum((read & live).values())
print("yes" if read == live else "no: %d of %d" % (same, sum(read.values())))
EOF

# Runs one capture while tcpreplay sends; prints "sent pps cpu_seconds" and leaves the capture's output in $dir.
replay() { # rate, capture command...
  local rate=$1; shift
  local speed=(--topspeed); [ "$rate" = topspeed ] || speed=(--pps "$rate")
  /usr/bin/time -o "$dir/time" -f "%U %S" "$@" > "$dir/out" 2> "$dir/err" &
  local pid=$!
  sleep 3
  local stats
  stats=$(tcpreplay -i lo -K "${speed[@]}" "$file" 2>&1 | awk '/Actual:/ {sent=$2} /Rated:/ {pps=$(NF-1)} END {print sent, pps}')
  sleep 2
  # SIGTERM: background jobs of a script ignore SIGINT. Both tools end on it with their final counters.
  kill -TERM "$(pgrep -P "$pid" | head -1)" 2>/dev/null || true
  wait "$pid" || true
  echo "$stats $(awk '{print $1 + $2}' "$dir/time")"
}

printf 'machine: %s, %s cores; %s: %s packets, %s connections\n' "$(uname -m)" "$(nproc)" "$(basename "$file")" \
  "$packets" "$flows"
printf '| rate asked | tool | sent | rate reached pps | received | dropped by kernel | dropped by flowdemux | CPU s | CPU us/packet | connections = read |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for rate in "${rates[@]}"; do
  # shellcheck disable=SC2086
  read -r sent pps cpu < <(replay "$rate" ./analyzer capture -i lo -f "$filter" ${FLOWDEMUX_CAPTURE_OPTS:-} \
    --format json --top all -o "$dir/live.json")
  read -r received kdrop fdrop < <(python3 -c "
import json; l = json.load(open('$dir/live.json'))['capture']['live']
print(l['received'] // (2 if l['loopback'] else 1), l['dropped_by_kernel'] // (2 if l['loopback'] else 1), l['dropped_by_flowdemux'])")
  same=$(python3 "$dir/compare.py" "$dir/read.json" "$dir/live.json")
  awk -v r="$rate" -v s="$sent" -v p="$pps" -v rc="$received" -v k="$kdrop" -v f="$fdrop" -v c="$cpu" -v m="$same" \
    'BEGIN { printf "| %s | flowdemux capture | %d | %.0f | %d | %d | %d | %.2f | %.2f | %s |\n", r, s, p, rc, k, f, c, c / s * 1e6, m }'

  read -r sent pps cpu < <(replay "$rate" tcpdump -i lo -w /dev/null "$filter")
  read -r received kdrop < <(awk '/received by filter/ {r=$1} /dropped by kernel/ {k=$1} END {print int(r/2), int(k/2)}' "$dir/err")
  awk -v r="$rate" -v s="$sent" -v p="$pps" -v rc="$received" -v k="$kdrop" -v c="$cpu" \
    'BEGIN { printf "| %s | tcpdump -w /dev/null | %d | %.0f | %d | %d | - | %.2f | %.2f | - |\n", r, s, p, rc, k, c, c / s * 1e6 }'
done
