/// Memory the radix tracker lives in, addressed physically, with a page
/// allocator for new nodes. An emulated machine implements it over its
/// physical memory so the tracker is real bytes.
public protocol RadixTrackerMemory {
    /// Reads the little-endian u64 at `phys` (8-byte aligned).
    func loadWord(at phys: UInt64) throws -> UInt64
    /// Writes the little-endian u64 at `phys` (8-byte aligned).
    mutating func storeWord(_ value: UInt64, at phys: UInt64) throws
    /// Allocates one zero-filled page for a tree node and returns its phys.
    mutating func allocateNodePage() throws -> UInt64
    /// Returns a node page allocated by ``allocateNodePage()`` (rollback).
    mutating func freeNodePage(_ phys: UInt64) throws
}

/// What a radix-tracker removal found.
public enum RadixRemoval: Equatable, Sendable {
    /// The walk reached the leaf; the bit was cleared (whether or not it was set,
    /// as in the kernel).
    case cleared(wasSet: Bool)
    /// An intermediate node is missing (the kernel warns and changes nothing).
    case missingNode(level: Int)
}

/// Insert and remove operations on a radix preserved-memory tracker, with the
/// kernel's semantics: insertion allocates missing nodes top-down (rolling
/// back those of the failing call if an allocation fails), removal never
/// allocates and never frees nodes that become empty.
public struct RadixTracker: Sendable {
    public let geometry: PageGeometry
    public let depthFormula: RadixDepthFormula
    /// Physical address of the root table page.
    public let rootPhys: UInt64

    public init(geometry: PageGeometry, rootPhys: UInt64, depthFormula: RadixDepthFormula = .fixed) {
        self.geometry = geometry
        self.rootPhys = rootPhys
        self.depthFormula = depthFormula
    }

    /// Sets the bit for `block`; returns the node pages allocated by this call.
    @discardableResult
    public func insert<M: RadixTrackerMemory>(_ block: PreservedBlock, in memory: inout M) throws -> [UInt64] {
        let key = try RadixKey(block, geometry: geometry)
        var allocated: [(slot: UInt64, page: UInt64)] = []
        var node = rootPhys
        do {
            for level in stride(from: geometry.radixTreeDepth(depthFormula) - 1, through: 1, by: -1) {
                let slot = node + 8 * UInt64(key.index(level: level, geometry: geometry))
                var child = try memory.loadWord(at: slot)
                if child == 0 {
                    child = try memory.allocateNodePage()
                    try memory.storeWord(child, at: slot)
                    allocated.append((slot, child))
                }
                node = child
            }
        } catch {
            for (slot, page) in allocated.reversed() {
                try memory.storeWord(0, at: slot)
                try memory.freeNodePage(page)
            }
            throw error
        }
        let bit = key.leafBit(geometry: geometry)
        let word = node + 8 * UInt64(bit / 64)
        try memory.storeWord(memory.loadWord(at: word) | (1 << UInt64(bit % 64)), at: word)
        return allocated.map(\.page)
    }

    /// Clears the bit for `block`.
    public func remove<M: RadixTrackerMemory>(_ block: PreservedBlock, in memory: inout M) throws -> RadixRemoval {
        let key = try RadixKey(block, geometry: geometry)
        var node = rootPhys
        for level in stride(from: geometry.radixTreeDepth(depthFormula) - 1, through: 1, by: -1) {
            let child = try memory.loadWord(at: node + 8 * UInt64(key.index(level: level, geometry: geometry)))
            guard child != 0 else { return .missingNode(level: level - 1) }
            node = child
        }
        let bit = key.leafBit(geometry: geometry)
        let word = node + 8 * UInt64(bit / 64)
        let value = try memory.loadWord(at: word)
        let mask: UInt64 = 1 << UInt64(bit % 64)
        try memory.storeWord(value & ~mask, at: word)
        return .cleared(wasSet: value & mask != 0)
    }
}
