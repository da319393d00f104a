import Foundation
import KHOLedger
import KHOReplay

extension Bench {
    /// Restoring an area as of the point it was preserved, after half of it
    /// was overwritten, against reading the same bytes back from `raw-blobs`.
    func pastRestore() throws -> [BenchResult] {
        let bytes: UInt64 = quick ? 64 << 20 : 1 << 30
        let workload = try Workload.overwrittenContent(bytes: bytes)
        // Restores read the ledger as `kholedger restore` does: read-only.
        let ledger = try Ledger(readingAt: workspace.record(workload, name: "restore.db").path)
        let seq = try ledger.operations(OpFilter(kind: .preserveVmalloc, limit: 1)).first?.seq ?? 0
        let rawPath = workspace.fresh("raw-read.db")
        try RawSQLite.blobs(workload.data, path: rawPath)
        // Both sides check every byte against the preserved bytes as they arrive.
        func compare(_ piece: UnsafeRawBufferPointer, at offset: inout Int) throws {
            guard offset + piece.count <= workload.data.count, piece.isEmpty || workload.data.withUnsafeBytes({
                memcmp($0.baseAddress! + offset, piece.baseAddress!, piece.count) == 0
            }) else {
                throw RawSQLite.Failure(description: "restored bytes differ from the preserved bytes at offset \(offset)")
            }
            offset += piece.count
        }
        var restored = 0, read = 0
        let result = try BenchResult.measure(
            scenario: "restore an area as of a past point", size: "\(bytes >> 20) MiB", units: Double(bytes), unit: "B/s", runs: runs,
            run: {
                restored = 0
                _ = try LedgerRestore(ledger: ledger).restore(area: "data", at: seq) { piece in
                    try piece.withUnsafeBytes { try compare($0, at: &restored) }
                }
            },
            baseline: "raw-read", baselineRun: {
                read = 0
                try RawSQLite.readBlobs(path: rawPath) { try compare($0, at: &read) }
            })
        guard restored == workload.data.count, read == workload.data.count else {
            throw RawSQLite.Failure(description: "restore as of seq \(seq) gave \(restored) bytes, raw-read \(read), of \(workload.data.count)")
        }
        return [result]
    }
}
