#!/usr/bin/env bash
# Builds and runs the whole test suite under a sanitizer, in a build folder
# of its own (.build-asan or .build-tsan) so the normal build is untouched.
#
#   scripts/sanitize.sh address|thread [swift test options…]
#
# Any report fails the run: ASan aborts on the first error, TSan is told to.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "usage: scripts/sanitize.sh address|thread [swift test options…]" >&2; exit 2 ;;
esac
sanitizer=$1
shift
scripts/ensure-deps.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1}
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "$@"
