import Foundation

/// A fresh directory under the system temporary directory, removed on deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ prefix: String = "kholedger") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` and returns its path.
    public func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
        return path(name)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

extension ToolRunner {
    /// Runs the sqlite3 shell on `database` with `sql`.
    public static func sqlite(_ database: String, _ sql: String, options: [String] = []) throws -> ToolResult {
        try run(URL(fileURLWithPath: "/usr/bin/sqlite3"), options + [database, sql])
    }

    /// The Examples/ folder of the package.
    public static var examples: URL { ReferenceVector.packageRoot.appendingPathComponent("Examples") }
}
