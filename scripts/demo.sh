#!/usr/bin/env bash
# Installs what is missing, builds kholedger, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product kholedger
bin=.build/release/kholedger
echo "\$ kholedger abi"
"$bin" abi
echo
echo "\$ kholedger abi --page-size 16384 --format json"
"$bin" abi --page-size 16384 --format json
