/// A node of a flattened device tree, as libfdt addresses it.
///
/// The offset is relative to the structure block and is only meaningful for
/// the tree (state) it was obtained from: editing a tree moves later nodes.
public struct FDTNode: Hashable, Sendable {
    /// The node name including any `@unit` suffix; the root's is empty.
    public let name: String
    /// libfdt's structure-block offset of the node.
    public let offset: Int32

    public init(name: String, offset: Int32) {
        self.name = name
        self.offset = offset
    }

    /// The root node of every tree.
    public static let root = FDTNode(name: "", offset: 0)
}
