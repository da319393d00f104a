import Foundation
import GRDB
import KHOABI
@testable import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// Replays reproduce the ledgers they come from, and a tampered derived
/// row is found and named.
@Suite("Replay verifier")
struct ReplayVerifierTests {
    /// Records the example scenario `name` into a fresh ledger.
    private static func recordExample(_ name: String, in directory: TemporaryDirectory) throws -> Ledger {
        let scenario = try Scenario(contentsOfFile: ToolRunner.examples.appendingPathComponent(name).path)
        let ledger = try Ledger(path: directory.path("\(name).db"))
        let recorder = try LedgerRecorder(ledger: ledger, config: scenario.machine)
        _ = try ScenarioRunner(scenario, onEvent: recorder.eventSink).run()
        try recorder.flush()
        return ledger
    }

    private static func opCount(_ ledger: Ledger) throws -> Int {
        try ledger.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM op") ?? 0 }
    }

    /// The examples with every errno path, both consumers and several
    /// generations (page sizes and huge areas come with the random stories).
    private static let examples = ["errors.yaml", "kho-test.yaml", "memfd-luo.yaml", "multi-generation.yaml"]

    @Test(arguments: examples)
    func everyExampleReplays(name: String) throws {
        let directory = try TemporaryDirectory("replay-example")
        let ledger = try Self.recordExample(name, in: directory)
        let report = try ReplayVerifier(ledger: ledger, scratchDirectory: directory.url).verify()
        #expect(report.firstDivergence == nil, "\(report.firstDivergence?.description ?? "")")
        #expect(report.verifiedOps == (try Self.opCount(ledger)))
        #expect(report.lineages.count == 1 && report.lineages[0].skipped == nil)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(!left.contains { $0.hasPrefix("kholedger-replay-") }, "the scratch ledger is removed: \(left)")
    }

    @Test(arguments: HandoverCase.all.prefix(6))
    func randomStoriesReplay(scenario: HandoverCase) throws {
        let story = try RandomHandover(scenario)
        let report = try ReplayVerifier(ledger: story.ledger, scratchDirectory: story.directory.url).verify()
        #expect(report.firstDivergence == nil, "\(report.firstDivergence?.description ?? "")")
        #expect(report.verifiedOps == Int(story.operations))
    }

    /// The as-of tests' random runs: folios, page ranges, blobs, subtrees,
    /// refused preservations and restores of every kind.
    @Test(arguments: HandoverCase.all.prefix(3))
    func randomRunsReplay(scenario: HandoverCase) throws {
        let directory = try TemporaryDirectory("replay-random-run")
        let run = try RandomLedgerRun(seed: scenario.seed, pageSize: scenario.pageSize, path: directory.path("ledger.db"))
        try run.run(generations: 3, operations: 40)
        let report = try ReplayVerifier(ledger: run.ledger, scratchDirectory: directory.url).verify()
        #expect(report.firstDivergence == nil, "\(report.firstDivergence?.description ?? "")")
        #expect(report.verifiedOps == (try Self.opCount(run.ledger)))
    }

    /// Progress counts every op once.
    @Test func progressCountsEveryOperation() throws {
        let story = try RandomHandover(HandoverCase.all[0])
        var calls: [(Int, Int)] = []
        _ = try ReplayVerifier(ledger: story.ledger).verify { calls.append(($0, $1)) }
        #expect(calls.map(\.0) == Array(1...Int(story.operations)))
        #expect(calls.allSatisfy { $0.1 == Int(story.operations) })
    }

    // MARK: tampering

    /// Two generations of two areas, "state" and "journal" (two chunks),
    /// handed over through a subtree, restored, written and preserved again.
    private static func smallStory() throws -> RecordedMachine {
        try RecordedMachine { machine in
            var out: UInt64 = 0
            for generation in 0..<2 {
                if generation > 0 {
                    let (blob, _) = try machine.retrieveSubtree(name: "app")
                    try machine.restoreVmalloc(descriptorPhys: blob, name: "state")
                    try machine.restoreVmalloc(descriptorPhys: blob + 16, name: "journal")
                    try machine.restoreFree(blob)
                } else {
                    try machine.vmalloc(name: "state", size: 4 * 4096)
                    try machine.vmalloc(name: "journal", size: 520 * 4096)
                }
                try machine.write(area: "state", offset: 0, bytes: Array("gen\(generation) ".utf8))
                try machine.write(area: "journal", offset: 4096 * 515, bytes: Array(repeating: UInt8(generation + 1), count: 6000))
                out = try machine.allocPreserve(size: 32)
                try machine.preserveVmalloc(area: "state", descriptorPhys: out)
                try machine.preserveVmalloc(area: "journal", descriptorPhys: out + 16)
                try machine.addSubtree(name: "app", phys: out, size: 32)
                try machine.kexec()
            }
        }
    }

