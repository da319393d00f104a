import KHOABI
import KHOLedger

/// Why a ``PageHistory`` could not be read.
public enum PageHistoryError: Error, Equatable, CustomStringConvertible {
    /// The point does not resolve, or the ledger cannot be read.
    case replay(ReplayError)
    /// The page lies outside the memory of the point's generation.
    case outsideMemory(page: PageAddress, phys: UInt64, generation: Int64, memory: GenerationMemory)
    /// `pfn:N` names a frame whose address does not fit in 64 bits.
    case frameOutOfRange(frame: UInt64, pageSize: Int)
    /// A stored copy of the page does not match its SHA-256.
    case memory(MemoryViewError)

    public var description: String {
        switch self {
        case .replay(let error): return error.description
        case let .outsideMemory(page, phys, generation, memory):
            let named = page == .address(phys) ? hex(phys) : "\(page) (\(hex(phys)))"
            return "\(named) is outside generation \(generation)'s memory [\(hex(memory.base)), \(hex(memory.base + memory.size)))"
        case let .frameOutOfRange(frame, pageSize):
            return "pfn:\(frame) is beyond any address: \(frame) × \(pageSize) bytes does not fit in 64 bits"
        case .memory(let error): return error.description
        }
    }
}

/// A physical page as the command line names it: by an address inside it,
/// or by its page frame number.
public enum PageAddress: Equatable, Sendable, CustomStringConvertible {
    /// Any address inside the page; it is rounded down to the page.
    case address(UInt64)
    /// The page frame number: the page at `frame × page size`.
    case frame(UInt64)

    /// The page's address with pages of `geometry`.
    func page(in geometry: PageGeometry) throws(PageHistoryError) -> UInt64 {
        switch self {
        case .address(let phys): return phys & ~UInt64(geometry.pageSize - 1)
        case .frame(let frame):
            guard frame <= UInt64.max >> UInt64(geometry.pageShift) else {
                throw .frameOutOfRange(frame: frame, pageSize: geometry.pageSize)
            }
            return frame << UInt64(geometry.pageShift)
        }
    }

    /// `0x…` or `pfn:N`.
    public var description: String {
        switch self {
        case .address(let phys): return hex(phys)
        case .frame(let frame): return "pfn:\(frame)"
        }
    }
}
