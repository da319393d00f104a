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
    private func failure(_ area: CraftedArea, checked: Bool = true) -> RestoreError? {
        do {
            _ = try area.restore(checked: checked)
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
        #expect(failure(area) == .notPreserved(chunk: 0, slot: 1, phys: area.blockPhys[1], order: 0))
        #expect(failure(area, checked: false) == nil, "without a preserved check the block is only read")
    }

    @Test func chunkPageNotPreserved() {
        var area = CraftedArea(blocksPerChunk: [3, 2])
        area.memory.preserved.remove(PreservedBlock(phys: chunk1, order: 0))
        #expect(failure(area) == .notPreserved(chunk: 1, slot: nil, phys: chunk1, order: 0))
    }

    @Test func chunkPageIsCheckedAfterItsEntries() {
        var area = CraftedArea(blocksPerChunk: [3])
        area.memory.preserved.remove(PreservedBlock(phys: chunk0, order: 0))
        area.memory.preserved.remove(PreservedBlock(phys: area.blockPhys[2], order: 0))
        #expect(failure(area) == .notPreserved(chunk: 0, slot: 2, phys: area.blockPhys[2], order: 0))
    }

    @Test func blockPreservedAtAnotherOrder() {
        var area = CraftedArea(blocksPerChunk: [2], order: 1)
        area.memory.preserved.remove(PreservedBlock(phys: area.blockPhys[1], order: 1))
        area.memory.preserved.insert(PreservedBlock(phys: area.blockPhys[1], order: 0))
        #expect(failure(area) == .notPreserved(chunk: 0, slot: 1, phys: area.blockPhys[1], order: 1))
    }

    @Test func blockListedTwice() {
        var area = CraftedArea(blocksPerChunk: [3])
        area.setEntry(chunk: 0, slot: 2, to: area.blockPhys[0])
        #expect(failure(area) == .alreadyRestored(chunk: 0, slot: 2, phys: area.blockPhys[0]))
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

    @Test func blockNotAlignedToItsOrder() {
        var area = CraftedArea(blocksPerChunk: [2], order: 1)
        let misplaced = area.blockPhys[1] + 0x1000
        area.setEntry(chunk: 0, slot: 1, to: misplaced)
        #expect(failure(area) == .misalignedBlock(chunk: 0, slot: 1, phys: misplaced, order: 1))
    }

    @Test func blockNotPageAligned() {
        var area = CraftedArea(blocksPerChunk: [2])
        area.setEntry(chunk: 0, slot: 0, to: area.blockPhys[0] + 0x40)
        #expect(failure(area, checked: false) == .misalignedBlock(chunk: 0, slot: 0, phys: area.blockPhys[0] + 0x40, order: 0))
    }

    @Test func descriptorOrderAboveMaximum() {
        var area = CraftedArea(blocksPerChunk: [1])
        area.writeDescriptor(first: chunk0, totalPages: 1 << 11, order: 11)
        #expect(failure(area) == .orderTooLarge(order: 11, maximum: 10))
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
