#!/usr/bin/env bash
# Installs the Debian packages kholedger builds and tests with, if missing:
# libfdt (FDT reading/writing), SQLite (the ledger), dtc and binutils
# (readelf), gdb and drgn (python3-drgn), used by tests that check our
# files with the standard tools, time (/usr/bin/time -v) for
# scripts/import-benchmark.sh, and PostgreSQL: libpq (the fleet store's
# client library) and the server the fleet tests and benchmarks start
# (scripts/postgres-cluster.sh), and openssl, whose Ed25519 keys the
# digest tests sign with.
set -euo pipefail

packages=(libfdt-dev libsqlite3-dev sqlite3 device-tree-compiler binutils gdb python3-drgn time libpq-dev postgresql openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.1 or later" >&2; exit 1; }
