import CLibFDT

/// The outgoing root FDT page as the kernel maintains it (6.19 and later):
/// created once with sequential writes, then edited in place by
/// `kho_add_subtree` and `kho_remove_subtree`, each of which reopens the
/// tree into the page and packs it again.
///
/// The page is kept whole, byte for byte as libfdt leaves it: past
/// `totalsize` it still holds `fdt_create`'s strings residue
/// (`preserved-memory-map\0compatible\0` in the last 32 bytes) until the
/// tree grows over it.
///
/// Errors follow the ABI's kernel: 7.1+ (kho-v3 on) removes the node of a
/// failed add; the kho-v2 code leaves it empty (``ABIGeneration/subtreeAddFailure``).
public struct KHORootFDTPage: Hashable, Sendable {
    public let generation: ABIGeneration
    /// The page's size: the only space the tree may grow into.
    public let pageSize: Int
    /// The whole page as the kernel holds it.
    public private(set) var page: [UInt8]
    /// The current tree (the first `totalsize` bytes of ``page``).
    public private(set) var tree: FlattenedDeviceTree

    /// Creates the root as the kernel does at init: root node `""` with
    /// `compatible` then `preserved-memory-map`, finished but not packed.
    public init(generation: ABIGeneration, preservedMemoryMap: UInt64, pageSize: Int) throws(FDTError) {
        var writer = try FDTSequentialWriter(capacity: pageSize)
        try writer.finishReservationMap()
        try writer.beginNode("")
        try writer.property("compatible", string: generation.compatible)
        try writer.property(KHORootFDT.preservedMemoryMapProperty, .littleEndian(preservedMemoryMap))
        try writer.endNode()
        self.generation = generation
        self.pageSize = pageSize
        self.page = try writer.finishBuffer()
        self.tree = try FlattenedDeviceTree(bytes: page)
    }

    /// The root as 6.16 – 6.18 write it at finalize, in one sequential-write
    /// pass: root node `""`, `compatible`, `preserved-memory-map`, then one
    /// subnode per subtree in call order (oldest first), each with its `fdt`
    /// property. A failing call throws its libfdt code (the kernel ORs the
    /// codes of its calls together and aborts the finalize).
    public init(finalizing generation: ABIGeneration, preservedMemoryMap: UInt64, subtrees: [KHOSubtree],
                pageSize: Int) throws(FDTError) {
        var writer = try FDTSequentialWriter(capacity: pageSize)
        try writer.finishReservationMap()
        try writer.beginNode("")
        try writer.property("compatible", string: generation.compatible)
        try writer.property(KHORootFDT.preservedMemoryMapProperty, .littleEndian(preservedMemoryMap))
        for subtree in subtrees {
            try writer.beginNode(subtree.name)
            try writer.property(generation.subtreeAddressProperty, .littleEndian(subtree.phys))
            try writer.endNode()
        }
        try writer.endNode()
        self.generation = generation
        self.pageSize = pageSize
        self.page = try writer.finishBuffer()
        self.tree = try FlattenedDeviceTree(bytes: page)
    }

    /// A kho-v1 finalize (6.19, 7.0): writes the first chunk's address over
    /// the 8-byte `preserved-memory-map` in place; nothing moves.
    public mutating func setPreservedMemoryMap(_ phys: UInt64) throws(FDTError) {
        var editor = try FDTEditor(inPlace: page)
        try editor.setPropertyInPlace(KHORootFDT.preservedMemoryMapProperty, to: .littleEndian(phys), of: .root)
        try adopt(editor)
    }

    /// The page's contents as values.
    public func decoded() throws(FDTError) -> KHORootFDT {
        try KHORootFDT(tree: tree, bitmapVariant: generation.bitmapVariant ?? .v1b)
    }

