/// Lists what a captured handover preserves: every block of the
/// preserved-memory tracker and every subtree of the root FDT.
///
/// Works for every ABI generation: the radix tracker (kho-v2, v3, v4, v4c)
/// through ``RadixTrackerWalker`` and the bitmap tracker (kho-v1) through
/// ``BitmapTrackerWalker``. Pure: every page comes through a ``MemoryReader``.
public struct HandoverWalker: Sendable {
    public let geometry: PageGeometry
    /// The kho-v1 bitmap layout, which the `kho-v1` string does not reveal.
    public let bitmapVariant: BitmapVariant
    /// The radix depth formula (they differ only at 16 KiB pages).
    public let depthFormula: RadixDepthFormula

    public init(geometry: PageGeometry, bitmapVariant: BitmapVariant = .v1b, depthFormula: RadixDepthFormula = .fixed) {
        self.geometry = geometry
        self.bitmapVariant = bitmapVariant
        self.depthFormula = depthFormula
    }

    /// Decodes the root FDT `fdt` and walks the tracker it points to.
    ///
    /// Subtree sizes: kho-v3 and later record `blob-size`; kho-v1 and kho-v2
    /// blobs are FDTs, so their size is the `totalsize` of the FDT header
    /// read at the blob's address. The kernel never checks that a kho-v1/v2
    /// blob is an FDT when it is added: a blob without an FDT header (or one
    /// the image does not hold) is listed without a size, with the reason in
    /// ``HandoverWalk/subtreeProblems``, and the walk goes on.
    public func walk(fdt: [UInt8], read: MemoryReader) throws(HandoverWalkError) -> HandoverWalk {
        let root: KHORootFDT
        do {
            let tree = try FlattenedDeviceTree(bytes: fdt)
            try tree.requireSubnodeNamesWithinLimit(of: .root)
            root = try KHORootFDT(tree: tree, bitmapVariant: bitmapVariant)
        } catch {
            throw .rootFDT(error)
        }
        let preserved: [PreservedBlock]
        do {
            preserved = try blocks(root, read: read)
        } catch {
            // Nothing in a capture records the page size: name the one it reads with.
            let other = PageGeometry.supportedPageSizes.filter { $0 != geometry.pageSize }.first { size in
                let walker = HandoverWalker(geometry: try! PageGeometry(pageSize: size), bitmapVariant: bitmapVariant, depthFormula: depthFormula)
                return (try? walker.blocks(root, read: read)) != nil
            }
            guard let other else { throw error }
            throw .otherPageSize(error, pageSize: geometry.pageSize, readsWith: other)
        }
        var subtrees: [KHOSubtree] = []
        var problems: [HandoverWalkError] = []
        for var subtree in root.subtrees {
            if subtree.size == nil {
                do {
                    subtree.size = try fdtTotalSize(subtree, generation: root.generation, read: read)
                } catch {
                    problems.append(error)
                }
            }
            subtrees.append(subtree)
        }
        var walk = HandoverWalk(generation: root.generation, trackerRoot: root.preservedMemoryMap,
                                preserved: preserved.sorted(), subtrees: subtrees)
        walk.subtreeProblems = problems
        return walk
    }

    /// The tracker's blocks in the kernel's walk order.
    private func blocks(_ root: KHORootFDT, read: MemoryReader) throws(HandoverWalkError) -> [PreservedBlock] {
        do {
            if let variant = root.generation.bitmapVariant {
                return try BitmapTrackerWalker(geometry: geometry, variant: variant, firstChunkPhys: root.preservedMemoryMap)
                    .blocks(read: read)
            }
            return try RadixTrackerWalker(geometry: geometry, rootPhys: root.preservedMemoryMap, depthFormula: depthFormula)
                .blocks(read: read)
        } catch {
            throw .tracker(generation: root.generation, root: root.preservedMemoryMap, reason: "\(error)")
        }
    }

