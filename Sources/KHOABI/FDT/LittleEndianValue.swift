extension Array where Element == UInt8 {
    /// `value` as its native-endian (little-endian) bytes.
    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(value)
        return bytes
    }
}
