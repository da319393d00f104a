import Foundation
import KHOABI
import KHOImage
import KHOReplay
import KHOTestSupport
import Testing

/// One crafted area per restore validation; each asserts the exact error,
/// which names the chunk index and the address.
@Suite("VmallocRestorer validations")
struct RestoreValidationTests {
    private let chunk0 = CraftedArea.chunkBase
    private let chunk1 = CraftedArea.chunkBase + 0x1000

    /// Runs a restore that must fail and returns its error.
    private func failure(_ area: CraftedArea, checked: Bool = true, abi: ABIGeneration = .v3) -> RestoreError? {
        do {
            _ = try area.restore(checked: checked, abi: abi)
            return nil
        } catch {
            return error
        }
    }

    @Test func validAreaRestores() throws {
        let area = CraftedArea(blocksPerChunk: [3, 2])
        let restored = try area.restore()
        #expect(restored.chunkPhys == [chunk0, chunk1])
        #expect(restored.blockPhys == area.blockPhys)
        #expect(restored.sha256 == sha256Hex(area.expectedBytes))
        #expect(restored.size == 5 * 4096)
    }

    // MARK: the kernel's checks

    @Test func tooManyPages() {
        var area = CraftedArea(blocksPerChunk: [3, 2])
        area.writeDescriptor(first: chunk0, totalPages: 4, order: 0)
        #expect(failure(area) == .tooManyPages(chunk: 1, slot: 1, phys: area.blockPhys[4], totalPages: 4))
    }

    @Test func tooManyPagesComesBeforeThePreservedCheck() {
        var area = CraftedArea(blocksPerChunk: [2])
        area.writeDescriptor(first: chunk0, totalPages: 1, order: 0)
        area.memory.preserved.remove(PreservedBlock(phys: area.blockPhys[1], order: 0))
        #expect(failure(area) == .tooManyPages(chunk: 0, slot: 1, phys: area.blockPhys[1], totalPages: 1))
    }

    @Test func fewerPagesThanDeclared() {
        var area = CraftedArea(blocksPerChunk: [3, 2])
        area.writeDescriptor(first: chunk0, totalPages: 6, order: 0)
        #expect(failure(area) == .pageCountMismatch(listed: 5, totalPages: 6))
    }

    @Test func firstZeroWithPagesDeclared() {
        var area = CraftedArea(blocksPerChunk: [1])
        area.writeDescriptor(first: 0, totalPages: 5, order: 0)
        #expect(failure(area) == .pageCountMismatch(listed: 0, totalPages: 5))
    }

    @Test func blockNotPreserved() {
        var area = CraftedArea(blocksPerChunk: [3])
        area.memory.preserved.remove(PreservedBlock(phys: area.blockPhys[1], order: 0))
        #expect(failure(area) == .notRestorable(chunk: 0, slot: 1, failure: .noMagic(phys: area.blockPhys[1])))
        #expect(failure(area, checked: false) == nil, "without a preserved check the block is only read")
    }

    @Test func chunkPageNotPreserved() {
        var area = CraftedArea(blocksPerChunk: [3, 2])
        area.memory.preserved.remove(PreservedBlock(phys: chunk1, order: 0))
        #expect(failure(area) == .notRestorable(chunk: 1, slot: nil, failure: .noMagic(phys: chunk1)))
    }

    @Test func chunkPageIsCheckedAfterItsEntries() {
        var area = CraftedArea(blocksPerChunk: [3])
        area.memory.preserved.remove(PreservedBlock(phys: chunk0, order: 0))
        area.memory.preserved.remove(PreservedBlock(phys: area.blockPhys[2], order: 0))
        #expect(failure(area) == .notRestorable(chunk: 0, slot: 2, failure: .noMagic(phys: area.blockPhys[2])))
    }

    /// The kernel checks the magic of a block's head page only: an order-1
    /// block tracked as two order-0 entries restores, as in the kernel.
    @Test func blockTrackedAsSmallerPiecesRestoresOnItsHeadPage() throws {
        var area = CraftedArea(blocksPerChunk: [2], order: 1)
        area.memory.preserved.remove(PreservedBlock(phys: area.blockPhys[1], order: 1))
        area.memory.preserved.insert(PreservedBlock(phys: area.blockPhys[1], order: 0))
        area.memory.preserved.insert(PreservedBlock(phys: area.blockPhys[1] + 0x1000, order: 0))
        let restored = try area.restore()
        #expect(restored.blockPhys == area.blockPhys)
        #expect(restored.sha256 == sha256Hex(area.expectedBytes))
    }

