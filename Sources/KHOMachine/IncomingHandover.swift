import KHOABI

/// What the previous generation handed over, as this generation's early boot
/// found it: the root FDT, the tracker walk, and the KHO page metadata of
/// every preserved head page (``PreservedHeads``), which restores consume.
public struct IncomingHandover: Sendable {
    /// Physical address of the incoming root FDT page.
    public let fdtPhys: UInt64
    /// The incoming root FDT, checked only as far as the kernel's early boot
    /// checks it (header, compatible, `preserved-memory-map`); subnodes are
    /// checked one by one when retrieved.
    public let tree: FlattenedDeviceTree
    /// The ABI generation named by the compatible string.
    public let generation: ABIGeneration
    /// The tracker walk, in the kernel's order.
    public let preserved: BlockList
    /// The KHO metadata of preserved head pages; restores consume it.
    public internal(set) var heads: PreservedHeads

    /// True when the page at `pfn` still carries the KHO magic (not yet restored).
    public func hasMagic(pfn: UInt64) -> Bool { heads.storedOrder(pfn: pfn) != nil }

    /// Names of the incoming subnodes, in FDT order.
    public var subtreeNames: [String] { ((try? tree.subnodes(of: .root)) ?? []).map(\.name) }

    /// `kho_retrieve_subtree` after its "is this a KHO boot" check: finds the
    /// subnode (libfdt matching: a name without `@` also matches
    /// `name@unit`), then requires an 8-byte address property and, from
    /// kho-v3, an 8-byte `blob-size`.
    public func retrieve(_ name: String) throws(MachineError) -> (phys: UInt64, size: UInt64?) {
        let nodes = (try? tree.subnodes(of: .root)) ?? []
        guard let node = nodes.first(where: { $0.name == name || (!name.contains("@") && $0.name.hasPrefix(name + "@")) }) else {
            throw .kernel(.ENOENT, "no subtree \"\(name)\" in the incoming FDT")
        }
        func integer(_ property: String) throws(MachineError) -> UInt64 {
            guard let bytes = try? tree.property(named: property, of: node), bytes.count == 8 else {
                throw .kernel(.EINVAL, "subtree \"\(node.name)\": \(property) is missing or not 8 bytes")
            }
            return bytes.loadLittleEndian(UInt64.self, at: 0)
        }
        let phys = try integer(generation.subtreeAddressProperty)
        let size = generation.hasBlobSize ? try integer(KHORootFDT.blobSizeProperty) : nil
        return (phys, size)
    }
}
