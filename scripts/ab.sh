#!/usr/bin/env bash
# Before/after of a speed change, the way this shared, noisy machine allows: two commits built side by side, each
# run through its own ./analyzer launcher (with its own JVM options), alternating A, B, A, B... on the same capture
# from a warm page cache, so that both see the same noise. Prints each run's user+sys CPU, CPU per packet, wall time
# and peak RSS, then per build the range and median, B's median over A's, and in how many pairs B used less CPU.
# Usage: scripts/ab.sh REV_A REV_B CAPTURE [rounds] [read options...]
#        (defaults: 5 rounds, "--format zeek"; e.g. scripts/ab.sh HEAD~1 HEAD big.pcap 5 --workers 1 --format zeek)
# The packet count comes from a read's JSON report. Builds go to a temporary folder (BENCH_DIR if set), removed after.
# Needs git, mvn, python3 and /usr/bin/time (Debian: time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ $# -ge 3 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
rev_a=$1 rev_b=$2 capture=$(realpath "$3")
rounds=${4:-5}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ab: rounds must be a positive number, not '$rounds'" >&2; exit 2; }
shift $(( $# >= 4 ? 4 : 3 ))
read_opts=("$@")
[ ${#read_opts[@]} -gt 0 ] || read_opts=(--format zeek)
[ -r "$capture" ] || { echo "ab: cannot read $capture" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "ab: needs /usr/bin/time (Debian: time)" >&2; exit 2; }

work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/ab.XXXXXX")
cleanup() {
  for side in a b; do git worktree remove --force "$work/$side" >/dev/null 2>&1 || true; done
  git worktree prune >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

for side in a b; do
  rev=$([ "$side" = a ] && echo "$rev_a" || echo "$rev_b")
  git worktree add -q --detach "$work/$side" "$rev"
  echo "ab: building $side = $rev ($(git -C "$work/$side" log -1 --format='%h %s' | cut -c1-70))" >&2
  (cd "$work/$side" && mvn -q -B -Dstyle.color=never -DskipTests package >/dev/null 2>&1) \
    || { echo "ab: build of $rev failed" >&2; exit 1; }
  # The first launch makes the launcher's AOT cache (Java 25) and fills the page cache: a warm-up, not timed.
  "$work/$side/analyzer" read "$capture" "${read_opts[@]}" -o /dev/null >/dev/null 2>&1
done

packets=$("$work/a/analyzer" read "$capture" --format json 2>/dev/null \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["capture"]["packets"])')
echo "ab: $capture, $packets packets, read ${read_opts[*]}, $rounds rounds" >&2

printf '| round | build | user+sys s | ns a packet | wall s | peak RSS MB |\n|---|---|---|---|---|---|\n'
results="$work/results"
for round in $(seq "$rounds"); do
  for side in a b; do
    /usr/bin/time -o "$work/time" -f "%U %S %e %M" "$work/$side/analyzer" read "$capture" "${read_opts[@]}" \
      -o /dev/null >/dev/null 2>&1
    read -r user sys wall rss < <(tail -1 "$work/time")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    echo "$round $side $cpu $wall $rss" >> "$results"
    printf '| %d | %s | %s | %.0f | %s | %d |\n' "$round" "$side" "$cpu" \
      "$(awk -v c="$cpu" -v p="$packets" 'BEGIN { print c * 1e9 / p }')" "$wall" $((rss / 1024))
  done
done

python3 - "$results" "$packets" "$rev_a" "$rev_b" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
packets = int(sys.argv[2])
by = {side: [(float(c), float(w), int(r)) for _, s, c, w, r in rows if s == side] for side in "ab"}
print()
print("| build | user+sys s (median) | ns a packet (median) | wall s (median) | peak RSS MB |")
print("|---|---|---|---|---|")
for side, rev in zip("ab", sys.argv[3:5]):
    cpu = [c for c, _, _ in by[side]]; wall = [w for _, w, _ in by[side]]; rss = [r // 1024 for _, _, r in by[side]]
    print(f"| {side} = {rev} | {min(cpu):.2f}-{max(cpu):.2f} ({statistics.median(cpu):.2f}) | "
          f"{statistics.median(cpu) * 1e9 / packets:.0f} | {min(wall):.2f}-{max(wall):.2f} ({statistics.median(wall):.2f}) | "
          f"{min(rss)}-{max(rss)} |")
pairs = list(zip(by["a"], by["b"]))
lower = sum(1 for a, b in pairs if b[0] < a[0])
ratio = statistics.median(c for c, _, _ in by["b"]) / statistics.median(c for c, _, _ in by["a"])
least = min(c for c, _, _ in by["b"]) / min(c for c, _, _ in by["a"])
paired = statistics.median(b[0] / a[0] for a, b in pairs)
print()
print(f"B/A, median CPU: {ratio:.3f}; B used less CPU in {lower} of {len(pairs)} pairs")
# On a shared host the noise only ever adds time: each build's least CPU is its least disturbed run, and the ratio
# within each pair (runs seconds apart) cancels slower drifts.
print(f"B/A, least CPU: {least:.3f}; median of the pairs' B/A: {paired:.3f}")
EOF