    /// `kho_add_subtree`: reopen, add subnode `subtree.name` (it becomes the
    /// first subnode), set the address property, then (kho-v3+) `blob-size`,
    /// pack.
    ///
    /// Throws `duplicateSubtree` (-EEXIST) when the name exists (libfdt
    /// matching: `name` also matches `name@unit`) and `rootPageFull` (-ENOMEM)
    /// when the page has no room for the node. When the node fits but a
    /// property does not, 7.1+ code deletes the node again (`rootPageFull`,
    /// -ENOMEM), while 6.19, 7.0 and kho-v2 code keep the empty node and
    /// return libfdt's raw code (`emptySubtreeLeft`). The page is repacked
    /// either way, as the kernel leaves it.
    public mutating func addSubtree(_ subtree: KHOSubtree) throws(FDTError) {
        if generation.hasBlobSize, subtree.size == nil {
            throw .missingBlobSize(subtree: subtree.name, generation: generation)
        }
        if !generation.hasBlobSize, subtree.size != nil {
            throw .unexpectedBlobSize(subtree: subtree.name, generation: generation)
        }
        var editor = try reopen(for: subtree.name)
        var failure: FDTError?
        do throws(FDTError) {
            let node = try editor.addSubnode(named: subtree.name, to: .root)
            do throws(FDTError) {
                try editor.setProperty(generation.subtreeAddressProperty, to: .littleEndian(subtree.phys), of: node)
                if let size = subtree.size {
                    try editor.setProperty(KHORootFDT.blobSizeProperty, to: .littleEndian(size), of: node)
                }
            } catch {
                switch (generation.subtreeAddFailure, error) {
                case (.leavesEmptyNode, .libfdt(_, let code)):
                    failure = .emptySubtreeLeft(subtree: subtree.name, code: code)
                default:
                    failure = error
                    try editor.deleteNode(node)
                }
            }
        } catch {
            failure = error
        }
        try editor.pack()
        try adopt(editor)
        if let failure { throw kernelError(failure, subtree: subtree.name) }
    }

    /// `kho_remove_subtree`: reopen, delete the first subnode whose address
    /// property is 8 bytes equal to `phys`, pack. Returns the removed
    /// subtree, or `nil` when none matched (the tree is still repacked, as
    /// the kernel does; names stay in the strings block).
    @discardableResult
    public mutating func removeSubtree(phys: UInt64) throws(FDTError) -> KHOSubtree? {
        var editor = try reopen(for: hex(phys))
        let opened = try editor.tree()
        var removed: KHOSubtree?
        for node in try opened.subnodes(of: .root) {
            guard let address = try opened.property(named: generation.subtreeAddressProperty, of: node),
                  address.count == 8, address.loadLittleEndian(UInt64.self, at: 0) == phys
            else { continue }
            let size = try opened.property(named: KHORootFDT.blobSizeProperty, of: node)
                .flatMap { $0.count == 8 ? $0.loadLittleEndian(UInt64.self, at: 0) : nil }
            removed = KHOSubtree(name: node.name, phys: phys, size: generation.hasBlobSize ? size : nil)
            try editor.deleteNode(node)
            break
        }
        try editor.pack()
        try adopt(editor)
        return removed
    }

    /// Takes the edited page as the new state.
    private mutating func adopt(_ editor: FDTEditor) throws(FDTError) {
        page = editor.page
        tree = try editor.tree()
    }

    /// `fdt_open_into(root, root, PAGE_SIZE)`.
    private func reopen(for subtree: String) throws(FDTError) -> FDTEditor {
        do throws(FDTError) {
            return try FDTEditor(inPlace: page)
        } catch {
            throw kernelError(error, subtree: subtree)
        }
    }

    /// Maps libfdt's "exists" and "no space" to the kernel's -EEXIST / -ENOMEM.
    private func kernelError(_ error: FDTError, subtree: String) -> FDTError {
        switch error {
        case .libfdt(_, let code) where code == -FDT_ERR_EXISTS: return .duplicateSubtree(name: subtree)
        case .libfdt(_, let code) where code == -FDT_ERR_NOSPACE: return .rootPageFull(subtree: subtree, pageSize: pageSize)
        default: return error
        }
    }
}
