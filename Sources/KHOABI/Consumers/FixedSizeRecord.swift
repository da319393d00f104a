/// A packed consumer structure of constant size, stored in arrays by the
/// kernel (folio arrays, session and file tables).
public protocol FixedSizeRecord {
    /// The structure's size in bytes.
    static var byteCount: Int { get }
    /// The structure's kernel name, used in errors.
    static var structureName: String { get }
    /// Decodes exactly `byteCount` bytes.
    init(bytes: [UInt8]) throws(ConsumerError)
    /// The structure's `byteCount` bytes.
    func encode() throws(ConsumerError) -> [UInt8]
}

extension FixedSizeRecord {
    /// Decodes the first `count` records of `bytes` (which may be longer,
    /// e.g. a whole page).
    public static func decodeArray(_ bytes: [UInt8], count: Int) throws(ConsumerError) -> [Self] {
        let needed = count.multipliedReportingOverflow(by: byteCount)
        guard count >= 0, !needed.overflow, needed.partialValue <= bytes.count else {
            throw .wrongLength(structure: "\(structureName)[\(count)]",
                               expected: needed.overflow ? Int.max : needed.partialValue, actual: bytes.count)
        }
        var records: [Self] = []
        records.reserveCapacity(count)
        for index in 0 ..< count {
            records.append(try Self(bytes: Array(bytes[index * byteCount ..< (index + 1) * byteCount])))
        }
        return records
    }

    /// The records' bytes, back to back.
    public static func encodeArray(_ records: [Self]) throws(ConsumerError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * byteCount)
        for record in records { bytes += try record.encode() }
        return bytes
    }

    /// Throws `wrongLength` unless `bytes` is exactly one record.
    static func checkLength(_ bytes: [UInt8]) throws(ConsumerError) {
        guard bytes.count == byteCount else {
            throw .wrongLength(structure: structureName, expected: byteCount, actual: bytes.count)
        }
    }
}
