import Foundation

/// The sanitizer the tests and the `kholedger` binary beside them were
/// built with (`scripts/sanitize.sh`), told by its runtime's entry point in
/// this process; nil for a normal build.
public enum Sanitizer: String, Sendable {
    case address = "__asan_init"
    case thread = "__tsan_init"

    public static let current: Sanitizer? = {
        let program = dlopen(nil, RTLD_LAZY)
        defer { if let program { dlclose(program) } }
        return [.address, .thread].first { dlsym(program, $0.rawValue) != nil }
    }()

    /// The environment variable that takes the runtime's options.
    public var optionsVariable: String { self == .address ? "ASAN_OPTIONS" : "TSAN_OPTIONS" }

    /// The environment that adds `options` (`name=value:…`) to those this
    /// process was given for the runtime.
    public func environment(adding options: String) -> [String: String] {
        let given = ProcessInfo.processInfo.environment[optionsVariable].map { $0 + ":" } ?? ""
        return [optionsVariable: given + options]
    }
}