    /// Only the head page counts: a block whose head page is not tracked
    /// fails even when its tail page is.
    @Test func blockWhoseHeadPageIsNotTrackedFails() {
        var area = CraftedArea(blocksPerChunk: [2], order: 1)
        area.memory.preserved.remove(PreservedBlock(phys: area.blockPhys[1], order: 1))
        area.memory.preserved.insert(PreservedBlock(phys: area.blockPhys[1] + 0x1000, order: 0))
        #expect(failure(area) == .notRestorable(chunk: 0, slot: 1, failure: .noMagic(phys: area.blockPhys[1])))
    }

    @Test func blockListedTwice() {
        var area = CraftedArea(blocksPerChunk: [3])
        area.setEntry(chunk: 0, slot: 2, to: area.blockPhys[0])
        #expect(failure(area) == .notRestorable(chunk: 0, slot: 2, failure: .noMagic(phys: area.blockPhys[0])))
        #expect(failure(area, checked: false) == .notRestorable(chunk: 0, slot: 2, failure: .noMagic(phys: area.blockPhys[0])))
    }

    @Test func unknownFlagBitsAreIgnored() throws {
        var area = CraftedArea(blocksPerChunk: [1])
        area.writeDescriptor(first: chunk0, totalPages: 1, order: 0, flags: VmallocFlags(rawValue: 0xfff1))
        let restored = try area.restore()
        #expect(restored.flags == .alloc)
        #expect(restored.descriptor.flags.rawValue == 0xfff1)
    }

    // MARK: what the kernel cannot do safely

    @Test func twoChunkCycle() {
        var area = CraftedArea(blocksPerChunk: [1, 1])
        area.setNext(ofChunk: 1, to: chunk0)
        area.writeDescriptor(first: chunk0, totalPages: 100, order: 0)
        for checked in [true, false] {
            #expect(failure(area, checked: checked) == .chunkCycle(index: 2, phys: chunk0, firstSeenAt: 0))
        }
    }

    @Test func selfLoop() {
        var area = CraftedArea(blocksPerChunk: [1])
        area.setNext(ofChunk: 0, to: chunk0)
        #expect(failure(area) == .chunkCycle(index: 1, phys: chunk0, firstSeenAt: 0))
    }

    @Test func misalignedFirstChunk() {
        var area = CraftedArea(blocksPerChunk: [1])
        area.writeDescriptor(first: chunk0 + 8, totalPages: 1, order: 0)
        #expect(failure(area) == .misalignedChunk(index: 0, phys: chunk0 + 8))
    }

    @Test func misalignedNextChunk() {
        var area = CraftedArea(blocksPerChunk: [1, 1])
        area.setNext(ofChunk: 0, to: chunk1 + 0x10)
        #expect(failure(area) == .misalignedChunk(index: 1, phys: chunk1 + 0x10))
    }

    /// A block not aligned to its order is re-split by `kho_restore_pages`;
    /// its first piece here is the tail page of a preserved block, which has
    /// no magic.
    @Test func blockNotAlignedToItsOrder() {
        var area = CraftedArea(blocksPerChunk: [2], order: 1)
        let misplaced = area.blockPhys[1] + 0x1000
        area.setEntry(chunk: 0, slot: 1, to: misplaced)
        #expect(failure(area) == .notRestorable(chunk: 0, slot: 1, failure: .noMagic(phys: misplaced)))
    }

    /// The kernel ignores an entry's low PAGE_SHIFT bits: the page is restored
    /// and mapped from its start.
    @Test func entryInsideAPageRestoresThatPage() throws {
        var area = CraftedArea(blocksPerChunk: [2])
        area.setEntry(chunk: 0, slot: 0, to: area.blockPhys[0] + 0x40)
        let restored = try area.restore()
        #expect(restored.blockPhys == area.blockPhys)
        #expect(restored.sha256 == sha256Hex(area.expectedBytes))
    }

