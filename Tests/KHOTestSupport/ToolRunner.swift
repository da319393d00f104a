import Foundation

/// What a run of the `kholedger` executable printed and returned.
public struct ToolResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// True when the process ended by a signal (a crash, or the timeout's kill).
    public var signaled = false
    /// True when the run's timeout killed the process.
    public var timedOut = false
}

/// Runs the `kholedger` executable built beside the test bundle.
public enum ToolRunner {
    /// The built `kholedger` binary (same build directory as the tests).
    public static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kholedger")
    }

    /// Runs `kholedger arguments…` with optional standard input and extra environment.
    public static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                           directory: URL? = nil, timeout: TimeInterval? = nil) throws -> ToolResult {
        try run(executable, arguments, stdin: stdin, environment: environment, directory: directory, timeout: timeout)
    }

    /// Runs any program and collects its output; a process still running
    /// after `timeout` seconds is killed (``ToolResult/timedOut``).
    public static func run(_ program: URL, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                           directory: URL? = nil, timeout: TimeInterval? = nil) throws -> ToolResult {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        nonisolated(unsafe) var timedOut = false
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                guard process.isRunning else { return }
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
            }
        }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus,
                          stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self),
                          signaled: process.terminationReason == .uncaughtSignal, timedOut: timedOut)
    }
}
