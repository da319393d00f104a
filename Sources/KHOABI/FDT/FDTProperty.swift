/// One property of a node, in the order the node stores them.
public struct FDTProperty: Hashable, Sendable {
    public let name: String
    /// The raw value bytes (FDT cells are big-endian, KHO's u64s little-endian).
    public let value: [UInt8]
    /// Byte offset of the value within the tree's bytes (for locating
    /// structures that live inside a property, such as a vmalloc descriptor).
    public let valueOffset: Int

    public init(name: String, value: [UInt8], valueOffset: Int) {
        self.name = name
        self.value = value
        self.valueOffset = valueOffset
    }
}
