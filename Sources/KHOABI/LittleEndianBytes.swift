/// Little-endian integer access to byte buffers.
///
/// Every integer inside a KHO data structure (tracker nodes, vmalloc chunks,
/// descriptors, consumer structs, and even KHO's own FDT properties) is stored
/// in the CPU's native order, which is little-endian on every KHO target.
extension Collection where Element == UInt8, Index == Int {
    /// Reads a little-endian integer of type `T` starting at `offset`.
    ///
    /// The caller guarantees `offset + MemoryLayout<T>.size <= count`
    /// relative to `startIndex`.
    @inlinable
    public func loadLittleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        let base = startIndex + offset
        for i in stride(from: MemoryLayout<T>.size - 1, through: 0, by: -1) {
            value = (value << 8) | T(self[base + i])
        }
        return value
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` as `MemoryLayout<T>.size` little-endian bytes.
    @inlinable
    public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }

    /// Overwrites `MemoryLayout<T>.size` bytes at `offset` with `value`, little-endian.
    @inlinable
    public mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { raw in
            for (i, byte) in raw.enumerated() { self[offset + i] = byte }
        }
    }
}
