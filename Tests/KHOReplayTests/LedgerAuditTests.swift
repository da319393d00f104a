import Foundation
import GRDB
import KHOABI
@testable import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// A scenario recorded into a fresh ledger, for auditing.
struct AuditedScenario {
    let directory: TemporaryDirectory
    let ledger: Ledger
    let machine: MachineConfig

    init(yaml: String) throws {
        let scenario = try Scenario(yaml: yaml)
        directory = try TemporaryDirectory("ledger-audit")
        ledger = try Ledger(path: directory.path("ledger.db"))
        machine = scenario.machine
        let recorder = try LedgerRecorder(ledger: ledger, config: scenario.machine)
        _ = try ScenarioRunner(scenario, onEvent: recorder.eventSink).run()
        try recorder.flush()
        if let failure = recorder.failure { throw failure }
    }

    init(example: String) throws {
        try self.init(yaml: String(contentsOf: ToolRunner.examples.appendingPathComponent(example), encoding: .utf8))
    }

    func findings(through end: Int64? = nil, generation: Int64? = nil,
                  codes: Set<AuditCode> = Set(AuditCode.allCases)) throws -> [AuditFinding] {
        try LedgerAudit(ledger: ledger).findings(through: end, generation: generation, codes: codes)
    }

    /// The seqs of the operations of `kind` (and `subject`), in order.
    func seqs(_ kind: String, subject: String? = nil) throws -> [Int64] {
        try ledger.database.read { db in
            try Int64.fetchAll(db, sql: "SELECT seq FROM op WHERE kind = ? AND (? IS NULL OR subject = ?) ORDER BY seq",
                               arguments: [kind, subject, subject])
        }
    }

    /// An address argument (`phys`, `result`, …) of the op at `seq`.
    func address(_ argument: String, of seq: Int64) throws -> UInt64 {
        let text = try #require(try ledger.database.read { db in
            try String.fetchOne(db, sql: "SELECT json_extract(args, '$.' || ?) FROM op WHERE seq = ?", arguments: [argument, seq])
        })
        return try #require(UInt64(text.dropFirst(2), radix: 16))
    }

    /// A generation's kexec seq.
    func kexec(of generation: Int64) throws -> Int64 {
        try #require(try ledger.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT kexec_seq FROM generation WHERE generation = ?", arguments: [generation])
        })
    }

    var lastSeq: Int64 { get throws { try PointInTime.latest(in: ledger) } }
}

@Suite("Ledger audit")
struct LedgerAuditTests {
    @Test(arguments: AuditExample.all)
    func exampleTriggersItsCodeAndTheFixedStoryDoesNot(_ example: AuditExample) throws {
        let code = try #require(AuditCode(rawValue: example.code))
        let found = try AuditedScenario(example: example.file).findings().filter { $0.code == code }
        #expect(found.count == example.count, "\(found)")
        #expect(found.allSatisfy { $0.severity == code.severity && $0.message.contains("0x") })
        let fixed = try AuditedScenario(yaml: example.fixedYAML()).findings()
        #expect(!fixed.contains { $0.code == code }, "\(fixed)")
    }

    @Test func theMultiGenerationStoryIsClean() throws {
        #expect(try AuditedScenario(example: "multi-generation.yaml").findings() == [])
    }

