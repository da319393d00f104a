#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (release, -sanitize=fuzzer,address) and
# runs each for SECONDS (default 10), seeded from Fuzz/Seeds/<target>/ and
# the reference vectors' kho.dtb files. fuzz-ledger changes rows of small
# ledgers it records from Examples/ at start-up and runs the reading commands
# on them in process. Inputs that grow coverage go to
# fuzz-out/corpus/<target>/, crashing inputs to fuzz-out/crashes/<target>/.
# Exits non-zero when a target crashes (or leaks, times out, runs out of memory).
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]    targets: fuzz-fdt fuzz-image fuzz-vmalloc fuzz-tracker fuzz-jsonl fuzz-ledger
#
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-fdt fuzz-image fuzz-vmalloc fuzz-tracker fuzz-jsonl fuzz-ledger)
out=${FUZZ_OUT:-fuzz-out}
vectors=../shared/vectors
# Process-lifetime objects LeakSanitizer cannot see as reachable (the file says which).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Fuzz/lsan-suppressions.txt}

for target in "${targets[@]}"; do
    [ -d "Fuzz/Sources/$target" ] || { echo "fuzz.sh: unknown target $target" >&2; exit 2; }
    # The linker's notes about ASan's local symbols are noise; errors still show.
    swift build --package-path Fuzz -c release --product "$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 | grep -v "Cannot export local symbol" || true
    [ -x "Fuzz/.build/release/$target" ] || { echo "fuzz.sh: $target did not build" >&2; exit 1; }
done

status=0
for target in "${targets[@]}"; do
    corpus="$out/corpus/$target" crashes="$out/crashes/$target/"
    mkdir -p "$corpus" "$crashes"
    seeds=()
    [ -d "Fuzz/Seeds/$target" ] && seeds+=("Fuzz/Seeds/$target")
    if [ "$target" = fuzz-fdt ] && [ -d "$vectors" ]; then
        mkdir -p "$out/seeds/fuzz-fdt"
        for dtb in "$vectors"/*/kho.dtb; do cp "$dtb" "$out/seeds/fuzz-fdt/$(basename "$(dirname "$dtb")").dtb"; done
        seeds+=("$out/seeds/fuzz-fdt")
    fi
    echo "== $target: ${seconds}s, corpus $corpus, crashes in $crashes"
    if ! "Fuzz/.build/release/$target" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=20 \
        -print_final_stats=1 -artifact_prefix="$crashes" "$corpus" "${seeds[@]}" 2>"$out/$target.log"; then
        echo "fuzz.sh: $target FAILED; input saved in $crashes (log: $out/$target.log)" >&2
        tail -n 40 "$out/$target.log" >&2
        status=1
    fi
    grep -E "^#[0-9]+.*(DONE|INITED)|stat::number_of_executed_units|stat::new_units_added" "$out/$target.log" | tail -n 4
done
exit $status