    /// ``smallStory()`` with one row changed by `sql`; returns the
    /// divergence the verifier reports.
    private func tampered(_ sql: String, _ arguments: StatementArguments = []) throws -> (ReplayVerifierReport.Divergence, Ledger) {
        let story = try Self.smallStory()
        try story.ledger.database.write { db in
            try db.execute(sql: sql, arguments: arguments)
            #expect(db.changesCount == 1, "the tampering changed one row")
        }
        let report = try ReplayVerifier(ledger: story.ledger, scratchDirectory: story.directory.url).verify()
        let divergence = try #require(report.firstDivergence)
        #expect(report.lineages[0].verified == Int(divergence.seq) - 1, "every op before the tampered one is reproduced")
        return (divergence, story.ledger)
    }

    @Test func theSmallStoryReplays() throws {
        let story = try Self.smallStory()
        let report = try ReplayVerifier(ledger: story.ledger, scratchDirectory: story.directory.url).verify()
        #expect(try report.matches && report.verifiedOps == Self.opCount(story.ledger))
    }

    /// The seq of the first op of `kind` (and subject) in `ledger`.
    private func firstSeq(_ ledger: Ledger, _ kind: String, subject: String? = nil) throws -> Int64 {
        try #require(try ledger.database.read {
            try Int64.fetchOne($0, sql: "SELECT min(seq) FROM op WHERE kind = ? AND (? IS NULL OR subject = ?)",
                               arguments: [kind, subject, subject])
        })
    }

    @Test func tamperedExtentPhys() throws {
        let (divergence, ledger) = try tampered("""
            UPDATE object_extent SET phys = phys + 4096
            WHERE object_id = (SELECT min(id) FROM object WHERE kind = 'vmalloc' AND name = 'state') AND first_index = 0
            """)
        #expect(divergence.seq == (try firstSeq(ledger, "preserve_vmalloc", subject: "state")))
        #expect(divergence.kind == "preserve_vmalloc")
        #expect(divergence.table == "object_extent")
        #expect(divergence.detail.hasPrefix("row {name: \"state\", index: 0}: phys recorded 0x"), "\(divergence.detail)")
    }

    @Test func tamperedChunkByte() throws {
        let story = try Self.smallStory()
        let seq = try firstSeq(story.ledger, "preserve_vmalloc", subject: "journal")
        try story.ledger.database.write { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT c.object_id, c.bytes FROM chunk c JOIN object o ON o.id = c.object_id WHERE o.from_seq = ? AND c.idx = 0
                """, arguments: [seq]))
            var bytes: Data = row["bytes"]
            bytes[bytes.startIndex + 20] ^= 0x40
            try db.execute(sql: "UPDATE chunk SET bytes = ? WHERE object_id = ? AND idx = 0", arguments: [bytes, row["object_id"] as Int64])
        }
        let divergence = try #require(try ReplayVerifier(ledger: story.ledger, scratchDirectory: story.directory.url).verify().firstDivergence)
        #expect(divergence.seq == seq && divergence.table == "chunk")
        #expect(divergence.detail.hasPrefix("row {name: \"journal\", idx: 0}: bytes differ at byte 20 of 4096: recorded 0x"),
                "\(divergence.detail)")
    }

    @Test func tamperedPageData() throws {
        let story = try Self.smallStory()
        let write = try firstSeq(story.ledger, "write", subject: "state")
        let id = try story.ledger.database.write { db in
            let id = try #require(try Int64.fetchOne(db, sql: "SELECT data_id FROM page_content WHERE from_seq = ?", arguments: [write]))
            try db.execute(sql: "UPDATE page_data SET bytes = randomblob(4096) WHERE id = ?", arguments: [id])
            return id
        }
        // The replay reads the page back to rebuild the machine, and the read names it.
        let divergence = try #require(try ReplayVerifier(ledger: story.ledger, scratchDirectory: story.directory.url).verify().firstDivergence)
        #expect(divergence.seq == write, "\(divergence)")
        #expect(divergence.detail.contains("as of seq \(write) was altered in the ledger: its bytes (page_data id \(id)) do not match their SHA-256"),
                "\(divergence.detail)")
    }

    @Test func tamperedTrackerChange() throws {
        let (divergence, ledger) = try tampered("""
            UPDATE op_change SET ord = 1 WHERE seq = (SELECT min(seq) FROM op WHERE kind = 'preserve_vmalloc') AND part = 0
            """)
        #expect(divergence.seq == (try firstSeq(ledger, "preserve_vmalloc")) && divergence.table == "op_change")
        #expect(divergence.detail.hasPrefix("row {action: \"add\", phys: 0x") && divergence.detail.hasSuffix(": ord recorded 1, replayed 0"),
                "\(divergence.detail)")
    }

    @Test func tamperedPreservedRunEnd() throws {
        let (divergence, ledger) = try tampered("""
            UPDATE preserved_run SET to_seq = to_seq + 1 WHERE id = (SELECT min(id) FROM preserved_run WHERE to_seq IS NOT NULL)
            """)
        #expect(divergence.table == "preserved_run")
        #expect(divergence.detail.contains("to_seq recorded"))
        #expect(try ledger.database.read {
            try Int64.fetchOne($0, sql: "SELECT from_seq FROM preserved_run WHERE id = (SELECT min(id) FROM preserved_run WHERE to_seq IS NOT NULL)")
        } == divergence.seq)
    }

    @Test func tamperedGeneration() throws {
        let (divergence, _) = try tampered("UPDATE generation SET tracker_root = tracker_root + 4096 WHERE generation = 1")
        #expect(divergence.kind == "boot" && divergence.table == "generation")
        #expect(divergence.detail.hasPrefix("row {boot_number: 1}: tracker_root recorded 0x"))
    }

    /// An op the replayed machine cannot make (a write into an area it does not have).
    @Test func refusedCall() throws {
        let (divergence, ledger) = try tampered("""
            UPDATE op SET subject = 'nowhere' WHERE seq = (SELECT min(seq) FROM op WHERE kind = 'write' AND subject = 'state')
            """)
        #expect(divergence.seq == (try firstSeq(ledger, "write", subject: "nowhere")))
        #expect(divergence.table == "call")
        #expect(divergence.detail == "the replayed machine could not make the call: the replayed machine has no area or folio set \"nowhere\"")
    }

    // MARK: lineages

    @Test func everyLineageIsReplayed() throws {
        let directory = try TemporaryDirectory("replay-lineages")
        let ledger = try Ledger(path: directory.path("two.db"))
        for seed in [UInt64(3), 4] {
            var config = MachineConfig()
            config.memorySize = 8 << 20
            config.seed = seed
            let recorder = try LedgerRecorder(ledger: ledger, config: config)
            let machine = try KHOMachine(config: config, onEvent: recorder.eventSink)
            try machine.vmalloc(name: "buf", size: 5 * 4096)
            try machine.preserveVmalloc(area: "buf", descriptorPhys: try machine.allocPreserve(size: 16))
            try machine.kexec()
            try recorder.flush()
        }
        let report = try ReplayVerifier(ledger: ledger, scratchDirectory: directory.url).verify()
        #expect(report.lineages.map(\.lineage) == [0, 2])
        #expect(report.lineages.map(\.generations) == [2, 2])
        #expect(try report.matches && report.verifiedOps == Self.opCount(ledger))

        try ledger.database.write { try $0.execute(sql: "UPDATE generation SET machine = NULL WHERE lineage = 2") }
        let skipped = try ReplayVerifier(ledger: ledger, scratchDirectory: directory.url).verify()
        #expect(skipped.lineages[1].skipped?.contains("no machine configuration") == true)
        #expect(skipped.lineages[1].verified == 0)
        #expect(skipped.matches && skipped.verifiedOps == skipped.lineages[0].ops)
    }

    @Test func emptyLedgerCannotBeReplayed() throws {
        let directory = try TemporaryDirectory("replay-empty")
        #expect(throws: ReplayVerifierError.emptyLedger) {
            try ReplayVerifier(ledger: try Ledger(path: directory.path("empty.db"))).verify()
        }
    }
}
