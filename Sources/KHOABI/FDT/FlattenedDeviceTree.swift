import CLibFDT

/// A validated flattened device tree (FDT / DTB), read through libfdt.
///
/// The initializer checks the header and walks the whole structure block
/// with `fdt_check_full`, so malformed input is rejected with a typed error
/// instead of crashing a later lookup. The stored bytes are exactly the
/// header's `totalsize`.
public struct FlattenedDeviceTree: Hashable, Sendable {
    /// The tree's bytes, `header.totalSize` long.
    public let bytes: [UInt8]
    /// The decoded header.
    public let header: FDTHeader

    /// Validates `buffer` (which may extend past `totalsize`) and keeps the tree.
    public init(bytes buffer: [UInt8]) throws(FDTError) {
        let header = try FDTHeader(bytes: buffer)
        guard header.magic == FDTHeader.magicValue else { throw .badMagic(header.magic) }
        guard header.version >= FDTHeader.minimumVersion else {
            throw .unsupportedVersion(version: header.version, lastCompatibleVersion: header.lastCompatibleVersion)
        }
        guard Int(header.totalSize) <= buffer.count else {
            throw .totalSizeExceedsBuffer(totalSize: header.totalSize, bufferSize: buffer.count)
        }
        let code = buffer.withUnsafeBytes { fdt_check_full($0.baseAddress, $0.count) }
        if code == -FDT_ERR_BADVERSION {
            throw .unsupportedVersion(version: header.version, lastCompatibleVersion: header.lastCompatibleVersion)
        }
        try checkLibFDT(code, "fdt_check_full")
        self.bytes = Array(buffer.prefix(Int(header.totalSize)))
        self.header = header
    }

    /// The root node.
    public var root: FDTNode { .root }

    /// The direct subnodes of `node`, in the order the tree stores them.
    public func subnodes(of node: FDTNode) throws(FDTError) -> [FDTNode] {
        try withTree { fdt throws(FDTError) in
            var nodes: [FDTNode] = []
            var offset = fdt_first_subnode(fdt, node.offset)
            while offset >= 0 {
                nodes.append(FDTNode(name: try Self.name(fdt, offset), offset: offset))
                offset = fdt_next_subnode(fdt, offset)
            }
            guard offset == -FDT_ERR_NOTFOUND else {
                throw .libfdt(operation: "fdt_next_subnode", code: offset)
            }
            return nodes
        }
    }

    /// The subnode of `parent` called `name`, or `nil` when there is none.
    ///
    /// libfdt matching: a name without `@` also matches `name@unit`.
    public func subnode(named name: String, of parent: FDTNode) throws(FDTError) -> FDTNode? {
        try withTree { fdt throws(FDTError) in
            let offset = try LibFDTName(name).withPointer { fdt_subnode_offset(fdt, parent.offset, $0) }
            if offset == -FDT_ERR_NOTFOUND { return nil }
            try checkLibFDT(offset, "fdt_subnode_offset")
            return FDTNode(name: try Self.name(fdt, offset), offset: offset)
        }
    }

    /// The node at an absolute `path` such as `/data`.
    public func node(atPath path: String) throws(FDTError) -> FDTNode {
        try withTree { fdt throws(FDTError) in
            let offset = try LibFDTName(path).withPointer { fdt_path_offset(fdt, $0) }
            if offset == -FDT_ERR_NOTFOUND || offset == -FDT_ERR_BADPATH { throw .nodeNotFound(path: path) }
            try checkLibFDT(offset, "fdt_path_offset")
            return FDTNode(name: try Self.name(fdt, offset), offset: offset)
        }
    }

    /// The value of property `name` of `node`, or `nil` when the node lacks it.
    public func property(named name: String, of node: FDTNode) throws(FDTError) -> [UInt8]? {
        try withTree { fdt throws(FDTError) in
            var length: Int32 = 0
            let value = try LibFDTName(name).withPointer { fdt_getprop(fdt, node.offset, $0, &length) }
            guard let value else {
                if length == -FDT_ERR_NOTFOUND { return nil }
                throw .libfdt(operation: "fdt_getprop", code: length)
            }
            return Array(UnsafeRawBufferPointer(start: value, count: Int(length)))
        }
    }

    /// Every property of `node`, in stored order, with value offsets.
    public func properties(of node: FDTNode) throws(FDTError) -> [FDTProperty] {
        try withTree { fdt throws(FDTError) in
            var properties: [FDTProperty] = []
            var offset = fdt_first_property_offset(fdt, node.offset)
            while offset >= 0 {
                var namePointer: UnsafePointer<CChar>?
                var length: Int32 = 0
                guard let value = fdt_getprop_by_offset(fdt, offset, &namePointer, &length), let namePointer else {
                    throw .libfdt(operation: "fdt_getprop_by_offset", code: length)
                }
                properties.append(FDTProperty(
                    name: String(cString: namePointer),
                    value: Array(UnsafeRawBufferPointer(start: value, count: Int(length))),
                    valueOffset: fdt.distance(to: value)))
                offset = fdt_next_property_offset(fdt, offset)
            }
            guard offset == -FDT_ERR_NOTFOUND else {
                throw .libfdt(operation: "fdt_next_property_offset", code: offset)
            }
            return properties
        }
    }

    /// Runs `body` with a pointer to the bytes; the pointer must not escape.
    private func withTree<R>(_ body: (UnsafeRawPointer) throws(FDTError) -> R) throws(FDTError) -> R {
        let result: Result<R, FDTError> = bytes.withUnsafeBytes { raw in
            // `bytes` holds at least a header, so the base address exists.
            Result { () throws(FDTError) in try body(raw.baseAddress!) }
        }
        return try result.get()
    }

    /// The name of the node at `offset`: UTF-8, else an error naming where
    /// the name starts in the FDT.
    private static func name(_ fdt: UnsafeRawPointer, _ offset: Int32) throws(FDTError) -> String {
        let (bytes, start) = try nameBytes(fdt, offset)
        if let invalid = firstInvalidUTF8(bytes) {
            throw .invalidNodeName(offset: start, reason: "byte \(hex(bytes[invalid])) at byte \(start + invalid) is not UTF-8")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of the name of the node at `offset`, and where they start in the FDT.
    private static func nameBytes(_ fdt: UnsafeRawPointer, _ offset: Int32) throws(FDTError) -> (UnsafeRawBufferPointer, Int) {
        var length: Int32 = 0
        guard let name = fdt_get_name(fdt, offset, &length) else {
            throw .libfdt(operation: "fdt_get_name", code: length)
        }
        return (UnsafeRawBufferPointer(start: name, count: Int(length)), UnsafeRawPointer(name) - fdt)
    }

    /// Throws for the first subnode of `node` whose name is longer than
    /// ``KHONameLimit``, naming where the name starts in the FDT: a capture
    /// is held to the limit (the kernel's own trees are not).
    public func requireSubnodeNamesWithinLimit(of node: FDTNode) throws(FDTError) {
        try withTree { fdt throws(FDTError) in
            for child in try subnodes(of: node) {
                let (bytes, start) = try Self.nameBytes(fdt, child.offset)
                if let excess = KHONameLimit.excess(bytes.count) { throw .invalidNodeName(offset: start, reason: excess) }
            }
        }
    }
}
