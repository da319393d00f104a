import KHOABI

/// A vmalloc area of a capture to import: a name and where its 16-byte
/// `kho_vmalloc` descriptor lives.
public struct NamedArea: Hashable, Sendable {
    /// Why the area is imported.
    public enum Origin: Hashable, Sendable, CustomStringConvertible {
        /// The user named it (`--vmalloc NAME=0x…`).
        case named
        /// An export's manifest names it (`--manifest FILE`).
        case manifest
        /// A consumer format in the capture points to it: `kho_test` or `memfd`.
        case consumer(String)

        /// `named`, or the consumer's name.
        public var description: String {
            switch self {
            case .named: return "named"
            case .manifest: return "manifest"
            case .consumer(let consumer): return consumer
            }
        }
    }

    /// The area's name in the ledger.
    public var name: String
    /// Physical address of the descriptor (need not be aligned: kho-v1 keeps
    /// descriptors in FDT properties).
    public var descriptorPhys: UInt64
    public var origin: Origin

    public init(name: String, descriptorPhys: UInt64, origin: Origin = .named) {
        self.name = name
        self.descriptorPhys = descriptorPhys
        self.origin = origin
    }
}
