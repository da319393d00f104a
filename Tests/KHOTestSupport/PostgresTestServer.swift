import Foundation

/// The PostgreSQL server of the fleet tests: the throwaway cluster
/// `scripts/test.sh` started (`$KHOLEDGER_TEST_POSTGRES`), else one this
/// process starts with `scripts/postgres-cluster.sh` and stops when it exits.
/// Each test takes a database of its own (``database()``); a test that stops
/// its server takes a cluster of its own (``PostgresCluster``).
public enum PostgresTestServer {
    /// The environment variable naming the server's URL.
    public static let environmentVariable = "KHOLEDGER_TEST_POSTGRES"

    private static let server = Result { () throws -> String in
        if let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty { return url }
        let cluster = try PostgresCluster()
        ownCluster = cluster
        atexit { PostgresTestServer.ownCluster = nil }
        return cluster.url
    }
    nonisolated(unsafe) private static var ownCluster: PostgresCluster?

    /// A new, empty database on the server; its URL.
    public static func database() throws -> String {
        let url = try server.get()
        let name = "kholedger_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(url, "CREATE DATABASE \(name)")
        return PostgresCluster.url(url, database: name)
    }

    /// Runs `sql` with `psql` on the database at `url`; its output (unaligned, tuples only).
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        try psql(url, arguments: ["-c", sql])
    }

    /// Runs `psql` on the database at `url` with `arguments` (`-c …`,
    /// `\copy`, `-1`), stopping at the first error; its output
    /// (unaligned, tuples only).
    @discardableResult
    public static func psql(_ url: String, arguments: [String]) throws -> String {
        let result = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/psql"), [url, "-v", "ON_ERROR_STOP=1", "-XAtq"] + arguments)
        guard result.status == 0 else { throw FixtureError("psql \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }
}

/// A throwaway PostgreSQL cluster on loopback (`scripts/postgres-cluster.sh`),
/// removed when released.
public final class PostgresCluster: @unchecked Sendable {
    private let directory: String
    /// The URL of its `postgres` database.
    public private(set) var url = ""

    private static var script: String { ReferenceVector.packageRoot.appendingPathComponent("scripts/postgres-cluster.sh").path }

    /// Makes and starts a cluster in `directory` (default: a new one in
    /// the system's temporary directory).
    public init(directory: String? = nil) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("kholedger-pg-\(UUID().uuidString)").path
        try start()
    }

    /// Starts the cluster (again), on the same port.
    public func start() throws {
        url = try Self.run("start", directory).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server as a crash would: no checkpoint, connections cut.
    public func kill() throws { _ = try Self.run("kill", directory) }

    deinit {
        _ = try? Self.run("stop", directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the script, its output into a file, and waits for it with
    /// `waitpid` (Foundation's `Process` was seen to miss the exit of this
    /// script, whose server outlives it, and wait forever).
    private static func run(_ command: String, _ directory: String) throws -> String {
        let output = directory + ".out"
        let line = "exec \"$0\" \"$1\" \"$2\" >\"$3\" 2>&1 </dev/null"
        var pid: pid_t = 0
        let arguments = ["/bin/bash", "-c", line, script, command, directory, output]
        let pointers = arguments.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/bash", nil, nil, pointers, environ) == 0 else { throw FixtureError("cannot start \(script)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        guard status == 0 else { throw FixtureError("postgres-cluster.sh \(command): \(text)") }
        return text
    }

    /// `url` (`postgresql://USER@HOST:PORT/DATABASE[?…]`) naming database `name` instead.
    public static func url(_ url: String, database name: String) -> String {
        let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        let base = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        guard let scheme = base.range(of: "://"), let slash = base[scheme.upperBound...].firstIndex(of: "/") else { return base + "/" + name + query }
        return String(base[...slash]) + name + query
    }
}
