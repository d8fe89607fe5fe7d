#!/usr/bin/env bash
# What service detection costs: user+sys CPU of `read --format zeek` with and without --no-service, in alternating
# runs on the same capture (the machine is shared and noisy: compare within one run of this script only).
# Usage: scripts/service-bench.sh [capture] [runs] [workers]   (default: a generated 1 M-connection capture, 4, 2)
# JAVA=/path/to/bin/java picks the JVM (default: the launcher's choice).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
f=${1:-}
runs=${2:-4}
workers=${3:-2}
./analyzer --version >/dev/null
if [ -z "$f" ]; then
  f=${BENCH_DIR:-/tmp}/bench-1000000.pcap
  [ -f "$f" ] || java -jar target/flowdemux.jar generate --flows 1000000 --concurrency 10000 -o "$f" --summary "$f.json"
fi
packets=$(./analyzer read "$f" --format json --no-service 2>/dev/null | grep -m1 '"packets"' | tr -dc 0-9)
run() { # user+sys seconds of one read
  local timing
  timing=$(mktemp)
  if [ -n "${JAVA:-}" ]; then
    /usr/bin/time -o "$timing" -f "%U %S" "$JAVA" -XX:+UseParallelGC -jar target/flowdemux.jar read "$f" \
      --workers "$workers" --format zeek -o /dev/null "$@" >/dev/null 2>&1
  else
    /usr/bin/time -o "$timing" -f "%U %S" ./analyzer read "$f" --workers "$workers" --format zeek -o /dev/null "$@" \
      >/dev/null 2>&1
  fi
  awk '{ printf "%.2f", $1 + $2 }' "$timing"
  rm -f "$timing"
}
run --no-service >/dev/null # warm the page cache
on=(); off=()
for _ in $(seq "$runs"); do
  off+=("$(run --no-service)")
  on+=("$(run)")
done
printf 'capture: %s (%s packets), --workers %s, %s\n' "$(basename "$f")" "$packets" "$workers" \
  "$(if [ -n "${JAVA:-}" ]; then "$JAVA" -version 2>&1 | head -1; else echo "the launcher's JVM"; fi)"
printf '| runs | user+sys s, --no-service | user+sys s, detection | mean ns/packet off | on | on / off |\n|---|---|---|---|---|---|\n'
awk -v off="${off[*]}" -v on="${on[*]}" -v p="$packets" -v n="$runs" 'BEGIN {
  split(off, a, " "); split(on, b, " "); for (i = 1; i <= n; i++) { sa += a[i]; sb += b[i] }
  printf "| %d | %s | %s | %.0f | %.0f | %.3f |\n", n, off, on, sa / n / p * 1e9, sb / n / p * 1e9, sb / sa }'
