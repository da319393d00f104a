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

extension ToolRunner {
    /// Runs `kholedger arguments…` held to an address space of `megabytes`
    /// MiB (an allocation sized by an untrusted count, or a result kept
    /// whole, would abort it); under a sanitizer, whose runtime reserves
    /// terabytes of address space for its shadow memory, by its allocator
    /// instead: no allocation above that, at most 1 GiB resident. With a
    /// `filter` (a shell command such as `wc -l`), standard output is piped
    /// through it; the status is kholedger's unless the filter fails.
    public static func runInBoundedMemory(_ arguments: [String], megabytes: Int = 256, filter: String? = nil) throws -> ToolResult {
        let limit = Sanitizer.current == nil ? "ulimit -v \(megabytes << 10); " : ""
        let environment = Sanitizer.current?.environment(adding: "max_allocation_size_mb=\(megabytes):hard_rss_limit_mb=1024") ?? [:]
        let command = filter.map { "set -o pipefail; \"$@\" | \($0)" } ?? "exec \"$@\""
        return try run(URL(fileURLWithPath: "/bin/bash"), ["-c", limit + command, "bash", executable.path] + arguments,
                       environment: environment)
    }
}
