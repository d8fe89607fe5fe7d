#!/usr/bin/env bash
# Compares `read` with the tools people use instead, on the same generated captures, from a warm page cache.
# Usage: scripts/bench.sh [medium-flows] [large-flows] [runs]     (defaults: 100000 1000000 3)
# Prints one table: wall time (best of the runs, after a warm-up) and its packets/s, CPU (user+sys, median of the
# runs) in all and per packet, for flowdemux the time its JIT spent compiling (C1 + C2, -XX:+CITime: elapsed time
# on the compiler threads, so more than their CPU when the CPUs are all busy), peak RSS, and each tool's wall time
# as a ratio to flowdemux's 2-worker read. Tools that are not installed are skipped (Debian: tcpdump, tshark,
# argus-server, libndpi-bin).
# BENCH_KAFKA=HOST:PORT adds rows for the same read with --kafka to that broker (a topic per file); BENCH_KAFKA=local
# starts a single-node broker from the Maven artifacts the tests use (kafka_2.13, in its own JVM, data under the
# bench folder) and stops it at the end. Each such row says whether every record was acknowledged.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
medium=${1:-100000}
large=${2:-1000000}
runs=${3:-3}
dir=${BENCH_DIR:-$(mktemp -d)}
./analyzer --version >/dev/null
# The JIT's compile time, printed by the JVM at exit on standard output (a read with -o /dev/null prints nothing else).
export FLOWDEMUX_JAVA_OPTS_ADD="${FLOWDEMUX_JAVA_OPTS_ADD:-} -XX:+CITime"

median() { # of the numbers on standard input, one a line
  sort -g | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2];
    else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# After one warm-up run, N runs of a command: best wall time and that run's peak RSS, median user+sys CPU, median
# JIT compile time (0 for a command that prints none).
best() {
  local best_wall=999999 best_rss=0 timing out cpus="" jits=""
  timing=$(mktemp)
  out=$(mktemp)
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$timing" -f "%e %M %U %S" "$@" >"$out" 2>/dev/null || true
    read -r wall rss user sys < <(tail -1 "$timing")
    if awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; best_rss=$rss; fi
    cpus+="$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')"$'\n'
    jits+="$(awk '/Total compilation time/ {print $(NF - 1); found = 1} END {if (!found) print 0}' "$out")"$'\n'
  done
  rm -f "$timing" "$out"
  echo "$best_wall $best_rss $(printf '%s' "$cpus" | median) $(printf '%s' "$jits" | median)"
}

kafka=${BENCH_KAFKA:-}
if [ "$kafka" = local ]; then
  mvn -B -q -o test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/kafka.cp" >/dev/null
  java -cp "$(cat "$dir/kafka.cp"):target/test-classes" flowdemux.KafkaBroker "$dir/kafka" >"$dir/kafka.addr" 2>/dev/null &
  broker=$!
  trap 'kill "$broker" 2>/dev/null; wait "$broker" 2>/dev/null; rm -rf "$dir/kafka"' EXIT
  for _ in $(seq 120); do [ -s "$dir/kafka.addr" ] && break; sleep 1; done
  kafka=$(cat "$dir/kafka.addr")
  [ -n "$kafka" ] || { echo "bench: the local Kafka broker did not start" >&2; exit 1; }
fi