    /// No MAX_PAGE_ORDER check on the descriptor: an order-11 block restores
    /// on a 7.1+ kernel (magic only); kho-v1 and kho-v2 kernels refuse the
    /// stored order above MAX_PAGE_ORDER.
    @Test func orderAboveMaxPageOrderRestoresFrom71On() throws {
        let area = CraftedArea(blocksPerChunk: [1], order: 11)
        #expect(try area.restore(abi: .v3).sha256 == sha256Hex(area.expectedBytes))
        #expect(try area.restore(abi: .v4).sha256 == sha256Hex(area.expectedBytes))
        for abi in [ABIGeneration.v2, .v1b] {
            #expect(failure(area, abi: abi) == .notRestorable(chunk: 0, slot: 0, failure: .orderAboveMaximum(
                phys: area.blockPhys[0], order: 11, maximum: 10)))
        }
    }

    /// An order that cannot fit `total_pages` fails at the first entry.
    @Test func absurdOrderFailsAsTooManyPages() {
        var area = CraftedArea(blocksPerChunk: [1])
        area.writeDescriptor(first: chunk0, totalPages: .max, order: 40)
        #expect(failure(area) == .tooManyPages(chunk: 0, slot: 0, phys: area.blockPhys[0], totalPages: .max))
        area.writeDescriptor(first: chunk0, totalPages: .max, order: 0xffff)
        #expect(failure(area) == .tooManyPages(chunk: 0, slot: 0, phys: area.blockPhys[0], totalPages: .max))
    }

    /// `total_pages` 0 is NULL: the kernel cannot map an empty area, after
    /// walking (and consuming) the chunk list.
    @Test func zeroTotalPagesIsNull() {
        var area = CraftedArea(blocksPerChunk: [0])
        area.writeDescriptor(first: chunk0, totalPages: 0, order: 0)
        #expect(failure(area) == .emptyArea)
        area.writeDescriptor(first: 0, totalPages: 0, order: 0)
        #expect(failure(area) == .emptyArea)
    }

    @Test func descriptorOfWrongLength() {
        let area = CraftedArea(blocksPerChunk: [1])
        #expect(throws: RestoreError.descriptorLength(15)) {
            try area.restorer(read: area.memory.reader).restore(descriptorBytes: [UInt8](repeating: 0, count: 15))
        }
    }

    /// `total_pages` near 2³² is checked against what the chunks list, not
    /// allocated for: the restore fails at once.
    @Test func hugeTotalPagesFailsFast() {
        var area = CraftedArea(blocksPerChunk: [1])
        area.writeDescriptor(first: chunk0, totalPages: .max, order: 0)
        let clock = ContinuousClock()
        var error: RestoreError?
        let elapsed = clock.measure { error = failure(area) }
        #expect(error == .pageCountMismatch(listed: 1, totalPages: .max))
        #expect(elapsed < .seconds(1))
    }

    // MARK: pointers the image does not map

    @Test func chunkPointerIntoAHole() throws {
        var area = CraftedArea(blocksPerChunk: [1, 1])
        let hole: UInt64 = 0x300000
        area.setNext(ofChunk: 0, to: hole)
        let error = try failureFromElf(area)
        #expect(error == .unreadableChunk(index: 1, phys: hole, reason: ImageError.unmapped(address: hole, count: 4096).description))
    }

    @Test func blockPointerOutsideTheImage() throws {
        var area = CraftedArea(blocksPerChunk: [2])
        let outside: UInt64 = 0x10_0000_0000
        area.setEntry(chunk: 0, slot: 1, to: outside)
        let error = try failureFromElf(area, checked: false)
        #expect(error == .unreadableBlock(chunk: 0, slot: 1, phys: outside,
                                          reason: ImageError.unmapped(address: outside, count: 4096).description))
    }

    @Test func descriptorInAHole() throws {
        var area = CraftedArea(blocksPerChunk: [1])
        area.memory.unmap(CraftedArea.descriptorPhys)
        let missing = CraftedMemory.Unmapped(address: CraftedArea.descriptorPhys).description
        #expect(failure(area) == .unreadableDescriptor(phys: CraftedArea.descriptorPhys, reason: missing))
    }

    /// Writes the area as an ELF core and restores it from the file.
    private func failureFromElf(_ area: CraftedArea, checked: Bool = true) throws -> RestoreError? {
        let directory = try TemporaryDirectory("restore-validation")
        let path = directory.path("crafted.elf")
        try area.memory.writeElf(to: path)
        let image = try ElfCoreImage(path: path)
        do {
            _ = try area.restorer(read: image.reader, checked: checked).restore(descriptorAt: CraftedArea.descriptorPhys)
            return nil
        } catch {
            return error
        }
    }
}