    /// `totalsize` of the FDT a kho-v1/v2 subtree points to.
    private func fdtTotalSize(_ subtree: KHOSubtree, generation: ABIGeneration, read: MemoryReader) throws(HandoverWalkError) -> UInt64 {
        let header: FDTHeader
        do {
            header = try FDTHeader(bytes: read(subtree.phys, FDTHeader.size))
        } catch {
            throw .subtreeBlob(name: subtree.name, phys: subtree.phys, reason: "\(error)")
        }
        guard header.magic == FDTHeader.magicValue else {
            throw .subtreeBlob(name: subtree.name, phys: subtree.phys,
                               reason: "\(generation.compatible) blobs are FDTs, but the magic is \(hex(header.magic))")
        }
        return UInt64(header.totalSize)
    }
}

/// The result of a ``HandoverWalker`` walk.
public struct HandoverWalk: Hashable, Sendable {
    /// The generation the root FDT's `compatible` names.
    public var generation: ABIGeneration
    /// The root FDT's `preserved-memory-map`.
    public var trackerRoot: UInt64
    /// Every preserved block, sorted by physical address, then order.
    public var preserved: [PreservedBlock]
    /// The subtrees in FDT order (newest first), each with its size (nil
    /// for a kho-v1/v2 blob that is not a readable FDT).
    public var subtrees: [KHOSubtree]
    /// Why a subtree has no size: each is a ``HandoverWalkError/subtreeBlob(name:phys:reason:)``.
    public var subtreeProblems: [HandoverWalkError] = []

    public init(generation: ABIGeneration, trackerRoot: UInt64, preserved: [PreservedBlock], subtrees: [KHOSubtree]) {
        self.generation = generation
        self.trackerRoot = trackerRoot
        self.preserved = preserved
        self.subtrees = subtrees
    }

    /// The `kexec-metadata` this handover carries (7.1+), read through
    /// `read` as the next kernel's `kho_in_kexec_metadata` reads it: nil when
    /// there is none, or when it is too short or of another version (the
    /// kernel warns and ignores it).
    public func kexecMetadata(read: MemoryReader) -> KexecMetadata? {
        guard let subtree = subtrees.first(where: { $0.name == KexecMetadata.subtreeName }) else { return nil }
        return KexecMetadata.read(phys: subtree.phys, size: subtree.size, through: read)
    }

    /// The test module subtrees this handover carries (`kho_test`, or the
    /// 7.2-era `kho_test0` … `kho_test3`), in FDT order, each decoded as
    /// `kho_test_restore` decodes it; one that does not decode is left out.
    public func testModuleFDTs(read: MemoryReader) -> [KHOTestFDT.Summary] {
        subtrees.compactMap { subtree in
            guard KHOTestSubtree(name: subtree.name) != nil, let size = subtree.size,
                  let blob = try? read(subtree.phys, Int(min(size, UInt64(Int32.max)))) else { return nil }
            return KHOTestFDT.summary(subtree: subtree.name, blob: blob)
        }
    }

    /// The KHO page metadata a kernel of this generation writes when it boots
    /// from this handover: what its restores check.
    public func heads(_ geometry: PageGeometry) -> PreservedHeads {
        PreservedHeads(tracker: preserved, geometry: geometry, abi: generation, maxPageOrder: geometry.maxPageOrder)
    }
}

/// Why a handover could not be walked.
public enum HandoverWalkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The root FDT is malformed or names no known generation.
    case rootFDT(FDTError)
    /// The preserved-memory tracker at `root` could not be walked.
    case tracker(generation: ABIGeneration, root: UInt64, reason: String)
    /// A kho-v1/v2 subtree's blob is unreadable or not an FDT.
    case subtreeBlob(name: String, phys: UInt64, reason: String)
    /// The tracker cannot be walked with `pageSize`-byte pages but walks
    /// with `readsWith`-byte pages: the capture's page size was given wrong.
    indirect case otherPageSize(HandoverWalkError, pageSize: Int, readsWith: Int)

    public var description: String {
        switch self {
        case .rootFDT(let error):
            return "root FDT: \(error)"
        case let .tracker(generation, root, reason):
            return "\(generation.compatible) tracker at \(hex(root)): \(reason)"
        case let .subtreeBlob(name, phys, reason):
            return "subtree \(name) blob at \(hex(phys)): \(reason)"
        case let .otherPageSize(error, pageSize, readsWith):
            return "\(error) with \(pageSize)-byte pages; this capture reads with --page-size \(readsWith)"
        }
    }
}
