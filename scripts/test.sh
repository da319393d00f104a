#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
# The reference vectors are read from ../shared/vectors beside the checkout.
# The fleet tests use a throwaway PostgreSQL cluster on loopback, started
# here ($KHOLEDGER_TEST_POSTGRES names it) and stopped when the tests end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
cluster=$(mktemp -d)
chmod 755 "$cluster"
trap 'scripts/postgres-cluster.sh stop "$cluster/data" >/dev/null 2>&1 || true; rm -rf "$cluster"' EXIT
KHOLEDGER_TEST_POSTGRES=$(scripts/postgres-cluster.sh start "$cluster/data")
export KHOLEDGER_TEST_POSTGRES
swift build --build-tests
swift test --skip-build "$@"
