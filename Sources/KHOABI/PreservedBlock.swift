/// One entry of the preserved-memory tracker: `2^order` contiguous pages
/// starting at `phys`, naturally aligned.
public struct PreservedBlock: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Physical address of the first page.
    public var phys: UInt64
    /// log2 of the number of pages.
    public var order: Int

    public init(phys: UInt64, order: Int) {
        self.phys = phys
        self.order = order
    }

    /// Orders by physical address, then order (the order of `walk.txt`).
    public static func < (a: PreservedBlock, b: PreservedBlock) -> Bool {
        (a.phys, a.order) < (b.phys, b.order)
    }

    /// `0x<phys> <order>`, the line format of a tracker walk.
    public var description: String { "\(hex(phys)) \(order)" }
}
