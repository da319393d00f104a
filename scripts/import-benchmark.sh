#!/usr/bin/env bash
# Measures `kholedger import` of a large capture: writes a synthetic 4 GiB
# ELF core (one PT_LOAD over all of RAM, a sparse file) with 1 GiB preserved
# (a 512 MiB huge vmalloc area and 512 MiB of order-0 page runs), imports it
# into a fresh ledger under /usr/bin/time -v and prints the peak resident
# set size and the wall time. Everything is written to a temporary folder
# (or DIR), removed at the end. Usage: scripts/import-benchmark.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product kholedger
swift build -c release --product kholedger-capture
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
trap 'rm -f "$dir"/capture.elf "$dir"/capture.dtb "$dir"/import.db*' EXIT
command=$(.build/release/kholedger-capture "$dir" | tee /dev/stderr | tail -1)
echo "image: $(du -h --apparent-size "$dir/capture.elf" | cut -f1) apparent, $(du -h "$dir/capture.elf" | cut -f1) on disk" >&2
# The generator prints the import command; run it with our binary.
set -- ${command#kholedger }
/usr/bin/time -v .build/release/kholedger "$@" --ledger "$dir/import.db" 2> "$dir/time.txt" | head -2
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$dir/time.txt"
rm -f "$dir/time.txt"
