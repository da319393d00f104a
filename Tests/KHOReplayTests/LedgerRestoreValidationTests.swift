import Foundation
import GRDB
import KHOABI
@testable import KHOLedger
import KHOMachine
import KHOReplay
import Testing

/// Every restore validation reached through the ledger: a recorded area
/// of two chunks whose ledger a test then crafts with raw SQL. Each
/// expects the exact error, naming the area, the chunk and the address.
@Suite("Ledger restore validations")
struct LedgerRestoreValidationTests {
    /// 600 pages: chunk 0 lists 511 blocks, chunk 1 the other 89.
    let recorded: RecordedMachine
    let descriptor: UInt64
    /// An allocated page that nothing preserves.
    let loose: UInt64
    let seq: Int64
    let area: RestoredArea

    init() throws {
        var descriptor: UInt64 = 0
        var loose: UInt64 = 0
        recorded = try RecordedMachine { machine in
            try machine.vmalloc(name: "buf", size: 600 * 4096)
            try machine.write(area: "buf", offset: 0, bytes: Array(repeating: 0x5A, count: 8192))
            descriptor = try machine.allocPreserve(size: 16)
            try machine.preserveVmalloc(area: "buf", descriptorPhys: descriptor)
            loose = try machine.allocPages(order: 0)
        }
        self.descriptor = descriptor
        self.loose = loose
        seq = try recorded.lastSeq
        area = try LedgerRestore(ledger: recorded.ledger).restore(area: "buf", at: seq).restored
    }

    private var chunk0: UInt64 { area.chunkPhys[0] }
    private var chunk1: UInt64 { area.chunkPhys[1] }

    /// The walk error restoring "buf" as of the last seq throws.
    private func walkError() throws -> RestoreError {
        let result = Result { () throws(LedgerRestoreError) in try LedgerRestore(ledger: recorded.ledger).restore(area: "buf", at: seq) }
        guard case .failure(let failure) = result else { throw CraftingFailed("the crafted ledger restored") }
        guard case let .restore(name, phys, errorSeq, error) = failure else { throw failure }
        #expect(name == "buf" && phys == descriptor && errorSeq == seq)
        return error
    }

    /// Compares the error and checks its message names what it must.
    private func expect(_ error: RestoreError, _ expected: RestoreError, mentioning texts: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error == expected, sourceLocation: sourceLocation)
        let message = LedgerRestoreError.restore(area: "buf", descriptorPhys: descriptor, seq: seq, error).description
        #expect(message.hasPrefix("area \"buf\" (descriptor \(hex(descriptor))) as of seq \(seq): "), sourceLocation: sourceLocation)
        for text in texts { #expect(message.contains(text), "\(message)", sourceLocation: sourceLocation) }
    }

    @Test func theRecordedAreaRestores() {
        #expect(area.chunkPhys.count == 2 && area.blockPhys.count == 600)
    }

    @Test func chunkPointerMakingACycle() throws {
        try recorded.store(chunk0, at: chunk1, asOf: seq)
        expect(try walkError(), .chunkCycle(index: 2, phys: chunk0, firstSeenAt: 0), mentioning: ["chunk 2 at \(hex(chunk0))", "cycle"])
    }

    @Test func chunkPointerOutsideMemory() throws {
        try recorded.store(UInt64(0x1000), at: chunk0, asOf: seq)
        let reason = MemoryViewError.outsideMemory(phys: 0x1000, count: 4096, base: 0x1_0000_0000, size: 8 << 20).description
        expect(try walkError(), .unreadableChunk(index: 1, phys: 0x1000, reason: reason), mentioning: ["chunk 1 at 0x1000", "outside memory"])
    }

    @Test func misalignedChunkPointer() throws {
        try recorded.store(chunk1 + 8, at: chunk0, asOf: seq)
        expect(try walkError(), .misalignedChunk(index: 1, phys: chunk1 + 8), mentioning: ["chunk 1 pointer \(hex(chunk1 + 8))"])
    }

    @Test func descriptorTotalPagesTooLarge() throws {
        try recorded.store(UInt32(601), at: descriptor + 8, asOf: seq)
        expect(try walkError(), .pageCountMismatch(listed: 600, totalPages: 601), mentioning: ["total_pages 601", hex(descriptor)])
    }

    @Test func descriptorTotalPagesTooSmall() throws {
        try recorded.store(UInt32(599), at: descriptor + 8, asOf: seq)
        expect(try walkError(), .tooManyPages(chunk: 1, slot: 88, phys: area.blockPhys[599], totalPages: 599),
               mentioning: ["chunk 1 entry 88 (\(hex(area.blockPhys[599])))"])
    }

    /// No maximum order is checked (as in the kernel): an order whose
    /// blocks cannot fit `total_pages` fails at the first entry.
    @Test func descriptorOrderTooLarge() throws {
        try recorded.store(UInt16(40), at: descriptor + 14, asOf: seq)
        expect(try walkError(), .tooManyPages(chunk: 0, slot: 0, phys: area.blockPhys[0], totalPages: 600),
               mentioning: ["chunk 0 entry 0 (\(hex(area.blockPhys[0])))", "total_pages 600"])
    }

