import Foundation
import GRDB
import KHOABI
@testable import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// Ledger restores of random handover stories equal what the emulator held.
@Suite("Ledger restore")
struct LedgerRestoreTests {
    /// Restores `name` as of `seq`, returning the result and the bytes.
    private func restore(_ ledger: Ledger, _ name: String, at seq: Int64) throws -> (LedgerRestore.Result, [UInt8]) {
        var bytes: [UInt8] = []
        let result = try LedgerRestore(ledger: ledger).restore(area: name, at: seq) { bytes += $0 }
        return (result, bytes)
    }

    /// Every area the ledger lists at every handover point (`gen:G`)
    /// restores to the bytes the emulator held right before that kexec.
    @Test(arguments: HandoverCase.all)
    func everyAreaAtEveryHandover(scenario: HandoverCase) throws {
        let story = try RandomHandover(scenario)
        #expect(story.handovers.count == 3)
        for handover in story.handovers {
            let seq = try PointInTime.generation(handover.generation, offset: nil).resolve(in: story.ledger).seq
            let state = try AsOfState(ledger: story.ledger, seq: seq)
            #expect(Set(state.areas.map(\.name)) == Set(handover.areas.keys), "gen:\(handover.generation)")
            for (name, expected) in handover.areas.sorted(by: { $0.key < $1.key }) {
                let label = "gen:\(handover.generation) \(name)"
                let (result, bytes) = try restore(story.ledger, name, at: seq)
                #expect(firstDifference(bytes, expected) == nil, "\(label)")
                #expect(result.restored.sha256 == sha256Hex(expected), "\(label)")
                #expect(result.restored.size == UInt64(expected.count), "\(label)")
                #expect(result.area.kind == (handover.restoredOnly.contains(name) ? .restoredVmalloc : .vmalloc), "\(label)")
            }
        }
    }

    /// The stories are not vacuous: areas restored only, areas of several
    /// chunks and huge areas all occur.
    @Test func storiesCoverEveryKindOfArea() throws {
        var restoredOnly = 0, multiChunk = 0, huge = 0
        for scenario in HandoverCase.all where scenario.pageSize == 4096 {
            let story = try RandomHandover(scenario)
            for handover in story.handovers {
                restoredOnly += handover.restoredOnly.count
                let seq = try PointInTime.generation(handover.generation, offset: nil).resolve(in: story.ledger).seq
                for name in handover.areas.keys {
                    let restored = try LedgerRestore(ledger: story.ledger).restore(area: name, at: seq).restored
                    if restored.chunkPhys.count > 1 { multiChunk += 1 }
                    if restored.order > 0 { huge += 1 }
                }
            }
        }
        #expect(restoredOnly > 0)
        #expect(multiChunk > 0)
        #expect(huge > 0)
    }

    /// A restored area keeps restoring after its chunk pages and descriptor
    /// blob were freed, reused and overwritten: they are read as the restore
    /// saw them, the blocks as of the point.
    @Test func restoredAreaAfterItsChunkPagesWereReused() throws {
        var descriptor: UInt64 = 0
        var blocks: [UInt64] = []
        let recorded = try RecordedMachine { machine in
            try machine.vmalloc(name: "buf", size: 600 * 4096)
            try machine.write(area: "buf", offset: 4096 * 511, bytes: Array("before".utf8))
            descriptor = try machine.allocPreserve(size: 16)
            try machine.preserveVmalloc(area: "buf", descriptorPhys: descriptor)
            try machine.kexec()
            blocks = try machine.restoreVmalloc(descriptorPhys: descriptor, name: "buf").blocks
            try machine.restoreFree(descriptor)
            try machine.write(area: "buf", offset: 0, bytes: Array("after".utf8))
            // Take every free page and write into it: the freed chunk pages and blob among them.
            while let page = try? machine.allocPages(order: 0) { try machine.write(phys: page, bytes: [0xEE]) }
        }
        let chunkPages = try recorded.ledger.database.read {
            try Int64.fetchAll($0, sql: "SELECT c.phys FROM chunk c JOIN object o ON o.id = c.object_id WHERE o.kind = 'restored_vmalloc'")
        }.map { UInt64(bitPattern: $0) }
        #expect(chunkPages.count == 2)
        for phys in chunkPages + [descriptor] {
            #expect(recorded.machine.memory.page(phys).first == 0xEE, "reused: \(hex(phys))")
        }
        let (result, bytes) = try restore(recorded.ledger, "buf", at: try recorded.lastSeq)
        #expect(result.area.kind == .restoredVmalloc)
        #expect(firstDifference(bytes, try recorded.machine.read(area: "buf")) == nil)
        #expect(Array(bytes.prefix(5)) == Array("after".utf8))
        #expect(result.restored.blockPhys == blocks)
        #expect(result.restored.chunkPhys == chunkPages)
    }

    /// An area restored and then preserved again is there twice; the
    /// preserved one is restored.
    @Test func preservedAreaWinsOverRestoredOne() throws {
        let recorded = try RecordedMachine { machine in
            try machine.vmalloc(name: "buf", size: 3 * 4096)
            try machine.write(area: "buf", offset: 0, bytes: Array("gen0".utf8))
            let first = try machine.allocPreserve(size: 16)
            try machine.preserveVmalloc(area: "buf", descriptorPhys: first)
            try machine.kexec()
            try machine.restoreVmalloc(descriptorPhys: first, name: "buf")
            try machine.write(area: "buf", offset: 0, bytes: Array("gen1".utf8))
            try machine.preserveVmalloc(area: "buf", descriptorPhys: try machine.allocPreserve(size: 16))
        }
        let seq = try recorded.lastSeq
        let state = try AsOfState(ledger: recorded.ledger, seq: seq)
        #expect(state.areas.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.restoredVmalloc, .vmalloc])
        let (result, bytes) = try restore(recorded.ledger, "buf", at: seq)
        #expect(result.area.kind == .vmalloc)
        #expect(firstDifference(bytes, try recorded.machine.read(area: "buf")) == nil)
    }

    @Test func unknownAreaListsTheAreasThere() throws {
        let story = try RandomHandover(HandoverCase.all[0])
        let seq = try PointInTime.generation(0, offset: nil).resolve(in: story.ledger).seq
        let names = story.handovers[0].areas.keys.sorted()
        #expect(throws: LedgerRestoreError.replay(.notFound(
            "no vmalloc area \"nope\" at seq \(seq) (generation 0); its areas: \(names.joined(separator: ", "))"))) {
            try LedgerRestore(ledger: story.ledger).restore(area: "nope", at: seq)
        }
        #expect(throws: LedgerRestoreError.replay(.notFound("no vmalloc area \"nope\" at seq 1 (generation 0); it has no vmalloc areas"))) {
            try LedgerRestore(ledger: story.ledger).restore(area: "nope", at: 1)
        }
    }
}
