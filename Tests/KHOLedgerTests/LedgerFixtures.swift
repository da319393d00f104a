import Foundation
import GRDB
import KHOABI
@testable import KHOLedger
@testable import KHOMachine

/// A ledger in a fresh temporary directory, removed when the fixture goes away.
final class TemporaryLedger {
    let directory: URL
    var path: String { directory.appendingPathComponent("test.db").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kholedger-test-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Runs `body` on a machine whose events are recorded into this ledger.
    @discardableResult
    func record(pageSize: Int = 4096, memory: UInt64 = 64 << 20, seed: UInt64 = 9,
                _ body: (KHOMachine) throws -> Void) throws -> (Ledger, KHOMachine) {
        var config = MachineConfig()
        config.pageSize = pageSize
        config.memorySize = memory
        config.seed = seed
        let ledger = try Ledger(path: path)
        let recorder = try LedgerRecorder(ledger: ledger, config: config, batchSize: 7)
        var failure: Error?
        let machine = try KHOMachine(config: config) { event in
            do { try recorder.record(event) } catch { failure = failure ?? error }
        }
        try body(machine)
        try recorder.flush()
        if let failure { throw failure }
        return (ledger, machine)
    }
}

extension Ledger {
    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try database.read { try Int.fetchOne($0, sql: sql, arguments: arguments) ?? -1 }
    }
}
