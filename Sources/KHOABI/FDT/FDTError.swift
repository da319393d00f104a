import CLibFDT

/// Why a flattened device tree could not be read, written or interpreted.
///
/// Container errors name libfdt's own message (`fdt_strerror`) and the
/// offending header value; KHO-level errors name the node and property.
public enum FDTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The buffer is shorter than the 40-byte FDT header.
    case truncatedHeader(bufferSize: Int)
    /// The header does not start with 0xd00dfeed.
    case badMagic(UInt32)
    /// The header's `totalsize` claims more bytes than the buffer holds.
    case totalSizeExceedsBuffer(totalSize: UInt32, bufferSize: Int)
    /// libfdt does not support this header version.
    case unsupportedVersion(version: UInt32, lastCompatibleVersion: UInt32)
    /// A libfdt call failed; `code` is its negative return value.
    case libfdt(operation: String, code: Int32)
    /// A buffer size is not positive or exceeds libfdt's 32-bit limit.
    case invalidCapacity(Int)
    /// A node or property name contains a NUL byte and cannot be passed to libfdt.
    case invalidName(String)
    /// A node name in the tree, at byte `offset` of the FDT, is not UTF-8
    /// or longer than ``KHONameLimit``.
    case invalidNodeName(offset: Int, reason: String)
    /// No node exists at this path.
    case nodeNotFound(path: String)
    /// A node lacks a property the format requires.
    case missingProperty(node: String, property: String)
    /// A property has a length the format does not allow.
    case wrongPropertyLength(node: String, property: String, expected: Int, actual: Int)
    /// A property holds a value the format does not allow.
    case invalidPropertyValue(node: String, property: String, value: UInt64)
    /// A node's `compatible` property does not name the expected format.
    case unexpectedCompatible(node: String, found: String, expected: String)
    /// The root FDT's `compatible` names no known KHO generation.
    case unknownKHOCompatible(ABIDetectionError)
    /// A subtree of this name already exists (the kernel returns `-EEXIST`).
    case duplicateSubtree(name: String)
    /// The subtree does not fit in the one-page root FDT (the kernel returns `-ENOMEM`).
    case rootPageFull(subtree: String, pageSize: Int)
    /// A kho-v3+ subtree has no blob size.
    case missingBlobSize(subtree: String, generation: ABIGeneration)
    /// A subtree carries a blob size, which this generation cannot record.
    case unexpectedBlobSize(subtree: String, generation: ABIGeneration)
    /// `kho_add_subtree` of 6.19, 7.0 and kho-v2 code: the subnode was added
    /// but setting its property failed with libfdt `code`; the empty node
    /// stays in the tree and the raw code is returned.
    case emptySubtreeLeft(subtree: String, code: Int32)

    /// The negative errno the kernel's `kho_add_subtree` returns for this
    /// failure, or `nil` when the kernel has no direct counterpart.
    public var kernelReturnCode: Int32? {
        switch self {
        case .duplicateSubtree: return -17 // -EEXIST
        case .rootPageFull: return -12 // -ENOMEM
        case .emptySubtreeLeft(_, let code): return code
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .truncatedHeader(let size):
            return "FDT buffer of \(size) bytes is shorter than the 40-byte header"
        case .badMagic(let magic):
            return "FDT magic \(hex(magic)) is not 0xd00dfeed"
        case let .totalSizeExceedsBuffer(totalSize, bufferSize):
            return "FDT totalsize \(totalSize) exceeds the \(bufferSize)-byte buffer"
        case let .unsupportedVersion(version, lastCompatible):
            return "FDT version \(version) (last compatible \(lastCompatible)) is not supported (versions \(FDTHeader.minimumVersion) to 17 are)"
        case let .libfdt(operation, code):
            return "\(operation) failed: \(Self.libfdtMessage(code)) (\(code))"
        case .invalidCapacity(let capacity):
            return "FDT buffer size \(capacity) is not between 1 and \(Int32.max)"
        case .invalidName(let name):
            return "name \(name.debugDescription) contains a NUL byte"
        case let .invalidNodeName(offset, reason):
            return "the node name at byte \(offset) of the FDT: \(reason)"
        case .nodeNotFound(let path):
            return "FDT has no node \(path)"
        case let .missingProperty(node, property):
            return "node \(node) has no property \(property)"
        case let .wrongPropertyLength(node, property, expected, actual):
            return "property \(property) of node \(node) is \(actual) bytes, expected \(expected)"
        case let .invalidPropertyValue(node, property, value):
            return "property \(property) of node \(node) has invalid value \(hex(value))"
        case let .unexpectedCompatible(node, found, expected):
            return "node \(node) is compatible \"\(found)\", expected \"\(expected)\""
        case .unknownKHOCompatible(let error):
            return error.description
        case let .duplicateSubtree(name):
            return "subtree \(name) already exists (-EEXIST)"
        case let .rootPageFull(subtree, pageSize):
            return "subtree \(subtree) does not fit in the \(pageSize)-byte root FDT page (-ENOMEM)"
        case let .missingBlobSize(subtree, generation):
            return "subtree \(subtree) needs a blob size in generation \(generation.rawValue)"
        case let .unexpectedBlobSize(subtree, generation):
            return "subtree \(subtree) has a blob size, which generation \(generation.rawValue) cannot record"
        case let .emptySubtreeLeft(subtree, code):
            return "subtree \(subtree): its property does not fit, libfdt \(code) (\(Self.libfdtMessage(code))) is returned as is and the empty node stays"
        }
    }

    /// libfdt's message for a (negative) error code.
    public static func libfdtMessage(_ code: Int32) -> String {
        String(cString: fdt_strerror(code))
    }
}
