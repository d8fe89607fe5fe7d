#!/usr/bin/env bash
# Compares `read` with the tools people use instead, on the same generated captures, from a warm page cache.
# Usage: scripts/bench.sh [medium-flows] [large-flows] [runs]     (defaults: 100000 1000000 3)
# Prints one table: wall time (best of the runs, after a warm-up), packets/s, peak RSS, and each tool's wall time
# as a ratio to flowdemux's 2-worker read. Tools that are not installed are skipped (Debian: tcpdump, tshark,
# argus-client + argus, ndpi: libndpi-bin).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
medium=${1:-100000}
large=${2:-1000000}
runs=${3:-3}
dir=${BENCH_DIR:-$(mktemp -d)}
./analyzer --version >/dev/null

best() { # best wall time and peak RSS of N runs of a command (after one warm-up run)
  local best_wall=999999 best_rss=0 out timing
  timing=$(mktemp)
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$timing" -f "%e %M" "$@" >/dev/null 2>&1 || true
    read -r wall rss < <(tail -1 "$timing")
    if awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; best_rss=$rss; fi
  done
  rm -f "$timing"
  echo "$best_wall $best_rss"
}

printf 'machine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(free -g | awk '/Mem:/{print $2 " GiB"}')"
printf '| file | tool | wall s | packets/s | peak RSS MiB | wall / flowdemux 2 workers |\n|---|---|---|---|---|---|\n'
for flows in "$medium" "$large"; do
  f="$dir/bench-$flows.pcap"
  [ -f "$f" ] || java -jar target/flowdemux.jar generate --flows "$flows" --concurrency 10000 -o "$f" --summary "$f.json" 2>/dev/null
  packets=$(grep '"packets"' "$f.json" | tr -dc 0-9)
  name="$(basename "$f") ($(du -hL "$f" | cut -f1), $packets packets)"
  declare -A wall rss
  read -r wall[fd2] rss[fd2] < <(best ./analyzer read "$f" --workers 2 --format zeek -o /dev/null)
  read -r wall[fd1] rss[fd1] < <(best ./analyzer read "$f" --workers 1 --format zeek -o /dev/null)
  read -r wall[fd2ns] rss[fd2ns] < <(best ./analyzer read "$f" --workers 2 --format zeek -o /dev/null --no-service)
  labels=(fd1 fd2 fd2ns); declare -A title=([fd1]="flowdemux read --workers 1 --format zeek" [fd2]="flowdemux read --workers 2 --format zeek" [fd2ns]="flowdemux read --workers 2 --format zeek --no-service")
  if command -v tcpdump >/dev/null; then
    read -r wall[tcpdump] rss[tcpdump] < <(best tcpdump -r "$f" -w /dev/null); labels+=(tcpdump); title[tcpdump]="tcpdump -r F -w /dev/null (copy only)"
  fi
  if command -v argus >/dev/null; then
    read -r wall[argus] rss[argus] < <(best argus -r "$f" -w "$dir/argus.out"); labels+=(argus); title[argus]="argus -r F -w out"
  fi
  if command -v ndpiReader >/dev/null; then
    read -r wall[ndpi] rss[ndpi] < <(best ndpiReader -i "$f" -q); labels+=(ndpi); title[ndpi]="ndpiReader -i F -q"
  fi
  if command -v tshark >/dev/null && [ "$flows" -le 200000 ]; then
    read -r wall[tshark] rss[tshark] < <(best tshark -r "$f" -q -z conv,tcp -z conv,udp); labels+=(tshark); title[tshark]="tshark -z conv,tcp -z conv,udp"
  fi
  for l in "${labels[@]}"; do
    awk -v n="$name" -v t="${title[$l]}" -v w="${wall[$l]}" -v r="${rss[$l]}" -v p="$packets" -v b="${wall[fd2]}" \
      'BEGIN { printf "| %s | %s | %.2f | %.2f M | %.0f | %.2f |\n", n, t, w, p / w / 1e6, r / 1024, w / b }'
  done
  unset wall rss title
done
