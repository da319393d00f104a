/// One subtree registered with `kho_add_subtree`: a named subnode of the
/// root FDT pointing at a preserved blob.
public struct KHOSubtree: Hashable, Sendable, CustomStringConvertible {
    /// The subnode name (unique among the root's subnodes).
    public var name: String
    /// Physical address of the blob (`fdt` in kho-v1, `preserved-data` later).
    public var phys: UInt64
    /// The blob's length (`blob-size`, kho-v3 and later); `nil` before kho-v3.
    public var size: UInt64?

    public init(name: String, phys: UInt64, size: UInt64? = nil) {
        self.name = name
        self.phys = phys
        self.size = size
    }

    /// `subtree <name> 0x<phys> <size>` as in the reference vectors' walk.txt.
    public var description: String {
        "subtree \(name) \(hex(phys))" + (size.map { " \($0)" } ?? "")
    }
}
