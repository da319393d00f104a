/// Why a KHO consumer's raw structure (memfd, LUO, kexec-metadata) could not
/// be encoded or decoded. Every case names the structure and carries the
/// offending value.
public enum ConsumerError: Error, Equatable, CustomStringConvertible {
    /// A buffer is not the structure's size (or too short for an array).
    case wrongLength(structure: String, expected: Int, actual: Int)
    /// A field holds a value the ABI does not allow or cannot represent.
    case invalidField(structure: String, field: String, value: UInt64)
    /// A string does not fit its fixed NUL-terminated field, or contains a NUL.
    case stringDoesNotFit(structure: String, field: String, value: String, capacity: Int)
    /// A fixed string field has no terminating NUL.
    case unterminatedString(structure: String, field: String, capacity: Int)

    public var description: String {
        switch self {
        case let .wrongLength(structure, expected, actual):
            return "\(structure): expected \(expected) bytes, got \(actual)"
        case let .invalidField(structure, field, value):
            return "\(structure).\(field) has invalid value \(hex(value))"
        case let .stringDoesNotFit(structure, field, value, capacity):
            return "\(structure).\(field) \(value.debugDescription) must be at most \(capacity - 1) bytes without NUL"
        case let .unterminatedString(structure, field, capacity):
            return "\(structure).\(field) has no NUL within its \(capacity) bytes"
        }
    }
}
