/// The `folios_info` property of the KHO test module's FDT.
public enum KHOTestFoliosInfo: Hashable, Sendable {
    /// 6.16 / 6.17: the array itself, one `phys | order` entry per folio.
    case physOrderArray([UInt64])
    /// 6.18+: the 16 raw bytes of the `struct kho_vmalloc` describing a
    /// vmalloc'ed array of the same `phys | order` entries.
    case vmallocDescriptor([UInt8])

    /// Bytes of a `struct kho_vmalloc`.
    public static let descriptorSize = 16

    /// Which layout a kernel writes.
    public enum Format: Hashable, Sendable {
        case physOrderArray
        case vmallocDescriptor

        /// v1a (6.16/6.17) writes the array; later kernels the descriptor.
        public init(generation: ABIGeneration) {
            self = generation == .v1a ? .physOrderArray : .vmallocDescriptor
        }
    }

    /// The property bytes; an array must have `nrFolios` entries.
    func propertyValue(nrFolios: UInt32) throws(FDTError) -> [UInt8] {
        switch self {
        case .physOrderArray(let entries):
            guard entries.count == Int(nrFolios) else {
                throw .wrongPropertyLength(node: KHOTestFDT.dataPath, property: "folios_info",
                                           expected: 8 * Int(nrFolios), actual: 8 * entries.count)
            }
            var bytes: [UInt8] = []
            for entry in entries { bytes.appendLittleEndian(entry) }
            return bytes
        case .vmallocDescriptor(let bytes):
            guard bytes.count == Self.descriptorSize else {
                throw .wrongPropertyLength(node: KHOTestFDT.dataPath, property: "folios_info",
                                           expected: Self.descriptorSize, actual: bytes.count)
            }
            return bytes
        }
    }
}
