/// How a step is expected to end: `expect: ok` (the default), an errno name
/// (`expect: EINVAL`), or `expect: NULL` for a restore that returns NULL.
public enum ScenarioExpectation: Hashable, Sendable, CustomStringConvertible {
    case ok
    case errno(KernelErrno)
    case null

    /// Parses `ok`, `NULL` or an errno name (case-insensitive, optional `-`).
    public init?(name: String) {
        switch name.lowercased() {
        case "ok": self = .ok
        case "null": self = .null
        default:
            guard let errno = KernelErrno(name: name) else { return nil }
            self = .errno(errno)
        }
    }

    /// Every accepted spelling, for error messages.
    static var spellings: [String] { ["ok", "NULL"] + KernelErrno.allCases.map(\.name) }

    /// True when `outcome` is what this expectation asks for.
    public func matches(_ outcome: MachineEvent.Outcome) -> Bool {
        switch (self, outcome) {
        case (.ok, .ok), (.null, .null): return true
        case let (.errno(wanted), .errno(got)): return wanted == got
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .ok: return "ok"
        case .errno(let errno): return errno.description
        case .null: return "NULL"
        }
    }
}
