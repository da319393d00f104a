import Foundation
import KHOLedger
import KHOReplay

extension Bench {
    /// Restoring an area as of the point it was preserved, after half of it
    /// was overwritten, against reading the same bytes back from `raw-blobs`.
    func pastRestore() throws -> [BenchResult] {
        let bytes: UInt64 = quick ? 64 << 20 : 1 << 30
        let workload = try Workload.overwrittenContent(bytes: bytes)
        let ledger = try workspace.record(workload, name: "restore.db")
        let seq = try ledger.database.read { try Int64.fetchOne($0, sql: "SELECT seq FROM op WHERE kind = 'preserve_vmalloc'") } ?? 0
        let rawPath = workspace.fresh("raw-read.db")
        try RawSQLite.blobs(workload.data, path: rawPath)
        var restored: [UInt8] = []
        var read: [UInt8] = []
        let result = try BenchResult.measure(
            scenario: "restore an area as of a past point", size: "\(bytes >> 20) MiB", units: Double(bytes), unit: "B/s", runs: runs,
            run: {
                restored = []
                restored.reserveCapacity(Int(bytes))
                _ = try LedgerRestore(ledger: ledger).restore(area: "data", at: seq) { restored += $0 }
            },
            baseline: "raw-read", baselineRun: { read = try RawSQLite.readBlobs(path: rawPath) })
        guard restored == workload.data, read == workload.data else {
            throw RawSQLite.Failure(description: "restore as of seq \(seq) or raw-read differs from the preserved bytes")
        }
        return [result]
    }
}
