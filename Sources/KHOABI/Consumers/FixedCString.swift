/// A `char name[N]` field: NUL-terminated, zero-padded to its capacity.
struct FixedCString {
    let structure: String
    let field: String
    let capacity: Int

    /// `value` padded with NULs to `capacity`; it must leave room for the NUL.
    func encode(_ value: String) throws(ConsumerError) -> [UInt8] {
        let utf8 = Array(value.utf8)
        guard utf8.count < capacity, !utf8.contains(0) else {
            throw .stringDoesNotFit(structure: structure, field: field, value: value, capacity: capacity)
        }
        return utf8 + [UInt8](repeating: 0, count: capacity - utf8.count)
    }

    /// The text before the first NUL of `bytes` (`capacity` bytes); bytes
    /// after the NUL are ignored and invalid UTF-8 is replaced.
    func decode(_ bytes: ArraySlice<UInt8>) throws(ConsumerError) -> String {
        guard let end = bytes.firstIndex(of: 0) else {
            throw .unterminatedString(structure: structure, field: field, capacity: capacity)
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
