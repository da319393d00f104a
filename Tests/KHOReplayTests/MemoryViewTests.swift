import Foundation
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay
import Testing

/// The ledger's memory as of a seq equals what the emulator held then.
@Suite("MemoryView")
struct MemoryViewTests {
    /// At every 5th operation of random stories, sampled area pages read
    /// through the view equal the emulator's pages at that moment.
    @Test(arguments: HandoverCase.all.prefix(9))
    func sampledPagesEqualTheEmulator(scenario: HandoverCase) throws {
        let story = try RandomHandover(scenario, snapshotEvery: 5)
        #expect(story.snapshots.count >= 5)
        for (seq, pages) in story.snapshots {
            let view = try MemoryView(ledger: story.ledger, seq: seq)
            #expect(view.seq == seq && view.lineage == 0)
            for (phys, bytes) in pages {
                #expect(try view.read(phys, count: bytes.count) == bytes, "seq \(seq) page \(hex(phys))")
            }
        }
    }

    /// One page written three times: each seq sees its own version; before
    /// the first write the page is zero.
    @Test func eachSeqSeesItsVersion() throws {
        var page: UInt64 = 0
        let recorded = try RecordedMachine { machine in
            page = try machine.allocPages(order: 0)                         // seq boot + 1
            for text in ["one", "two", "three"] { try machine.write(phys: page + 100, bytes: Array(text.utf8)) }   // + 2, 3, 4
        }
        for (step, text) in [(1, ""), (2, "one"), (3, "two"), (4, "three")] {
            let seq = recorded.bootOps + Int64(step)
            let bytes = try MemoryView(ledger: recorded.ledger, seq: seq).read(page + 100, count: 5)
            #expect(bytes == Array(text.utf8) + Array(repeating: 0, count: 5 - text.utf8.count), "seq \(seq)")
        }
    }

    /// Reads cross page boundaries, within a block and between the scattered pages of an area.
    @Test(arguments: [4096, 16384, 65536])
    func readsAcrossPages(pageSize: Int) throws {
        var random = SplitMix64(seed: UInt64(pageSize))
        let content = random.bytes(4 * pageSize)
        var block: UInt64 = 0
        let recorded = try RecordedMachine(pageSize: pageSize, memory: 64 << 20) { machine in
            block = try machine.allocPages(order: 2)
            try machine.write(phys: block, bytes: content)
            try machine.vmalloc(name: "buf", size: UInt64(2 * pageSize))
            try machine.write(area: "buf", offset: pageSize - 3, bytes: Array("across".utf8))
        }
        let view = try MemoryView(ledger: recorded.ledger, seq: try recorded.lastSeq)
        #expect(try view.read(block + UInt64(pageSize) - 10, count: 2 * pageSize + 20)
            == Array(content[pageSize - 10 ..< 3 * pageSize + 10]))
        #expect(try view.read(block, count: 4 * pageSize) == content)
        let pages = try #require(recorded.machine.areas["buf"]).pages
        let tail = try view.read(pages[0] + UInt64(pageSize) - 3, count: 3), head = try view.read(pages[1], count: 3)
        #expect(tail + head == Array("across".utf8))
    }

    /// What a kexec does not hand over is zero from the next boot on; what
    /// it hands over keeps its content.
    @Test func kexecScrubsWhatWasNotHandedOver() throws {
        var kept: UInt64 = 0, lost: UInt64 = 0
        let recorded = try RecordedMachine { machine in
            kept = try machine.allocPreserve(size: 16)
            lost = try machine.allocPages(order: 0)
            try machine.write(phys: kept, bytes: Array("kept".utf8))
            try machine.write(phys: lost, bytes: Array("lost".utf8))
            try machine.kexec()
        }
        let kexec = try PointInTime.generation(0, offset: nil).resolve(in: recorded.ledger).seq
        let before = try MemoryView(ledger: recorded.ledger, seq: kexec)
        let after = try MemoryView(ledger: recorded.ledger, seq: kexec + 1)
        #expect(try before.read(kept, count: 4) == Array("kept".utf8))
        #expect(try before.read(lost, count: 4) == Array("lost".utf8))
        #expect(try after.read(kept, count: 4) == Array("kept".utf8))
        #expect(try after.read(lost, count: 4) == [0, 0, 0, 0])
    }

    /// Pinned pages are read as of their own seq.
    @Test func pinnedPagesKeepTheirSeq() throws {
        var page: UInt64 = 0
        let recorded = try RecordedMachine { machine in
            page = try machine.allocPages(order: 0)                         // seq boot + 1
            try machine.write(phys: page, bytes: Array("old".utf8))        // boot + 2
            try machine.write(phys: page, bytes: Array("new".utf8))        // boot + 3
        }
        let (old, new) = (recorded.bootOps + 2, recorded.bootOps + 3)
        let view = try MemoryView(ledger: recorded.ledger, lineage: 0, seq: new, pinned: [page: old])
        #expect(try view.read(page, count: 3) == Array("old".utf8))
        #expect(try MemoryView(ledger: recorded.ledger, lineage: 0, seq: new).read(page, count: 3) == Array("new".utf8))
    }

    /// The cache never holds more pages than its capacity, however much is read.
    @Test func cacheIsBounded() throws {
        let recorded = try RecordedMachine { machine in
            try machine.vmalloc(name: "buf", size: 64 * 4096)
            try machine.write(area: "buf", offset: 0, bytes: Array(repeating: 0x11, count: 64 * 4096))
        }
        let view = try MemoryView(ledger: recorded.ledger, lineage: 0, seq: try recorded.lastSeq, cacheBytes: 8 * 4096)
        #expect(view.cacheCapacity == 8)
        for phys in try #require(recorded.machine.areas["buf"]).pages {
            #expect(try view.read(phys, count: 4096) == Array(repeating: 0x11, count: 4096))
            #expect(view.cachedPages <= 8)
        }
        #expect(view.cachedPages == 8)
    }

    @Test func refusedReads() throws {
        let recorded = try RecordedMachine { _ in }
        let view = try MemoryView(ledger: recorded.ledger, seq: 1)
        let base: UInt64 = 0x1_0000_0000, size: UInt64 = 8 << 20
        #expect(throws: MemoryViewError.outsideMemory(phys: base - 1, count: 2, base: base, size: size)) { try view.read(base - 1, count: 2) }
        #expect(throws: MemoryViewError.outsideMemory(phys: base + size - 1, count: 2, base: base, size: size)) {
            try view.read(base + size - 1, count: 2)
        }
        #expect(try view.read(base + size - 1, count: 1) == [0])
        #expect(throws: MemoryViewError.unknownSeq(99)) { try MemoryView(ledger: recorded.ledger, seq: 99) }
        #expect(throws: MemoryViewError.unknownLineage(7)) { try MemoryView(ledger: recorded.ledger, lineage: 7, seq: 1) }
    }
}
