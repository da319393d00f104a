/// Walks a radix preserved-memory tracker the way the next kernel does.
///
/// Depth-first from the root (level depth − 1), slots in ascending index at
/// every table level, leaf bits ascending: keys come out in ascending numeric
/// order, i.e. larger orders first and, within one order, ascending physical
/// address. Every page is read through a ``MemoryReader``.
public struct RadixTrackerWalker: Sendable {
    public let geometry: PageGeometry
    public let depthFormula: RadixDepthFormula
    /// Physical address of the root table (the FDT's `preserved-memory-map`).
    public let rootPhys: UInt64

    public init(geometry: PageGeometry, rootPhys: UInt64, depthFormula: RadixDepthFormula = .fixed) {
        self.geometry = geometry
        self.rootPhys = rootPhys
        self.depthFormula = depthFormula
    }

    /// Levels of the tree under the chosen formula.
    public var depth: Int { geometry.radixTreeDepth(depthFormula) }

    /// Calls `visit` for each preserved block in the kernel's walk order.
    ///
    /// Throws ``KHOABIError/radixNodeRevisited(phys:level:)`` when a node page
    /// is reached twice (a real tree never shares pages), errors from `read`,
    /// and ``KHOABIError/invalidRadixKey(_:)`` for a key without a valid order.
    public func forEachBlock(read: MemoryReader, _ visit: (PreservedBlock) throws -> Void) throws {
        try checkRoot()
        var visited: Set<UInt64> = []
        var path: [Int] = []
        try walk(phys: rootPhys, level: depth - 1, path: &path, visited: &visited, read: read, visit: visit)
    }

    /// The preserved blocks in the kernel's walk order.
    public func blocks(read: MemoryReader) throws -> [PreservedBlock] {
        var result: [PreservedBlock] = []
        try forEachBlock(read: read) { result.append($0) }
        return result
    }

    /// Physical addresses of every node page of the tree (root first, depth-first).
    public func nodePages(read: MemoryReader) throws -> [UInt64] {
        try checkRoot()
        var pages: [UInt64] = []
        var visited: Set<UInt64> = []
        var path: [Int] = []
        try walk(phys: rootPhys, level: depth - 1, path: &path, visited: &visited, read: read,
                 onNode: { pages.append($0) }, visit: { _ in })
        return pages
    }

    /// The root must be a page: non-zero and page aligned.
    private func checkRoot() throws(KHOABIError) {
        guard rootPhys != 0 else { throw .invalidField(structure: "root FDT", field: "preserved-memory-map", value: 0) }
        guard geometry.isAligned(rootPhys, order: 0) else {
            throw .misalignedAddress(field: "preserved-memory-map (radix root)", address: rootPhys, alignment: UInt64(geometry.pageSize))
        }
    }

    private func walk(phys: UInt64, level: Int, path: inout [Int], visited: inout Set<UInt64>,
                      read: MemoryReader, onNode: (UInt64) -> Void = { _ in },
                      visit: (PreservedBlock) throws -> Void) throws {
        guard visited.insert(phys).inserted else {
            throw KHOABIError.radixNodeRevisited(phys: phys, level: level)
        }
        onNode(phys)
        let page = try read(phys, geometry.pageSize)
        if level == 0 {
            let leaf = try RadixLeaf(bytes: page, geometry: geometry)
            for bit in leaf.setBits {
                let key = RadixKey(path: path, leafBit: bit, geometry: geometry)
                try visit(key.block(geometry: geometry))
            }
            return
        }
        let node = try RadixTableNode(bytes: page, geometry: geometry)
        for (index, child) in node.slots.enumerated() where child != 0 {
            path.append(index)
            try walk(phys: child, level: level - 1, path: &path, visited: &visited, read: read, onNode: onNode, visit: visit)
            path.removeLast()
        }
    }
}
