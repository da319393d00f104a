/// A list of preserved blocks kept in 9 bytes a block (address and order
/// apart) instead of 16: a guest handover's tracker walk is millions of them.
public struct BlockList: RandomAccessCollection, Sendable, Equatable {
    private var addresses: [UInt64] = []
    private var orders: [UInt8] = []
    /// Orders too large for a byte, by index (a damaged tracker may name any).
    private var largeOrders: [Int: Int] = [:]

    /// An empty list.
    public init() {}

    /// The list of `blocks`, in order.
    public init(_ blocks: some Sequence<PreservedBlock>) {
        for block in blocks { append(block) }
    }

    /// Adds `block` at the end.
    public mutating func append(_ block: PreservedBlock) {
        if (0..<Int(UInt8.max)).contains(block.order) {
            orders.append(UInt8(block.order))
        } else {
            largeOrders[addresses.count] = block.order
            orders.append(UInt8.max)
        }
        addresses.append(block.phys)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { addresses.count }

    public subscript(position: Int) -> PreservedBlock {
        let order = orders[position]
        return PreservedBlock(phys: addresses[position], order: order == UInt8.max ? largeOrders[position]! : Int(order))
    }
}
