import CLibFDT

/// Edits a tree in a fixed-size buffer with libfdt's read-write calls
/// (`fdt_open_into`, `fdt_add_subnode`, `fdt_setprop`, `fdt_setprop_inplace`,
/// `fdt_del_node`, `fdt_pack`), as the kernel edits its root FDT page.
///
/// libfdt inserts a new property first in its node and a new subnode right
/// after its parent's properties, so the call order decides the bytes.
public struct FDTEditor {
    private var buffer: [UInt8]

    /// `fdt_open_into`: copies `tree` into a buffer of `capacity` bytes,
    /// laying the blocks out for editing (free space at the end).
    public init(opening tree: FlattenedDeviceTree, capacity: Int) throws(FDTError) {
        let length = try libFDTLength(capacity)
        var buffer = [UInt8](repeating: 0, count: capacity)
        let code = tree.bytes.withUnsafeBytes { source in
            buffer.withUnsafeMutableBytes { fdt_open_into(source.baseAddress, $0.baseAddress, length) }
        }
        try checkLibFDT(code, "fdt_open_into")
        self.buffer = buffer
    }

    /// `fdt_open_into(page, page, page.count)`: reopens the tree at the start
    /// of `page` inside that same buffer, as the kernel reopens its root FDT
    /// page. Bytes libfdt does not move (such as `fdt_create`'s strings
    /// residue at the end of the page) stay as they are.
    public init(inPlace page: [UInt8]) throws(FDTError) {
        let length = try libFDTLength(page.count)
        var buffer = page
        let code = buffer.withUnsafeMutableBytes { fdt_open_into($0.baseAddress, $0.baseAddress, length) }
        try checkLibFDT(code, "fdt_open_into")
        self.buffer = buffer
    }

    /// The whole buffer: the tree and whatever lies after `totalsize`.
    public var page: [UInt8] { buffer }

    /// `fdt_add_subnode`: adds an empty child `name` to `parent` and returns it.
    public mutating func addSubnode(named name: String, to parent: FDTNode) throws(FDTError) -> FDTNode {
        let cName = try LibFDTName(name)
        let offset = try call("fdt_add_subnode") { fdt in
            cName.withPointer { fdt_add_subnode(fdt, parent.offset, $0) }
        }
        return FDTNode(name: name, offset: offset)
    }

    /// `fdt_setprop`: creates or replaces property `name` of `node`.
    public mutating func setProperty(_ name: String, to value: [UInt8], of node: FDTNode) throws(FDTError) {
        try setProperty(name, value, node, "fdt_setprop", fdt_setprop)
    }

    /// `fdt_setprop_inplace`: overwrites an existing property's value with
    /// one of the same length, moving nothing.
    public mutating func setPropertyInPlace(_ name: String, to value: [UInt8], of node: FDTNode) throws(FDTError) {
        try setProperty(name, value, node, "fdt_setprop_inplace", fdt_setprop_inplace)
    }

    /// `fdt_del_node`: removes `node` and everything below it. The strings
    /// block keeps the names its properties used.
    public mutating func deleteNode(_ node: FDTNode) throws(FDTError) {
        try call("fdt_del_node") { fdt_del_node($0, node.offset) }
    }

    /// `fdt_pack`: closes the gaps, leaving `totalsize` exact.
    public mutating func pack() throws(FDTError) {
        try call("fdt_pack") { fdt_pack($0) }
    }

    /// The current tree: the first `totalsize` bytes of the buffer, validated.
    public func tree() throws(FDTError) -> FlattenedDeviceTree {
        try FlattenedDeviceTree(bytes: buffer)
    }

    private typealias SetProperty = (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafeRawPointer?, Int32) -> Int32

    private mutating func setProperty(
        _ name: String, _ value: [UInt8], _ node: FDTNode, _ operation: String, _ function: SetProperty
    ) throws(FDTError) {
        let cName = try LibFDTName(name)
        guard let length = Int32(exactly: value.count) else { throw .invalidCapacity(value.count) }
        try call(operation) { fdt in
            cName.withPointer { pointer in
                value.withUnsafeBytes { function(fdt, node.offset, pointer, $0.baseAddress, length) }
            }
        }
    }

    /// Runs one libfdt call on the buffer; the pointer must not escape.
    @discardableResult
    private mutating func call(_ operation: String, _ body: (UnsafeMutableRawPointer) -> Int32) throws(FDTError) -> Int32 {
        let code = buffer.withUnsafeMutableBytes { body($0.baseAddress!) }
        try checkLibFDT(code, operation)
        return code
    }
}
