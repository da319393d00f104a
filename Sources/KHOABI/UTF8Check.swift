/// The offset of the first byte of `bytes` that does not start or continue
/// a valid UTF-8 sequence, or nil when all of `bytes` is UTF-8.
public func firstInvalidUTF8(_ bytes: some Collection<UInt8>) -> Int? {
    let bytes = Array(bytes)
    guard String(validating: bytes, as: UTF8.self) == nil else { return nil }
    var offset = 0
    while offset < bytes.count {
        let lead = bytes[offset]
        let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
        guard length > 0, offset + length <= bytes.count,
              String(validating: bytes[offset ..< offset + length], as: UTF8.self) != nil else { return offset }
        offset += length
    }
    return bytes.count - 1
}
