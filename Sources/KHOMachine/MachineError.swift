import KHOABI

/// Why a machine call did not succeed.
///
/// `kernel` and `restoreFailed` are the outcomes the kernel itself reports
/// (an errno, or a NULL from a restore function); the other cases are misuse
/// of the emulator (a name that does not exist, an address outside memory).
public enum MachineError: Error, Equatable, CustomStringConvertible {
    /// The KHO call returned this errno.
    case kernel(KernelErrno, String)
    /// A restore call returned NULL; the reason says which check failed.
    case restoreFailed(String)
    /// An address lies outside the emulated memory.
    case outOfMemoryRange(address: UInt64, count: Int)
    /// The configuration is not usable.
    case invalidConfiguration(String)
    /// No object of that name exists in this generation.
    case unknownObject(kind: String, name: String)
    /// An object of that name already exists.
    case duplicateObject(kind: String, name: String)
    /// An argument is not valid for the emulator.
    case invalidArgument(String)
    /// A KHO structure in memory could not be decoded.
    case abi(String)

    public var description: String {
        switch self {
        case let .kernel(errno, detail): return "\(errno): \(detail)"
        case .restoreFailed(let reason): return "restore failed (NULL): \(reason)"
        case let .outOfMemoryRange(address, count):
            return "address \(hex(address)) (+\(count) bytes) is outside the emulated memory"
        case .invalidConfiguration(let reason): return "invalid machine configuration: \(reason)"
        case let .unknownObject(kind, name): return "no \(kind) named \"\(name)\""
        case let .duplicateObject(kind, name): return "a \(kind) named \"\(name)\" already exists"
        case .invalidArgument(let reason): return reason
        case .abi(let reason): return reason
        }
    }

    /// The errno for `kernel` failures, else nil.
    public var errno: KernelErrno? {
        if case .kernel(let errno, _) = self { return errno }
        return nil
    }
}