    /// An entry pointing inside a page restores that page, as the kernel
    /// (which ignores the low PAGE_SHIFT bits) does.
    @Test func entryInsideAPage() throws {
        try recorded.store(area.blockPhys[3] + 0x10, at: chunk0 + 8 + 8 * 3, asOf: seq)
        let restored = try LedgerRestore(ledger: recorded.ledger).restore(area: "buf", at: seq).restored
        #expect(restored.blockPhys == area.blockPhys)
        #expect(restored.sha256 == area.sha256)
    }

    @Test func blockListedTwice() throws {
        try recorded.store(area.blockPhys[0], at: chunk1 + 8, asOf: seq)
        expect(try walkError(), .notRestorable(chunk: 1, slot: 0, failure: .noMagic(phys: area.blockPhys[0])),
               mentioning: ["chunk 1 entry 0: page \(hex(area.blockPhys[0])) has no KHO magic"])
    }

    @Test func blockNotPreserved() throws {
        try recorded.store(loose, at: chunk1 + 8 + 8 * 5, asOf: seq)
        expect(try walkError(), .notRestorable(chunk: 1, slot: 5, failure: .noMagic(phys: loose)),
               mentioning: ["chunk 1 entry 5: page \(hex(loose)) has no KHO magic"])
    }

    /// The condition that a `preserved_run` row of order 0 holds the 4 KiB
    /// block at `:block`: in its run, or in the list of a packed row.
    static let holdsBlock = """
        ord = 0 AND ((blocks IS NULL AND phys <= :block AND :block < phys + count * 4096)
            OR (blocks IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(blocks) WHERE value = :block / 4096)))
        """

    /// The preserved check is the `preserved_run` intervals: closing the
    /// row that holds block 42 before the point makes the walk stop at the
    /// first page of that row it meets.
    @Test func blockWhoseRunIsNoLongerPreserved() throws {
        let block = area.blockPhys[42]
        let run = try #require(try recorded.ledger.database.write { db in
            let run = try Row.fetchOne(db, sql: "SELECT id, phys, count, blocks FROM preserved_run WHERE \(Self.holdsBlock) AND to_seq IS NULL",
                                       arguments: ["block": Int64(bitPattern: block)])
            try db.execute(sql: "UPDATE preserved_run SET to_seq = ? WHERE id = ?", arguments: [seq, run?["id"] as Int64?])
            return run
        })
        let first = UInt64(bitPattern: run["phys"] as Int64), count = UInt64(run["count"] as Int64)
        let held: Set<UInt64> = (run["blocks"] as String?).map { Set((PackedBlocks.frames($0, count: Int(count)) ?? []).map { $0 << 12 }) }
            ?? Set((0..<count).map { first + $0 * 4096 })
        // The walk's order: each chunk's blocks, then the chunk page itself.
        var walk: [(chunk: Int, slot: Int?, phys: UInt64)] = []
        for (chunk, blocks) in [(0, area.blockPhys[..<511]), (1, area.blockPhys[511...])] {
            walk += blocks.enumerated().map { (chunk, $0.offset, $0.element) }
            walk.append((chunk, nil, area.chunkPhys[chunk]))
        }
        let (chunk, slot, phys) = try #require(walk.first { held.contains($0.phys) })
        expect(try walkError(), .notRestorable(chunk: chunk, slot: slot, failure: .noMagic(phys: phys)),
               mentioning: ["chunk \(chunk) ", "page \(hex(phys)) has no KHO magic"])
    }

    /// An area rebuilt by a restore is checked against what the previous
    /// generation handed over, not against the current tracker.
    @Test func restoredAreaIsCheckedAgainstTheHandover() throws {
        var descriptor: UInt64 = 0
        let recorded = try RecordedMachine { machine in
            try machine.vmalloc(name: "buf", size: 4 * 4096)
            descriptor = try machine.allocPreserve(size: 16)
            try machine.preserveVmalloc(area: "buf", descriptorPhys: descriptor)
            try machine.kexec()
            try machine.restoreVmalloc(descriptorPhys: descriptor, name: "buf")
        }
        let seq = try recorded.lastSeq
        let blocks = try LedgerRestore(ledger: recorded.ledger).restore(area: "buf", at: seq).restored.blockPhys
        try recorded.ledger.database.write { db in
            try db.execute(sql: "UPDATE preserved_run SET to_seq = from_seq WHERE generation = 0 AND \(Self.holdsBlock)",
                           arguments: ["block": Int64(bitPattern: blocks[0])])
        }
        #expect(throws: LedgerRestoreError.restore(area: "buf", descriptorPhys: descriptor, seq: seq,
                                                   .notRestorable(chunk: 0, slot: 0, failure: .noMagic(phys: blocks[0])))) {
            try LedgerRestore(ledger: recorded.ledger).restore(area: "buf", at: seq)
        }
    }
}

/// Thrown when a crafted ledger did not fail as it must.
private struct CraftingFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
