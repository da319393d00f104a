/// The sub-FDT of the kernel's KHO test module (`lib/test_kho.c`), registered
/// as subtree `kho_test`.
///
/// Layout: root `compatible` = `kho-test-v1`, `magic` = native u32
/// 0x4B484F21; node `/data` with `nr_folios` (u32), `csum` (u32, the
/// `csum_partial` of all folio data in array order) and `folios_info`.
public struct KHOTestFDT: Hashable, Sendable {
    /// The subtree name the module registers.
    public static let subtreeName = "kho_test"
    public static let compatible = "kho-test-v1"
    /// "KHO!" as a native-endian u32.
    public static let magic: UInt32 = 0x4b48_4f21
    /// Path of the node holding the data properties.
    public static let dataPath = "/data"
    /// The name kholedger gives the vmalloc area holding the folio array.
    public static let foliosInfoAreaName = "kho_test/folios_info"

    /// Number of preserved folios.
    public var nrFolios: UInt32
    /// `csum_partial` over all folio data (see `InternetChecksum.partial`).
    public var csum: UInt32
    /// Where the folio list is.
    public var foliosInfo: KHOTestFoliosInfo

    public init(nrFolios: UInt32, csum: UInt32, foliosInfo: KHOTestFoliosInfo) {
        self.nrFolios = nrFolios
        self.csum = csum
        self.foliosInfo = foliosInfo
    }

    /// Decodes the module's FDT; `format` says how `folios_info` is laid out
    /// (the bytes cannot tell: 16 bytes are also two array entries).
    public init(bytes: [UInt8], format: KHOTestFoliosInfo.Format) throws(FDTError) {
        try self.init(tree: FlattenedDeviceTree(bytes: bytes), format: format)
    }

    /// Decodes with the module's checks: compatible, magic, and exact lengths.
    public init(tree: FlattenedDeviceTree, format: KHOTestFoliosInfo.Format) throws(FDTError) {
        _ = try tree.requiredCompatible(of: .root, path: "/", among: [Self.compatible])
        let magic = try tree.requiredInteger(UInt32.self, "magic", of: .root, path: "/")
        guard magic == Self.magic else {
            throw .invalidPropertyValue(node: "/", property: "magic", value: UInt64(magic))
        }
        let data = try tree.node(atPath: Self.dataPath)
        nrFolios = try tree.requiredInteger(UInt32.self, "nr_folios", of: data, path: Self.dataPath)
        csum = try tree.requiredInteger(UInt32.self, "csum", of: data, path: Self.dataPath)
        switch format {
        case .vmallocDescriptor:
            foliosInfo = .vmallocDescriptor(
                try tree.requiredProperty("folios_info", of: data, path: Self.dataPath, length: KHOTestFoliosInfo.descriptorSize))
        case .physOrderArray:
            let value = try tree.requiredProperty("folios_info", of: data, path: Self.dataPath, length: 8 * Int(nrFolios))
            foliosInfo = .physOrderArray((0 ..< Int(nrFolios)).map { value.loadLittleEndian(UInt64.self, at: 8 * $0) })
        }
    }

    /// Builds the FDT with the module's sequential writes: `compatible`,
    /// `magic`, then `/data` with `nr_folios`, `folios_info`, `csum` (the
    /// order of `kho_test_prepare_fdt`).
    /// Returns `totalsize` bytes.
    public func encode() throws(FDTError) -> [UInt8] {
        let foliosInfoBytes = try foliosInfo.propertyValue(nrFolios: nrFolios)
        return try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("compatible", string: Self.compatible)
            try writer.property("magic", .littleEndian(Self.magic))
            try writer.beginNode("data")
            try writer.property("nr_folios", .littleEndian(nrFolios))
            try writer.property("folios_info", foliosInfoBytes)
            try writer.property("csum", .littleEndian(csum))
            try writer.endNode()
            try writer.endNode()
        }.bytes
    }

    /// Offset of the `folios_info` value within `tree`: with the FDT's
    /// physical address it locates the embedded vmalloc descriptor.
    public static func foliosInfoOffset(in tree: FlattenedDeviceTree) throws(FDTError) -> Int {
        let data = try tree.node(atPath: dataPath)
        guard let property = try tree.properties(of: data).first(where: { $0.name == "folios_info" }) else {
            throw .missingProperty(node: dataPath, property: "folios_info")
        }
        return property.valueOffset
    }
}
