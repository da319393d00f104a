/// The Live Update Orchestrator's subtree `LUO` in its FDT form (`luo-v1`,
/// 6.19 – 7.1).
///
/// Layout: root `compatible` = `luo-v1`, `liveupdate-number` (raw
/// little-endian u64); child `luo-session` with `compatible` =
/// `luo-session-v1` and `luo-session-header` (raw little-endian u64: the
/// physical address of the `LUOSessionHeaderSer` block); from 7.0 also
/// child `luo-flb` with `compatible` = `luo-flb-v1` and `luo-flb-header`
/// (the physical address of the `LUOFLBHeaderSer` block). Other children
/// are ignored.
public struct LUOFDT: Hashable, Sendable {
    /// The subtree name LUO registers.
    public static let subtreeName = "LUO"
    public static let compatible = "luo-v1"
    /// Name of the session child node.
    public static let sessionNodeName = "luo-session"
    public static let sessionCompatible = "luo-session-v1"
    /// Name of the FLB child node (7.0 on).
    public static let flbNodeName = "luo-flb"
    public static let flbCompatible = "luo-flb-v1"

    /// How many live updates this chain has gone through.
    public var liveupdateNumber: UInt64
    /// Physical address of the session header block.
    public var sessionHeaderPhys: UInt64
    /// Physical address of the FLB header block; nil when there is no
    /// `luo-flb` child (6.19).
    public var flbHeaderPhys: UInt64?

    public init(liveupdateNumber: UInt64, sessionHeaderPhys: UInt64, flbHeaderPhys: UInt64? = nil) {
        self.liveupdateNumber = liveupdateNumber
        self.sessionHeaderPhys = sessionHeaderPhys
        self.flbHeaderPhys = flbHeaderPhys
    }

    public init(bytes: [UInt8]) throws(FDTError) {
        try self.init(tree: FlattenedDeviceTree(bytes: bytes))
    }

    public init(tree: FlattenedDeviceTree) throws(FDTError) {
        _ = try tree.requiredCompatible(of: .root, path: "/", among: [Self.compatible])
        liveupdateNumber = try tree.requiredInteger(UInt64.self, "liveupdate-number", of: .root, path: "/")
        let path = "/" + Self.sessionNodeName
        let session = try tree.node(atPath: path)
        _ = try tree.requiredCompatible(of: session, path: path, among: [Self.sessionCompatible])
        sessionHeaderPhys = try tree.requiredInteger(UInt64.self, "luo-session-header", of: session, path: path)
        let flbPath = "/" + Self.flbNodeName
        if let flb = try tree.subnodes(of: .root).first(where: { $0.name == Self.flbNodeName }) {
            _ = try tree.requiredCompatible(of: flb, path: flbPath, among: [Self.flbCompatible])
            flbHeaderPhys = try tree.requiredInteger(UInt64.self, "luo-flb-header", of: flb, path: flbPath)
        } else {
            flbHeaderPhys = nil
        }
    }

    /// Builds the FDT with LUO's sequential writes; returns `totalsize` bytes.
    public func encode() throws(FDTError) -> [UInt8] {
        try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("compatible", string: Self.compatible)
            try writer.property("liveupdate-number", .littleEndian(liveupdateNumber))
            try writer.beginNode(Self.sessionNodeName)
            try writer.property("compatible", string: Self.sessionCompatible)
            try writer.property("luo-session-header", .littleEndian(sessionHeaderPhys))
            try writer.endNode()
            if let flbHeaderPhys {
                try writer.beginNode(Self.flbNodeName)
                try writer.property("compatible", string: Self.flbCompatible)
                try writer.property("luo-flb-header", .littleEndian(flbHeaderPhys))
                try writer.endNode()
            }
            try writer.endNode()
        }.bytes
    }
}
