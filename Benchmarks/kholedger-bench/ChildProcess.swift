import Foundation

/// Runs this benchmark binary again as a child process, so that a
/// measurement (an import's peak memory) covers that work alone.
enum ChildProcess {
    /// Runs `/proc/self/exe arguments…`, waits for it and fails unless it exits 0.
    private static func run(_ arguments: [String]) throws {
        let executable = "/proc/self/exe"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, nil, nil, argv, environ)
        guard spawned == 0 else { throw RawSQLite.Failure(description: "posix_spawn: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw RawSQLite.Failure(description: "waitpid: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED && WEXITSTATUS == 0, spelled out (the macros do not import).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw RawSQLite.Failure(description: "\(arguments.first ?? "child") ended with wait status \(status)")
        }
    }

    /// Runs `/proc/self/exe arguments… peakPath` and returns the peak
    /// resident bytes the child wrote to `peakPath` with ``reportPeak(to:)``.
    static func runReportingPeak(_ arguments: [String], peakPath: String) throws -> UInt64 {
        try run(arguments + [peakPath])
        let text = try String(contentsOfFile: peakPath, encoding: .utf8)
        guard let peak = UInt64(text) else { throw RawSQLite.Failure(description: "\(peakPath) holds no peak: \(text)") }
        return peak
    }

    /// In the child: writes this process's peak resident bytes to `path`.
    static func reportPeak(to path: String) throws {
        try String(try peakResidentBytes()).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// This process's peak resident set size in bytes (`VmHWM` of
    /// /proc/self/status). A child reports its own: the `ru_maxrss` a parent
    /// gets from wait4 starts from the parent's peak when the child was spawned.
    private static func peakResidentBytes() throws -> UInt64 {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = UInt64(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") else {
            throw RawSQLite.Failure(description: "no VmHWM in /proc/self/status")
        }
        return kib * 1024
    }
}
