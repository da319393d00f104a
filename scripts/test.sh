#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
# The reference vectors are read from ../shared/vectors beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
