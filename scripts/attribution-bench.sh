#!/usr/bin/env bash
# What process attribution costs a live capture, on the loopback device only (needs root, python3, tcpreplay):
#  1. traffic of other hosts (a generated capture replayed into lo at a fixed rate; no endpoint is this host's, so
#     nothing is looked up): capture's CPU with attribution (the default) against --no-processes;
#  2. local connections (python clients making N short connections to a python server on 127.0.0.1): every one is
#     looked up; capture's CPU with and against without, and how many endpoints were named.
# Alternating runs; prints one line per run. Usage: sudo scripts/attribution-bench.sh [rounds] [pps] [connections]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-3}
pps=${2:-200000}
local_connections=${3:-3000}
for tool in tcpreplay python3; do
  command -v "$tool" >/dev/null || { echo "attribution-bench: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "attribution-bench: capturing on lo needs root" >&2; exit 2; }
dir=${BENCH_DIR:-$(mktemp -d)}
./analyzer --version >/dev/null
file="$dir/live-100000.pcap"
[ -f "$file" ] || java -jar target/flowdemux.jar generate --flows 100000 --concurrency 10000 -o "$file" 2>/dev/null
port=47123
python3 -u -c "
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port)); s.listen(128)
def serve(c):
    c.sendall(c.recv(100)); c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
" & server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 1

run() { # label, filter, workload, capture options...
  local label=$1 filter=$2 workload=$3; shift 3
  /usr/bin/time -o "$dir/time" -f "%U %S" ./analyzer capture -i lo -f "$filter" "$@" --format json --top all \
    -o "$dir/out.json" > /dev/null 2> "$dir/err" &
  local pid=$!
  sleep 3
  eval "$workload"
  sleep 2
  kill -TERM "$(pgrep -P "$pid" | head -1)" 2>/dev/null || true
  wait "$pid" || true
  python3 -c "
import json, sys
d = json.load(open('$dir/out.json')); l = d['capture']['live']; cs = d['connections']
named = sum(1 for c in cs for k in ('orig_process', 'resp_process') if 'pid' in c.get(k, {}))
print('%-28s CPU %5.2f s  connections %6d  endpoints named %6d  dropped %d' % ('$label', sum(map(float, open('$dir/time').read().split())), len(cs), named, l['dropped_by_kernel'] + l['dropped_by_flowdemux']))"
}
replay="tcpreplay -i lo -K --pps $pps $file > /dev/null 2>&1"
connect="python3 -c \"
import socket
for i in range($local_connections):
    c = socket.create_connection(('127.0.0.1', $port)); c.sendall(b'hello'); c.recv(100); c.close()
\""
others='net 10.0.0.0/8 or net 2001:db8::/32'
for i in $(seq 1 "$rounds"); do
  run "replay $pps pps, off" "$others" "$replay" --no-processes
  run "replay $pps pps, on" "$others" "$replay"
  run "$local_connections local, off" "port $port" "$connect" --no-processes
  run "$local_connections local, on" "port $port" "$connect"
done
