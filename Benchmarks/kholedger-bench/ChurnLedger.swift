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
    /// Records the ledger at `path` and returns its number of operations.
    static func record(ops: Int, path: String) throws -> Int {
        var config = MachineConfig()
        config.memorySize = 1 << 30
        config.seed = 3
        let ledger = try Ledger(path: path)
        let recorder = try LedgerRecorder(ledger: ledger, config: config, source: "bench")
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
