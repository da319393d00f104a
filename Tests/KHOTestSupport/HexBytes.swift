extension Array where Element == UInt8 {
    /// Bytes from hex text, as `sqlite3` prints `hex(blob)`; nil when the
    /// text is not pairs of hex digits.
    public init?(hexText text: String) {
        let digits = Array<UInt8>(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index ..< index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self = bytes
    }

    /// Lowercase hex of the bytes, as SQL's `x'…'` literal takes them.
    public var hexText: String { map { String(format: "%02x", $0) }.joined() }
}
