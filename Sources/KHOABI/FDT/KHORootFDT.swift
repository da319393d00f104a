/// The KHO root FDT as values: the ABI generation, the tracker root and the
/// registered subtrees.
///
/// Layout (KHO-ABI §5.2): root `compatible`, `preserved-memory-map` (raw
/// little-endian u64), and one subnode per subtree holding the blob address
/// (`fdt` in kho-v1, `preserved-data` later) and, from kho-v3, `blob-size`.
public struct KHORootFDT: Hashable, Sendable {
    /// Root property holding the tracker root (bitmap chunk list or radix root).
    public static let preservedMemoryMapProperty = "preserved-memory-map"
    /// Subnode property holding the blob length (kho-v3 and later).
    public static let blobSizeProperty = "blob-size"

    public var generation: ABIGeneration
    /// Physical address of the preserved-memory tracker's root.
    public var preservedMemoryMap: UInt64
    /// The subtrees in FDT order, which is newest first.
    public var subtrees: [KHOSubtree]

    public init(generation: ABIGeneration, preservedMemoryMap: UInt64, subtrees: [KHOSubtree] = []) {
        self.generation = generation
        self.preservedMemoryMap = preservedMemoryMap
        self.subtrees = subtrees
    }

    /// Decodes a root FDT. `bitmapVariant` picks v1a or v1b for `kho-v1`,
    /// which the bytes cannot tell apart.
    public init(bytes: [UInt8], bitmapVariant: BitmapVariant = .v1b) throws(FDTError) {
        try self.init(tree: FlattenedDeviceTree(bytes: bytes), bitmapVariant: bitmapVariant)
    }

    /// Decodes an already validated root FDT.
    ///
    /// Unknown extra properties and nested nodes are ignored, as the kernel does.
    public init(tree: FlattenedDeviceTree, bitmapVariant: BitmapVariant = .v1b) throws(FDTError) {
        let compatible = try tree.requiredProperty("compatible", of: .root, path: "/")
        do {
            generation = try ABIGeneration.detect(compatible: compatible, bitmapVariant: bitmapVariant)
        } catch {
            throw .unknownKHOCompatible(error)
        }
        preservedMemoryMap = try tree.requiredInteger(UInt64.self, Self.preservedMemoryMapProperty, of: .root, path: "/")
        subtrees = []
        for node in try tree.subnodes(of: .root) {
            let path = "/" + node.name
            let phys = try tree.requiredInteger(UInt64.self, generation.subtreeAddressProperty, of: node, path: path)
            let size = generation.hasBlobSize
                ? try tree.requiredInteger(UInt64.self, Self.blobSizeProperty, of: node, path: path)
                : nil
            subtrees.append(KHOSubtree(name: node.name, phys: phys, size: size))
        }
    }

    /// Encodes the tree with the kernel's call sequence (KHO-ABI §5.4): a
    /// fresh page-sized root, then each subtree added in registration order
    /// (oldest first, the reverse of `subtrees`), each time reopening the
    /// tree into one page and packing it. Returns `totalsize` bytes.
    ///
    /// Without subtrees the tree is the unpacked result of creation, as the
    /// kernel hands it over before its first `kho_add_subtree`. This is the
    /// 6.19+ sequence; 6.16–6.18 wrote the whole tree sequentially at
    /// finalize, which is not modelled.
    public func encode(pageSize: Int) throws(FDTError) -> [UInt8] {
        var page = try KHORootFDTPage(generation: generation, preservedMemoryMap: preservedMemoryMap, pageSize: pageSize)
        for subtree in subtrees.reversed() {
            try page.addSubtree(subtree)
        }
        return page.tree.bytes
    }
}
