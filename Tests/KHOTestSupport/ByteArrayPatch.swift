extension Array where Element == UInt8 {
    /// Overwrites a little-endian integer at `offset` (a header field of a test file).
    public mutating func patch<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        Swift.withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { self[offset + i] = byte }
        }
    }
}
