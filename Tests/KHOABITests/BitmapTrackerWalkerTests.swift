@testable import KHOABI
import Testing

@Suite("kho-v1 bitmap tracker: hostile chunks")
struct BitmapTrackerWalkerTests {
    /// One chunk page at the memory's base with `order` and one bitmap entry.
    static func memory(order: UInt32, geometry: PageGeometry) throws -> (PageMemory, chunk: UInt64) {
        var memory = PageMemory(geometry: geometry)
        let chunk = try memory.allocateNodePage()
        let bitmap = try memory.allocateNodePage()
        try memory.storeWord(UInt64(order) | 1 << 32, at: chunk + 8) // order, num_elms = 1
        try memory.storeWord(0, at: chunk + 16)                        // phys_start
        try memory.storeWord(bitmap, at: chunk + 24)
        try memory.storeWord(1, at: bitmap)
        return (memory, chunk)
    }

    /// Found by fuzz-tracker: an order whose block is 2^64 bytes trapped in
    /// the alignment check; it is now refused as too large.
    @Test("orders whose blocks do not fit 64 bits are refused", arguments: [PageGeometry.kib4, .kib16, .kib64])
    func orderOfTheWholeAddressSpace(geometry: PageGeometry) throws {
        let order = UInt32(geometry.order0Log2)
        let (memory, chunk) = try Self.memory(order: order, geometry: geometry)
        let walker = BitmapTrackerWalker(geometry: geometry, variant: .v1b, firstChunkPhys: chunk)
        #expect(throws: KHOABIError.orderTooLarge(order: Int(order), maximum: Int(order) - 1)) {
            try walker.blocks(read: memory.reader)
        }
    }

    /// The largest order still walks: bit 0 is the block at phys_start.
    @Test func largestOrderStillWalks() throws {
        let geometry = PageGeometry.kib4
        let maximum = BitmapTrackerWalker(geometry: geometry, variant: .v1b, firstChunkPhys: 0).maximumOrder
        let (memory, chunk) = try Self.memory(order: UInt32(maximum), geometry: geometry)
        let walker = BitmapTrackerWalker(geometry: geometry, variant: .v1b, firstChunkPhys: chunk)
        #expect(try walker.blocks(read: memory.reader) == [PreservedBlock(phys: 0, order: maximum)])
    }
}
