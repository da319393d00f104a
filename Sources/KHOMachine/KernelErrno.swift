/// The errno values KHO calls return, with the kernel's numbers.
public enum KernelErrno: Int32, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case ENOENT = 2
    /// Also libfdt's `-FDT_ERR_NOSPACE`, which the 6.19, 7.0 and kho-v2
    /// `kho_add_subtree` returns as is when a property does not fit.
    case ESRCH = 3
    case EIO = 5
    case E2BIG = 7
    case ENOMEM = 12
    case EBUSY = 16
    case EEXIST = 17
    case EINVAL = 22
    case ENOSPC = 28
    case EOPNOTSUPP = 95

    /// The symbolic name, e.g. `EINVAL`.
    public var name: String {
        switch self {
        case .ENOENT: return "ENOENT"
        case .ESRCH: return "ESRCH"
        case .EIO: return "EIO"
        case .E2BIG: return "E2BIG"
        case .ENOMEM: return "ENOMEM"
        case .EBUSY: return "EBUSY"
        case .EEXIST: return "EEXIST"
        case .EINVAL: return "EINVAL"
        case .ENOSPC: return "ENOSPC"
        case .EOPNOTSUPP: return "EOPNOTSUPP"
        }
    }

    /// `-EINVAL (-22)` style.
    public var description: String { "-\(name) (-\(rawValue))" }

    /// Looks a name up (`EINVAL`, case-insensitive, optional leading `-`).
    public init?(name: String) {
        let wanted = name.uppercased().trimmingPrefix("-")
        guard let match = Self.allCases.first(where: { $0.name == wanted }) else { return nil }
        self = match
    }
}
