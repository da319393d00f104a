#!/usr/bin/env bash
# Remakes ledger.db (Examples/multi-generation.yaml, recorded by kholedger
# with schema 0001 … 0007, hash chain v2) and the answers in expected/ that the schema
# upgrade tests hold later builds to: after `kholedger migrate`, the same
# commands must print the same bytes. Run it only to replace the fixture
# on purpose, with the build that wrote it:
#
#   Tests/Fixtures/ledger-schema1/make.sh .build/debug/kholedger
set -euo pipefail
tool=$(realpath "$1")
cd "$(dirname "$0")"
examples=$(realpath ../../../Examples)
rm -rf ledger.db ledger.db-wal ledger.db-shm ledger.db.lock expected
"$tool" simulate "$examples/multi-generation.yaml" --ledger ledger.db --quiet
sqlite3 ledger.db "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;" >/dev/null
mkdir expected
while IFS='|' read -r name command; do
    eval "arguments=($command)"
    "$tool" "${arguments[@]}" --ledger ledger.db > "expected/$name"
done < commands.txt
rm -f ledger.db-wal ledger.db-shm ledger.db.lock journal.bin
