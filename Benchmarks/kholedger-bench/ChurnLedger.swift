import Foundation
import KHOABI
import KHOLedger
import KHOMachine

/// A ledger of `ops` operations in ONE generation, for as-of queries: 16
/// preserved vmalloc areas, 4,096 allocated folios, then folios preserved and
/// unpreserved at random (about half of them preserved at any moment) until
/// the ledger holds `ops` operations.
///
/// One long generation is the hard case for interval tables: every point of
/// it has the whole generation's history before and after it.
enum ChurnLedger {
    /// Operations per recording transaction. The rows are the same whatever
    /// the batch; with the recorder's default (256) recording slows as the
    /// ledger grows: 1,000,000 operations took 236 s against 61 s with this
    /// batch (busy machine).
    static let batchSize = 65_536

    /// A recorded churn ledger: its operations and how long recording took.
    struct Recorded {
        let path: String
        let ops: Int
        let seconds: Double

        /// The recording time, for a result's figure column.
        var note: String { String(format: "ledger recorded in %.1f s", seconds) }
    }

    /// Records the ledger at `path`, timed.
    static func timedRecord(ops: Int, path: String) throws -> Recorded {
        var recorded = 0
        let seconds = try BenchResult.time { recorded = try record(ops: ops, path: path) }
        return Recorded(path: path, ops: recorded, seconds: seconds)
    }

    /// Records the ledger at `path` and returns its number of operations.
    static func record(ops: Int, path: String) throws -> Int {
        var config = MachineConfig()
        config.memorySize = 1 << 30
        config.seed = 3
        let ledger = try Ledger(path: path)
        let recorder = try LedgerRecorder(ledger: ledger, config: config, source: "bench", batchSize: batchSize)
        var count = 0
        let sink = recorder.eventSink
        let machine = try KHOMachine(config: config) { event in count += 1; sink(event) }
        for i in 0..<16 {
            try machine.vmalloc(name: "area\(i)", size: 16 * 4096)
            try machine.preserveVmalloc(area: "area\(i)", descriptorPhys: machine.allocPreserve(size: 16))
        }
        var folios: [UInt64] = []
        for _ in 0..<4096 { folios.append(try machine.allocPages(order: 0)) }
        var preserved = [Bool](repeating: false, count: folios.count)
        var random = SplitMix64(seed: 4)
        while count < ops {
            let i = Int(random.next() % UInt64(folios.count))
            if preserved[i] { try machine.unpreserveFolio(folios[i], order: 0) } else { try machine.preserveFolio(folios[i], order: 0) }
            preserved[i].toggle()
        }
        try recorder.flush()
        if let failure = recorder.failure { throw failure }
        return count
    }
}
