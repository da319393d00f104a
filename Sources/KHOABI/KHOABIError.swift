/// Why a KHO structure could not be encoded or decoded.
///
/// Every case carries the offending value so that a user can find it in the
/// capture or image it came from.
public enum KHOABIError: Error, Equatable, CustomStringConvertible {
    /// The page size is not 4 KiB, 16 KiB or 64 KiB.
    case unsupportedPageSize(Int)
    /// A buffer is shorter (or longer) than the structure requires.
    case wrongLength(structure: String, expected: Int, actual: Int)
    /// A physical-address field has bits set below its required alignment.
    case misalignedAddress(field: String, address: UInt64, alignment: UInt64)
    /// A vmalloc area or descriptor carries flags outside ALLOC | HUGE_VMAP.
    case unsupportedVmallocFlags(UInt16)
    /// A page order is above what the page geometry allows.
    case orderTooLarge(order: Int, maximum: Int)
    /// A radix-tracker key has no order bit, or one above the order-0 position.
    case invalidRadixKey(UInt64)
    /// A radix node page appears twice in one walk (the tree has a cycle or shares nodes).
    case radixNodeRevisited(phys: UInt64, level: Int)
    /// A chunk list visits the same page twice.
    case chunkListCycle(structure: String, index: Int, phys: UInt64)
    /// A bitmap-tracker chunk claims more bitmaps than fit in a page.
    case bitmapCountTooLarge(chunkPhys: UInt64, count: UInt32, capacity: Int)
    /// A page range is empty or runs past the end of the physical address space.
    case invalidPageRange(pfn: UInt64, count: UInt64)
    /// A consumer structure holds a value the ABI does not allow.
    case invalidField(structure: String, field: String, value: UInt64)

    public var description: String {
        switch self {
        case .unsupportedPageSize(let size):
            return "unsupported page size \(size): KHO layouts exist for 4096, 16384 and 65536"
        case let .wrongLength(structure, expected, actual):
            return "\(structure): expected \(expected) bytes, got \(actual)"
        case let .misalignedAddress(field, address, alignment):
            return "\(field) \(hex(address)) is not aligned to \(hex(alignment))"
        case .unsupportedVmallocFlags(let flags):
            return "vmalloc flags \(hex(UInt64(flags))) include bits outside ALLOC (0x1) | HUGE_VMAP (0x2)"
        case let .orderTooLarge(order, maximum):
            return "order \(order) is above the maximum \(maximum)"
        case .invalidRadixKey(let key):
            return "radix key \(hex(key)) does not encode a valid order"
        case let .radixNodeRevisited(phys, level):
            return "radix node \(hex(phys)) at level \(level) was already visited (cycle or shared node)"
        case let .chunkListCycle(structure, index, phys):
            return "\(structure) chunk \(index) at \(hex(phys)) was already visited (cycle)"
        case let .bitmapCountTooLarge(chunkPhys, count, capacity):
            return "bitmap chunk \(hex(chunkPhys)) lists \(count) bitmaps, capacity is \(capacity)"
        case let .invalidPageRange(pfn, count):
            return "page range of \(count) pages at pfn \(hex(pfn)) is empty or overflows"
        case let .invalidField(structure, field, value):
            return "\(structure).\(field) has invalid value \(hex(value))"
        }
    }
}

/// Formats a value as a `0x…` lowercase hexadecimal string.
public func hex<T: BinaryInteger>(_ value: T) -> String {
    "0x" + String(value, radix: 16)
}

/// Reads a `0x…` hexadecimal string of 1 to 16 digits (as ``hex(_:)``
/// writes addresses); nil for anything else.
public func parseHexAddress(_ text: some StringProtocol) -> UInt64? {
    guard text.hasPrefix("0x"), (3 ... 18).contains(text.count) else { return nil }
    return UInt64(text.dropFirst(2), radix: 16)
}

/// Reads a `0x…` hexadecimal or a decimal unsigned integer (how arguments
/// and addresses are written on the command line and in the ledger); nil
/// for anything else.
public func parseHexOrDecimal(_ text: some StringProtocol) -> UInt64? {
    text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
}

/// Formats bytes as lower-case hexadecimal digits, two per byte, no prefix
/// or separator (how SHA-256 digests and raw bytes are printed).
public func hexDigits(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
    return String(decoding: text, as: UTF8.self)
}
