import KHOABI

/// Why a memory image could not be opened or read.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// A read touches an address no segment of the image maps.
    case unmapped(address: UInt64, count: Int)

    public var description: String {
        switch self {
        case let .unmapped(address, count):
            return "address \(hex(address)) (\(count) bytes) is not in the image"
        }
    }
}
