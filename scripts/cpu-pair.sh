#!/usr/bin/env bash
# Whether this machine's CPUs give full work each when all are busy, with nothing of flowdemux in it: a C loop of
# independent integer operations (no memory traffic) run alone, then as many copies at once as there are CPUs.
# On real cores every copy takes about as long as one alone. On two hyperthreads of one core, or vCPUs the host
# shares, some copies take longer while the guest still counts them as running, so any read with more busy threads
# costs more CPU time for the same work (docs/performance.md, "Before and after", the seventh session).
# Usage: scripts/cpu-pair.sh [trials]   (default 3; needs gcc and /usr/bin/time)
set -euo pipefail
trials=${1:-3}
[[ $trials =~ ^[1-9][0-9]*$ ]] || { echo "cpu-pair: trials must be a positive number, not '$trials'" >&2; exit 2; }
command -v gcc >/dev/null || { echo "cpu-pair: needs gcc" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "cpu-pair: needs /usr/bin/time (Debian: time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/loop.c" <<'EOF'
#include <stdio.h>
#include <stdint.h>
int main(void)
{
    uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6;
    for (long i = 0; i < 1500000000L; i++)
    {
        a += i; b ^= i; c += b; d ^= a; e += d; f ^= c;
        __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f));
    }
    printf("%lu\n", (unsigned long)(a ^ b ^ c ^ d ^ e ^ f));
    return 0;
}
EOF
gcc -O2 -o "$work/loop" "$work/loop.c"
cpus=$(nproc)
echo "| trial | alone: user s | $cpus at once: user s of each |"
echo "|---|---|---|"
for t in $(seq "$trials"); do
  /usr/bin/time -o "$work/alone" -f %U "$work/loop" >/dev/null
  for i in $(seq "$cpus"); do /usr/bin/time -o "$work/copy$i" -f %U "$work/loop" >/dev/null & done
  wait
  each=$(for i in $(seq "$cpus"); do cat "$work/copy$i"; done | sort -n | paste -sd' ')
  echo "| $t | $(cat "$work/alone") | $each |"
done
