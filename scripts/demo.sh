#!/usr/bin/env bash
# Installs what is missing, builds kholedger (release) and runs the demo:
# the 4 KiB layout constants, a three-kexec handover of Linux 7.1 simulated
# into a fresh ./kholedger.db, then the ledger read back through the CLI and
# the sqlite3 shell: the kexec chain each boot found, whether 7.1 would take
# the last handover, a report, a restore as of a past handover, a diff (and its bytes), an
# area's history over the boots, everything known about one page (who), an export imported back under its manifest's names, the
# hash chain and the HTML report (kholedger-out/report.html).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product kholedger
kholedger() { .build/release/kholedger "$@"; }
step() { printf '\n$ %s\n' "$*"; }

step kholedger abi
kholedger abi

rm -f kholedger.db kholedger.db-wal kholedger.db-shm
step kholedger simulate Examples/multi-generation.yaml
kholedger simulate Examples/multi-generation.yaml

step kholedger log --kind kexec
kholedger log --kind kexec

step sqlite3 kholedger.db "SELECT generation, kernel, previous_release, kexec_count FROM v_generations"
sqlite3 -header -column kholedger.db "SELECT generation, kernel, previous_release, kexec_count FROM v_generations"

step kholedger compat --to 7.1 --at gen:2
kholedger compat --to 7.1 --at gen:2

seq=$(sqlite3 kholedger.db "SELECT min(seq) FROM v_ops WHERE kind = 'preserve_vmalloc' AND subject = 'journal'")
step kholedger show "$seq"
kholedger show "$seq"

step sqlite3 kholedger.db "SELECT generation, name, descriptor_phys, total_pages, \"order\", chunks FROM v_areas"
sqlite3 -header -column kholedger.db "SELECT generation, name, kind, descriptor_phys, total_pages, \"order\", chunks FROM v_areas"

step sqlite3 kholedger.db "SELECT count(*) FROM v_frames"
sqlite3 kholedger.db "SELECT count(*) FROM v_frames"

step kholedger sql "SELECT generation, kind, count(*) AS ops FROM v_ops GROUP BY generation, kind HAVING kind LIKE 'restore%'"
kholedger sql "SELECT generation, kind, count(*) AS ops FROM v_ops GROUP BY generation, kind HAVING kind LIKE 'restore%'"

step kholedger report summary
kholedger report summary

mkdir -p kholedger-out
step kholedger restore --area journal --at gen:1 -o kholedger-out/journal.bin
kholedger restore --area journal --at gen:1 -o kholedger-out/journal.bin

step kholedger diff gen:1 gen:2
kholedger diff gen:1 gen:2

step kholedger diff gen:1 gen:2 --bytes --area state
kholedger diff gen:1 gen:2 --bytes --area state

step kholedger history --area journal
kholedger history --area journal

step kholedger who 0x102900123 --generation 1
kholedger who 0x102900123 --generation 1

step kholedger export --at gen:2 --image kholedger-out/gen2.elf --fdt kholedger-out/gen2.dtb --manifest kholedger-out/gen2.json
kholedger export --at gen:2 --image kholedger-out/gen2.elf --fdt kholedger-out/gen2.dtb --manifest kholedger-out/gen2.json

rm -f kholedger-out/capture.db kholedger-out/capture.db-wal kholedger-out/capture.db-shm
step kholedger import --fdt kholedger-out/gen2.dtb --image kholedger-out/gen2.elf --manifest kholedger-out/gen2.json --ledger kholedger-out/capture.db
kholedger import --fdt kholedger-out/gen2.dtb --image kholedger-out/gen2.elf --manifest kholedger-out/gen2.json --ledger kholedger-out/capture.db

step kholedger audit
kholedger audit

step kholedger report --html kholedger-out/report.html
kholedger report --html kholedger-out/report.html
