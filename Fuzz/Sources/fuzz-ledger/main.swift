import Foundation
import FuzzSupport
import GRDB

/// Damaged ledgers: the input changes rows of a small real ledger, then
/// every reading command runs on it in process (``LedgerCommands``).
///
/// Byte 0 picks the seed ledger (``SeedLedgers``), byte 1 the generations
/// whose handover points are read and diffed; then come up to 16
/// ``RowMutation`` records of 12 bytes. Each input works on a fresh copy of
/// the seed ledger.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzLedger(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    guard input.count >= 2 else { return 0 }
    let seeds = SeedLedgers.paths
    let copy = "\(SeedLedgers.directory)/input.db"
    for file in [copy, copy + "-wal", copy + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
    do {
        try FileManager.default.copyItem(atPath: seeds[Int(input[0]) % seeds.count], toPath: copy)
        let database = try DatabaseQueue(path: copy)
        try database.writeWithoutTransaction { db in
            for mutation in RowMutation.decode(input[2...]) { try mutation.apply(db) }
        }
        try database.close()
    } catch {
        fatalError("cannot change the copy of the seed ledger: \(error)")
    }
    LedgerCommands(path: copy, outputs: SeedLedgers.directory).run(selector: input[1])
    return 0
}

_ = SeedLedgers.paths
runFuzzer(fuzzLedger)