printf 'machine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(free -g | awk '/Mem:/{print $2 " GiB"}')"
printf '| file | tool | wall s | packets/s | CPU s | CPU ns/packet | JIT compiling s | peak RSS MiB |'
printf ' wall / flowdemux 2 workers |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for flows in "$medium" "$large"; do
  f="$dir/bench-$flows.pcap"
  [ -f "$f" ] || java -jar target/flowdemux.jar generate --flows "$flows" --concurrency 10000 -o "$f" --summary "$f.json" 2>/dev/null
  packets=$(grep '"packets"' "$f.json" | tr -dc 0-9)
  name="$(basename "$f") ($(du -hL "$f" | cut -f1), $packets packets)"
  declare -A wall rss cpu jit
  read -r wall[fd2] rss[fd2] cpu[fd2] jit[fd2] < <(best ./analyzer read "$f" --workers 2 --format zeek -o /dev/null)
  read -r wall[fd1] rss[fd1] cpu[fd1] jit[fd1] < <(best ./analyzer read "$f" --workers 1 --format zeek -o /dev/null)
  read -r wall[fd2ns] rss[fd2ns] cpu[fd2ns] jit[fd2ns] < <(best ./analyzer read "$f" --workers 2 --format zeek -o /dev/null --no-service)
  labels=(fd1 fd2 fd2ns); declare -A title=([fd1]="flowdemux read --workers 1 --format zeek" [fd2]="flowdemux read --workers 2 --format zeek" [fd2ns]="flowdemux read --workers 2 --format zeek --no-service")
  if command -v tcpdump >/dev/null; then
    read -r wall[tcpdump] rss[tcpdump] cpu[tcpdump] jit[tcpdump] < <(best tcpdump -r "$f" -w /dev/null); labels+=(tcpdump); title[tcpdump]="tcpdump -r F -w /dev/null (copy only)"
  fi
  if command -v argus >/dev/null; then
    read -r wall[argus] rss[argus] cpu[argus] jit[argus] < <(best argus -r "$f" -w "$dir/argus.out"); labels+=(argus); title[argus]="argus -r F -w out"
  fi
  if command -v ndpiReader >/dev/null; then
    read -r wall[ndpi] rss[ndpi] cpu[ndpi] jit[ndpi] < <(best ndpiReader -i "$f" -q); labels+=(ndpi); title[ndpi]="ndpiReader -i F -q"
  fi
  if command -v tshark >/dev/null && [ "$flows" -le 200000 ]; then
    read -r wall[tshark] rss[tshark] cpu[tshark] jit[tshark] < <(best tshark -r "$f" -q -z conv,tcp -z conv,udp); labels+=(tshark); title[tshark]="tshark -z conv,tcp -z conv,udp"
  fi
  # The demultiplexer, same run: split by connection and by server port (into a folder on $dir's file system,
  # replaced each run), extract and follow of one connection picked from the conn.log's middle.
  read -r wall[splitc] rss[splitc] cpu[splitc] jit[splitc] < <(best ./analyzer split "$f" -o "$dir/split" --force)
  read -r wall[splitp] rss[splitp] cpu[splitp] jit[splitp] < <(best ./analyzer split "$f" -o "$dir/split" --force --by server-port)
  rm -rf "$dir/split"
  ./analyzer read "$f" --format zeek -o "$dir/conn.log" >/dev/null 2>&1
  uid=$(grep -v '^#' "$dir/conn.log" | awk -v n="$(grep -vc '^#' "$dir/conn.log")" 'NR == int(n / 2) {print $2}')
  read -r wall[extract] rss[extract] cpu[extract] jit[extract] < <(best ./analyzer extract "$f" --uid "$uid" -w "$dir/one.pcap" --no-index)
  read -r wall[follow] rss[follow] cpu[follow] jit[follow] < <(best ./analyzer follow "$f" --uid "$uid" -o "$dir/follow" --no-index)
  # The offset index: what writing it adds to a read (one worker, as it must), then extract through it.
  read -r wall[index] rss[index] cpu[index] jit[index] < <(best ./analyzer read "$f" --index --format zeek -o /dev/null)
  read -r wall[indexed] rss[indexed] cpu[indexed] jit[indexed] < <(best ./analyzer extract "$f" --uid "$uid" -w "$dir/one.pcap")
  read -r wall[followi] rss[followi] cpu[followi] jit[followi] < <(best ./analyzer follow "$f" --uid "$uid" -o "$dir/follow")
  fdx=$(du -b "$f.fdx" | cut -f1)
  rm -rf "$dir/follow" "$dir/one.pcap" "$dir/conn.log" "$f.fdx"
  # The same traffic inside VXLAN (generate --encap vxlan): every frame is the outer VXLAN flow's packet and the
  # packet inside; its CPU a packet against the plain capture's is the cost of looking into tunnels.
  v="$dir/bench-vxlan-$flows.pcap"
  [ -f "$v" ] || java -jar target/flowdemux.jar generate --flows "$flows" --concurrency 10000 --encap vxlan -o "$v" --summary /dev/null 2>/dev/null
  read -r wall[vxlan] rss[vxlan] cpu[vxlan] jit[vxlan] < <(best ./analyzer read "$v" --workers 2 --format zeek -o /dev/null)
  read -r wall[vxlann] rss[vxlann] cpu[vxlann] jit[vxlann] < <(best ./analyzer read "$v" --workers 2 --format zeek -o /dev/null --decap none)
  vsize=$(du -hL "$v" | cut -f1)
  rm -f "$v"
  labels+=(splitc splitp extract follow index indexed followi vxlan vxlann)
  if [ -n "$kafka" ]; then
    # The broker shares the machine: its CPU is not in the row's CPU, but it takes cores from the read.
    topic="bench-$flows-$$"
    read -r wall[kafka] rss[kafka] cpu[kafka] jit[kafka] < <(best ./analyzer read "$f" --workers 2 --format zeek -o /dev/null --kafka "$kafka/$topic")
    acked=$(./analyzer read "$f" --workers 2 --format zeek -o /dev/null --kafka "$kafka/$topic" 2>&1 >/dev/null | grep -o '[0-9,]* records sent.*' || true)
    labels+=(kafka); title[kafka]="flowdemux read --workers 2 --format zeek --kafka (local broker: ${acked:-no report})"
  fi
  title[vxlan]="flowdemux read --workers 2 --format zeek, the same traffic inside VXLAN ($vsize)"
  title[vxlann]="the same with --decap none (the outer view)"
  title[splitc]="flowdemux split --by connection"; title[splitp]="flowdemux split --by server-port"
  title[extract]="flowdemux extract --uid (one connection, one pass)"; title[follow]="flowdemux follow --uid (one connection, one pass)"
  title[index]="flowdemux read --index --format zeek (one worker; F.fdx $((fdx / 1048576)) MiB, $(awk -v b="$fdx" -v p="$packets" 'BEGIN{printf "%.1f", b / p}') bytes a packet)"
  title[indexed]="flowdemux extract --uid (one connection, through F.fdx)"
  title[followi]="flowdemux follow --uid (one connection, through F.fdx)"
  for l in "${labels[@]}"; do
    awk -v n="$name" -v t="${title[$l]}" -v w="${wall[$l]}" -v r="${rss[$l]}" -v p="$packets" -v b="${wall[fd2]}" \
      -v c="${cpu[$l]}" -v j="${jit[$l]}" -v java="$([[ $l == fd* || $l == split* || $l == extract || $l == follow || $l == index* || $l == followi || $l == vxlan* || $l == kafka ]] && echo 1 || echo 0)" \
      'BEGIN { printf "| %s | %s | %.2f | %.2f M | %.2f | %.0f | %s | %.0f | %.2f |\n", n, t, w, p / w / 1e6, c,
        c * 1e9 / p, java ? sprintf("%.2f", j) : "-", r / 1024, w / b }'
  done
  unset wall rss cpu jit title
done
