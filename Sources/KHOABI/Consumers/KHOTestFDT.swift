/// The sub-FDT of the kernel's KHO test module (`lib/test_kho.c`), registered
/// under one of the ``KHOTestSubtree`` names.
///
/// Layout: root `compatible` = `kho-test-v1`, `magic` = native u32 (the
/// subtree's: 0x4B484F21 for `kho_test`, 0x4B484F30 … 33 for `kho_test0` …
/// `kho_test3`); node `/data` with `nr_folios` (u32), `csum` (u32, the
/// `csum_partial` of all folio data in array order) and `folios_info`.
public struct KHOTestFDT: Hashable, Sendable {
    public static let compatible = "kho-test-v1"
    /// Path of the node holding the data properties.
    public static let dataPath = "/data"

    /// The root's `magic`.
    public var magic: UInt32
    /// Number of preserved folios.
    public var nrFolios: UInt32
    /// `csum_partial` over all folio data (see `InternetChecksum.partial`).
    public var csum: UInt32
    /// Where the folio list is.
    public var foliosInfo: KHOTestFoliosInfo

    public init(nrFolios: UInt32, csum: UInt32, foliosInfo: KHOTestFoliosInfo, magic: UInt32 = KHOTestSubtree.single.magic) {
        self.magic = magic
        self.nrFolios = nrFolios
        self.csum = csum
        self.foliosInfo = foliosInfo
    }

    /// Decodes the module's FDT; `format` says how `folios_info` is laid out
    /// (the bytes cannot tell: 16 bytes are also two array entries), and
    /// `subtree` the magic it must carry.
    public init(bytes: [UInt8], format: KHOTestFoliosInfo.Format, subtree: KHOTestSubtree = .single) throws(FDTError) {
        try self.init(tree: FlattenedDeviceTree(bytes: bytes), format: format, subtree: subtree)
    }

    /// Decodes with the module's checks: compatible, the subtree's magic,
    /// and exact lengths.
    public init(tree: FlattenedDeviceTree, format: KHOTestFoliosInfo.Format, subtree: KHOTestSubtree = .single) throws(FDTError) {
        _ = try tree.requiredCompatible(of: .root, path: "/", among: [Self.compatible])
        magic = try tree.requiredInteger(UInt32.self, "magic", of: .root, path: "/")
        guard magic == subtree.magic else {
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
            try writer.property("magic", .littleEndian(magic))
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

extension KHOTestFDT {
    /// What `walk` and `show` print of a test module subtree.
    public struct Summary: Hashable, Sendable, Codable {
        /// The subtree name (`kho_test`, `kho_test0` …).
        public var subtree: String
        /// The magic as ASCII ("KHO0").
        public var magic: String
        public var nrFolios: UInt32
        /// `csum`, in hex.
        public var csum: String
    }

    /// The summary of the test module blob of subtree `name`, decoded as
    /// `kho_test_restore` decodes it: nil unless the name is one a test
    /// module registers and the blob carries its magic. (The summary does
    /// not depend on the `folios_info` layout, so either is accepted.)
    public static func summary(subtree name: String, blob: [UInt8]) -> Summary? {
        guard let known = KHOTestSubtree(name: name) else { return nil }
        let fdt = (try? KHOTestFDT(bytes: blob, format: .vmallocDescriptor, subtree: known))
            ?? (try? KHOTestFDT(bytes: blob, format: .physOrderArray, subtree: known))
        return fdt.map { Summary(subtree: known.name, magic: known.magicText, nrFolios: $0.nrFolios, csum: hex($0.csum)) }
    }
}
