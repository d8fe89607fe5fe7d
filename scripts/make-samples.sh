#!/usr/bin/env bash
# Rewrites samples/*.pcap(ng) with the project's sample maker and their expected text reports.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./analyzer --version >/dev/null   # builds the jar when needed
java -cp target/flowdemux.jar flowdemux.synth.SampleMaker samples
for f in samples/three-tabs.pcap samples/mixed.pcapng; do
  ./analyzer read "$f" > "${f%.*}.txt"
done
echo "samples written: $(ls samples)"
