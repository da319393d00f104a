import Foundation
import GRDB
import KHOABI
import Testing
@testable import KHOLedger
@testable import KHOMachine

/// `LedgerRecorder.atomically`: batches go into one transaction that
/// commits only when the whole run succeeds.
@Suite("Atomic recording")
struct AtomicRecordingTests {
    private struct Stop: Error {}

    /// Row counts of every table and the last hash: equal fingerprints mean
    /// an unchanged ledger.
    private func fingerprint(_ ledger: Ledger) throws -> [String] {
        try ledger.database.read { db in
            let tables = ["op", "op_change", "generation", "preserved_run", "object", "object_extent", "chunk", "page_data",
                          "page_content", "subtree"]
            return try tables.map { "\($0)=\(try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1)" }
                + [try Data.fetchOne(db, sql: "SELECT hash FROM op ORDER BY seq DESC LIMIT 1")?.base64EncodedString() ?? "-"]
        }
    }

    /// Records a machine's cold boot and a preserved area into `recorder`,
    /// failing the first error.
    private func run(_ recorder: LedgerRecorder) throws {
        let machine = try KHOMachine(config: recorder.config) { event in try? recorder.record(event) }
        try machine.vmalloc(name: "area", size: 64 << 10)
        try machine.write(area: "area", offset: 0, bytes: Array(repeating: 0x77, count: 8192))
        let blob = try machine.allocPreserve(size: 16, name: "desc")
        try machine.preserveVmalloc(area: "area", descriptorPhys: blob)
        try machine.kexec()
    }

    @Test func aFailedRunLeavesTheLedgerAsItWas() throws {
        let temp = try TemporaryLedger()
        let (ledger, _) = try temp.record { m in
            try m.vmalloc(name: "old", size: 16 << 10)
            try m.write(area: "old", offset: 0, bytes: Array(repeating: 0x11, count: 100))
        }
        let before = try fingerprint(ledger)
        let recorder = try LedgerRecorder(ledger: ledger, config: MachineConfig(), batchSize: 2)
        #expect(throws: Stop.self) {
            try recorder.atomically {
                try run(recorder)
                try recorder.flush()
                #expect(recorder.recorded > 4, "batches were written into the open transaction")
                throw Stop()
            }
        }
        #expect(try fingerprint(ledger) == before)
        #expect(try ChainVerifier(ledger: ledger).verify().isIntact)

        // The ledger takes the same run afterwards, as one commit.
        let again = try LedgerRecorder(ledger: ledger, config: MachineConfig(), batchSize: 2)
        try again.atomically { try run(again) }
        #expect(try ledger.count("SELECT count(*) FROM op") == again.lastSeq)
        #expect(try ledger.count("SELECT count(*) FROM generation") == 3)
        #expect(try ChainVerifier(ledger: ledger).verify().isIntact)
    }

    @Test func aRunWithoutMachineLeavesTheColumnEmpty() throws {
        let temp = try TemporaryLedger()
        let ledger = try Ledger(path: temp.path)
        let recorder = try LedgerRecorder(ledger: ledger, config: MachineConfig(), source: "import", storesMachine: false)
        try recorder.atomically { try run(recorder) }
        let machines = try ledger.database.read { try String?.fetchAll($0, sql: "SELECT machine FROM generation") }
        #expect(machines.count == 2 && machines.allSatisfy { $0 == nil })
        #expect(recorder.lastGeneration == 1)
    }
}
