import CLibFDT

/// Builds a tree with libfdt's sequential-write calls, exactly as kernel code
/// does (`fdt_create`, `fdt_finish_reservemap`, `fdt_begin_node`,
/// `fdt_property`, `fdt_end_node`, `fdt_finish`).
///
/// libfdt keeps its state inside the buffer, so each call reopens the bytes
/// and no pointer outlives a call. A finished tree's bytes do not depend on
/// the buffer size, only on the calls: strings end up in reverse order of
/// first use, the reservation map at 0x30 and the structure block at 0x40.
public struct FDTSequentialWriter {
    private var buffer: [UInt8]

    /// `fdt_create` into a buffer of `capacity` bytes.
    public init(capacity: Int) throws(FDTError) {
        let length = try libFDTLength(capacity)
        buffer = [UInt8](repeating: 0, count: capacity)
        try call("fdt_create") { fdt_create($0, length) }
    }

    /// `fdt_finish_reservemap`: ends the (empty) memory-reservation map.
    public mutating func finishReservationMap() throws(FDTError) {
        try call("fdt_finish_reservemap") { fdt_finish_reservemap($0) }
    }

    /// `fdt_begin_node`: opens a child of the current node (the root is `""`).
    public mutating func beginNode(_ name: String) throws(FDTError) {
        let name = try LibFDTName(name)
        try call("fdt_begin_node") { fdt in name.withPointer { fdt_begin_node(fdt, $0) } }
    }

    /// `fdt_property`: appends a property with the raw `value` bytes.
    public mutating func property(_ name: String, _ value: [UInt8]) throws(FDTError) {
        let name = try LibFDTName(name)
        guard let length = Int32(exactly: value.count) else { throw .invalidCapacity(value.count) }
        try call("fdt_property") { fdt in
            name.withPointer { cName in
                value.withUnsafeBytes { fdt_property(fdt, cName, $0.baseAddress, length) }
            }
        }
    }

    /// `fdt_property_string`: appends a string property including its NUL.
    public mutating func property(_ name: String, string: String) throws(FDTError) {
        try property(name, Array(string.utf8) + [0])
    }

    /// `fdt_end_node`: closes the current node.
    public mutating func endNode() throws(FDTError) {
        try call("fdt_end_node") { fdt_end_node($0) }
    }

    /// `fdt_finish`: completes the tree and returns it (`totalsize` bytes).
    public consuming func finish() throws(FDTError) -> FlattenedDeviceTree {
        try FlattenedDeviceTree(bytes: finishBuffer())
    }

    /// `fdt_finish`, returning the whole buffer: the tree, then free space
    /// holding what the sequential writes left behind (their strings block
    /// grew down from the end of the buffer and `fdt_finish` copies it, so
    /// the last bytes keep the names in reverse order of first use).
    public consuming func finishBuffer() throws(FDTError) -> [UInt8] {
        try call("fdt_finish") { fdt_finish($0) }
        return buffer
    }

    /// Creates a writer, finishes the (empty) reservation map, lets `body`
    /// add the nodes and finishes the tree. Retries with a doubled buffer
    /// while libfdt runs out of space, which is safe because the finished
    /// bytes do not depend on the buffer size.
    public static func build(
        initialCapacity: Int = 4096,
        _ body: (inout FDTSequentialWriter) throws(FDTError) -> Void
    ) throws(FDTError) -> FlattenedDeviceTree {
        var capacity = initialCapacity
        while true {
            do {
                var writer = try FDTSequentialWriter(capacity: capacity)
                try writer.finishReservationMap()
                try body(&writer)
                return try writer.finish()
            } catch .libfdt(_, let code) where code == -FDT_ERR_NOSPACE && capacity <= Int(Int32.max) / 2 {
                capacity *= 2
            }
        }
    }

    /// Runs one libfdt call on the buffer; the pointer must not escape.
    private mutating func call(_ operation: String, _ body: (UnsafeMutableRawPointer) -> Int32) throws(FDTError) {
        let code = buffer.withUnsafeMutableBytes { body($0.baseAddress!) }
        try checkLibFDT(code, operation)
    }
}
