/// True when every byte of `bytes` is zero; compares a word at a time.
public func isAllZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let words = bytes.count / 8
    for index in 0..<words where bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) != 0 { return false }
    return bytes[(words * 8)...].allSatisfy { $0 == 0 }
}

extension Array where Element == UInt8 {
    /// True when every byte is zero (an empty array included).
    public var isAllZero: Bool { withUnsafeBytes(KHOABI.isAllZero) }
}

extension ArraySlice where Element == UInt8 {
    /// True when every byte is zero (an empty slice included).
    public var isAllZero: Bool { withUnsafeBytes(KHOABI.isAllZero) }
}