    @Test func leakNamesTheBlockItsOwnerAndTheHandover() throws {
        let story = try AuditedScenario(example: "audit-leak.yaml")
        let config = try story.address("result", of: try #require(try story.seqs("alloc_preserve", subject: "config").first))
        let findings = try story.findings()
        #expect(findings == [AuditFinding(
            .leak, seq: try story.kexec(of: 0), generation: 0, subject: "config",
            message: "generation 0 handed over 1 block (4 KiB) at \(hex(config)) order 0 (of \"config\") that generation 1 never restored")])
    }

    /// Before the next generation boots there is no one to restore; right
    /// after its boot nothing is restored yet: every handed-over block but
    /// the root FDT page counts.
    @Test func leakNeedsTheNextGenerationAndCountsItsRestoresUpToThePoint() throws {
        let story = try AuditedScenario(example: "audit-leak.yaml")
        let kexec = try story.kexec(of: 0)
        #expect(try story.findings(through: kexec, codes: [.leak]) == [])
        let handedOver = try AsOfState(ledger: story.ledger, seq: kexec).preserved.count
        let atBoot = try #require(try story.findings(through: kexec + 1, codes: [.leak]).first)
        // All but KHO's own pages, which the next kernel reads in place: the root FDT and kexec-metadata.
        #expect(atBoot.message.contains("handed over \(handedOver - 2) blocks"), "\(atBoot.message)")
        #expect(try story.findings(generation: 1) == [], "a leak belongs to the generation that handed over")
        #expect(try story.findings(generation: 0).map(\.code) == [.leak])
    }

    @Test func unpreservesNameTheBlockAndWhatIsPreservedThere() throws {
        let story = try AuditedScenario(example: "audit-unpreserve.yaml")
        let buffer = try story.address("result", of: try #require(try story.seqs("alloc_pages", subject: "buffer").first))
        let halves = try story.seqs("unpreserve_pages")
        let loose = try #require(try story.seqs("unpreserve_folio", subject: "loose").first)
        let findings = try story.findings()
        #expect(findings.map(\.code) == [.unpreserveOrderMismatch, .unpreserveOrderMismatch, .unpreserveUnknown])
        #expect(findings.map(\.seq) == halves + [loose])
        for (finding, half) in zip(findings, [buffer, buffer + 0x4000]) {
            #expect(finding.message == "unpreserve_pages of 1 block (16 KiB) at \(hex(half)) order 2: "
                + "those pages are preserved as \(hex(buffer)) order 3, which stays preserved")
        }
        #expect(findings[2].subject == "loose")
        #expect(findings[2].message == "unpreserve_folio of 1 block (8 KiB) at \(hex(try story.address("phys", of: loose))) order 1: "
            + "not preserved (the kernel only warns)")
    }

    @Test func doublePreserveNamesTheEarlierPreserve() throws {
        let story = try AuditedScenario(example: "audit-double-preserve.yaml")
        let preserves = try story.seqs("preserve_folio", subject: "shared")
        #expect(preserves.count == 2)
        let shared = try story.address("phys", of: preserves[0])
        #expect(try story.findings(through: preserves[1] - 1) == [])
        #expect(try story.findings(through: preserves[1]) == [AuditFinding(
            .doublePreserve, seq: preserves[1], generation: 0, subject: "shared",
            message: "preserve_folio of 1 block (16 KiB) at \(hex(shared)) order 2: already preserved (by seq \(preserves[0]))")])
    }

    @Test func scratchOverlapNamesTheScratchArea() throws {
        let story = try AuditedScenario(example: "audit-scratch-overlap.yaml")
        let area = try #require(story.machine.scratchAreas(try story.machine.geometry()).first)
        let seq = try #require(try story.seqs("preserve_folio").last)
        #expect(try story.address("phys", of: seq) == area.address)
        #expect(try story.findings() == [AuditFinding(
            .scratchOverlap, seq: seq, generation: 0, subject: hex(area.address),
            message: "preserve_folio of 1 block (16 KiB) at \(hex(area.address)) order 2: inside scratch area \(area)")])
    }

    /// The second preserve writes "index"'s total_pages, flags and order
    /// over "log"'s `first` pointer.
    @Test func chunkListInvalidRunsTheRestoreAtTheHandoverPoint() throws {
        let story = try AuditedScenario(example: "audit-chunk-list.yaml")
        let last = try story.lastSeq
        let index = try #require(try AsOfState(ledger: story.ledger, seq: last).areas.first { $0.name == "index" })
        let first = index.totalPages | UInt64(index.flags) << 32 | UInt64(index.order) << 48
        let findings = try story.findings()
        #expect(findings.map(\.code) == [.chunkListInvalid])
        #expect(findings.first?.seq == last && findings.first?.subject == "log")
        #expect(findings.first?.message.hasSuffix("chunk 0 pointer \(hex(first)) is not page aligned") == true, "\(findings)")
        let logPreserved = try #require(try story.seqs("preserve_vmalloc", subject: "log").first)
        #expect(try story.findings(through: logPreserved) == [], "before the second preserve the chunk list is sound")
    }

    @Test func descriptorTotalMismatchNamesBothCounts() throws {
        let story = try AuditedScenario(example: "audit-descriptor-total.yaml")
        let findings = try story.findings()
        #expect(findings.map(\.code) == [.descriptorTotalMismatch])
        #expect(findings.first?.subject == "ring")
        #expect(findings.first?.message.hasSuffix("the chunks list 4 pages, the descriptor declares total_pages 5") == true, "\(findings)")
    }

    @Test func subtreeBlobUnpreservedAtTheKexec() throws {
        let story = try AuditedScenario(example: "audit-subtree-blob.yaml")
        let added = try #require(try story.seqs("add_subtree", subject: "app").first)
        let blob = try story.address("phys", of: added)
        #expect(try story.findings() == [AuditFinding(
            .subtreeBlobUnpreserved, seq: try story.kexec(of: 0), generation: 0, subject: "app",
            message: "subtree \"app\" (added at seq \(added)) points at 4096 bytes at \(hex(blob)): "
                + "1 of 1 pages not preserved at the handover, first \(hex(blob))")])
        #expect(try story.findings(through: added) == [], "the blob was still preserved right after add_subtree")
    }

    @Test func chainBreakIsTheFirstTamperedOperation() throws {
        let story = try AuditedScenario(example: "multi-generation.yaml")
        // The first kexec: no finding exists before it (the next generation has not restored yet).
        let tampered = try story.kexec(of: 0)
        let generation = try #require(try story.ledger.database.write { db in
            try db.execute(sql: "UPDATE op SET detail = 'edited' WHERE seq = ?", arguments: [tampered])
            return try Int64.fetchOne(db, sql: "SELECT generation FROM op WHERE seq = ?", arguments: [tampered])
        })
        let findings = try story.findings()
        #expect(findings.map(\.code) == [.chainBreak])
        #expect(findings.first?.seq == tampered && findings.first?.generation == generation)
        #expect(findings.first?.message.contains("(\(tampered - 1) operations verified before it)") == true)
        #expect(try story.findings(through: tampered - 1) == [])
        #expect(try story.findings(generation: generation + 1) == [])
    }

    @Test func scopesTheLedgerDoesNotHaveAreRefused() throws {
        let story = try AuditedScenario(example: "audit-leak.yaml")
        let last = try story.lastSeq
        #expect(throws: AuditError.replay(.pointOutOfRange("\(last + 1)", "the ledger has seqs 1…\(last)"))) {
            try story.findings(through: last + 1)
        }
        #expect(throws: AuditError.unknownGeneration(7, "the ledger has generations 0…1")) {
            try story.findings(generation: 7)
        }
        #expect(throws: AuditError.unknownGeneration(1, "it boots at seq \(try story.kexec(of: 0) + 1), after the audited point (seq 3)")) {
            try story.findings(through: 3, generation: 1)
        }
        let empty = try TemporaryDirectory("ledger-audit-empty")
        #expect(throws: AuditError.replay(.emptyLedger)) {
            try LedgerAudit(ledger: Ledger(path: empty.path("empty.db"))).findings()
        }
    }

    /// Random handovers in which each generation restores a random part of
    /// what came in: the leaks are exactly the blocks whose KHO magic the
    /// emulated next kernel still holds when it hands over in turn (the
    /// root FDT page aside).
    @Test(arguments: [1, 2, 3] as [UInt64])
    func leaksAreWhatTheNextKernelNeverRestored(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var unclaimed: [Int64: [UInt64]] = [:]
        let recorded = try RecordedMachine(memory: 32 << 20) { machine in
            var incoming: [(phys: UInt64, pages: UInt64, kind: Int)] = []
            for generation in 0..<3 {
                for object in incoming where random.next() % 3 != 0 {
                    switch object.kind {
                    case 0: try machine.restoreFolio(object.phys)
                    case 1: try machine.restorePages(object.phys, count: object.pages)
                    default: try machine.restoreFree(object.phys)
                    }
                }
                if let handover = machine.incoming {
                    // KHO's own pages are read in place, never restored: the root FDT and kexec-metadata.
                    let metadata = try handover.retrieve(KexecMetadata.subtreeName).phys
                    unclaimed[Int64(generation - 1)] = handover.preserved
                        .filter { $0.phys != handover.fdtPhys && $0.phys != metadata && handover.hasMagic(pfn: $0.phys >> 12) }
                        .map(\.phys).sorted()
                }
                incoming = []
                for _ in 0..<(3 + Int(random.next() % 6)) {
                    let kind = Int(random.next() % 3)
                    let order = Int(random.next() % 3)
                    switch kind {
                    case 0:
                        let phys = try machine.allocPages(order: order)
                        try machine.preserveFolio(phys, order: order)
                        incoming.append((phys, 1 << order, kind))
                    case 1:
                        let phys = try machine.allocPages(order: 3)
                        let pages = UInt64(1 + random.next() % 8)
                        try machine.preservePages(phys, count: pages)
                        incoming.append((phys, pages, kind))
                    default:
                        incoming.append((try machine.allocPreserve(size: UInt64(1 + random.next() % 9000)), 0, kind))
                    }
                }
                if generation < 2 { try machine.kexec() }
            }
        }
        let findings = try LedgerAudit(ledger: recorded.ledger).findings()
        #expect(findings.allSatisfy { $0.code == .leak }, "\(findings)")
        for generation in [Int64(0), 1] {
            let blocks = try #require(unclaimed[generation])
            let finding = findings.first { $0.generation == generation }
            #expect((finding == nil) == blocks.isEmpty)
            if let finding, let first = blocks.first {
                #expect(finding.message.contains(blocks.count == 1 ? "1 block (" : "\(blocks.count) blocks ("), "\(finding.message)")
                #expect(finding.message.contains(" \(hex(first)) order "), "\(finding.message)")
            }
        }
    }
}
