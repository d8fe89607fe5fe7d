#!/usr/bin/env bash
# How long the HTML report takes to load in headless Chromium, for a small sample and a generated capture of
# N connections (default 1,000,000): the page's own clock from the start of navigation to every chart drawn
# (performance.now(), which the page writes into <body data-load-ms>), best of 3, and Chromium's whole run for scale.
# Usage: scripts/html-bench.sh [connections]    (needs chromium: Debian's chromium package)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
flows=${1:-1000000}
dir=${BENCH_DIR:-$(mktemp -d)}
command -v chromium >/dev/null || { echo "html-bench: chromium is not installed" >&2; exit 2; }
./analyzer --version >/dev/null
big="$dir/html-$flows.pcap"
[ -f "$big" ] || java -jar target/flowdemux.jar generate --flows "$flows" --concurrency 10000 -o "$big" \
  --summary "$big.json" 2>/dev/null

measure() { # page.html -> "best_load_ms best_chromium_s"
  local best=999999 bestwall=999 out t0 t1 ms
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    out=$(chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 --dump-dom "file://$1" 2>/dev/null)
    t1=$(date +%s.%N)
    ms=$(grep -o 'data-load-ms="[0-9]*"' <<<"$out" | tr -dc 0-9)
    [ -n "$ms" ] || { echo "html-bench: $1 did not finish loading" >&2; exit 1; }
    [ "$ms" -lt "$best" ] && best=$ms
    bestwall=$(awk -v a="$bestwall" -v b="$t0" -v c="$t1" 'BEGIN { w = c - b; print (w < a ? w : a) }')
  done
  echo "$best $bestwall"
}

printf '| input | connections | page size | load to all charts drawn (ms, best of 3) | chromium run (s) |\n|---|---|---|---|---|\n'
for input in samples/three-tabs.pcap "$big"; do
  page="$dir/$(basename "$input").html"
  ./analyzer read "$input" --format html -o "$page"
  conns=$(./analyzer read "$input" --format json | grep -m1 '"connections" :' | tr -dc 0-9)
  read -r ms wall < <(measure "$(realpath "$page")")
  printf '| %s | %s | %s | %s | %.2f |\n' "$(basename "$input")" "$conns" "$(du -h "$page" | cut -f1)" "$ms" "$wall"
done
