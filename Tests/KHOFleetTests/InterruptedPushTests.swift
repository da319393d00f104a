import Foundation
import KHOFleet
import KHOLedger
import KHOTestSupport
import Testing

/// A push killed at any moment, or whose server dies, loses nothing and
/// doubles nothing: the next push completes it.
@Suite("Fleet interrupted pushes", .serialized)
struct InterruptedPushTests {
    /// A ledger of the demo scenario recorded `times` times (62 ops each).
    static func largeLedger(_ fleet: FleetFixture, times: Int) throws -> String {
        try fleet.ledger("large.db", Array(repeating: "multi-generation.yaml", count: times))
    }

    /// Starts `kholedger push` with small batches; returns the process.
    static func startPush(_ fleet: FleetFixture, ledger: String, url: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = ToolRunner.executable
        process.arguments = ["push", "--host", "hv-a", "--ledger", ledger, "--batch-size", "5", "--no-audit"]
        process.environment = ProcessInfo.processInfo.environment.merging(["KHOLEDGER_FLEET": url]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    @Test func aPushKilledAtRandomMomentsLosesAndDoublesNothing() throws {
        let fleet = try FleetFixture()
        let path = try Self.largeLedger(fleet, times: 12)
        let total = try FleetFixture.ops(path)
        try FleetStore(url: fleet.url).migrate()
        var generator = SystemRandomNumberGenerator()
        var killedMidway = 0
        for _ in 0..<6 {
            let (process, _) = try Self.startPush(fleet, ledger: path, url: fleet.url)
            usleep(UInt32.random(in: 50_000...600_000, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedMidway += 1
            }
            process.waitUntilExit()
            let stored = try fleet.integer("SELECT count(*) FROM op")
            let head = try fleet.integer("SELECT coalesce(max(head_seq), 0) FROM host")
            // Whole batches only, the head their last op, every stored op one row.
            #expect(stored == head && (stored % 5 == 0 || stored == total), "\(stored) ops, head \(head)")
            #expect(try fleet.integer("SELECT count(DISTINCT seq) FROM op") == stored)
        }
        #expect(killedMidway > 0)
        let report = try fleet.push(path, host: "hv-a", audit: false)
        #expect(report.head == (try Ledger(readingAt: path).head()))
        #expect(try fleet.integer("SELECT count(*) FROM op") == total)
        let verified = try FleetStore(url: fleet.url).verify()
        #expect(verified.count == 1 && verified[0].isIntact && verified[0].checked == Int(total), "\(verified)")
    }

    @Test func aServerKilledDuringAPushIsOneClearErrorAndTheNextPushCompletes() throws {
        let cluster = try PostgresCluster()
        let database = "fleet"
        try PostgresTestServer.psql(cluster.url, "CREATE DATABASE \(database)")
        let url = PostgresCluster.url(cluster.url, database: database)
        let fleet = try FleetFixture(url: url)
        let path = try Self.largeLedger(fleet, times: 12)
        let (process, errors) = try Self.startPush(fleet, ledger: path, url: url)
        // Kill the server once the push has stored a batch.
        var waited = 0
        while (try? fleet.integer("SELECT coalesce(max(head_seq), 0) FROM host")) ?? 0 == 0, waited < 600 {
            usleep(10_000)
            waited += 1
        }
        try cluster.kill()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1 && process.terminationReason == .exit, "\(message)")
        #expect(message.hasPrefix("error: fleet store postgresql://postgres@127.0.0.1:"), "\(message)")
        #expect(message.hasSuffix("; nothing of the unfinished batch was stored\n"), "\(message)")
        #expect(message.split(separator: "\n").count == 1)

        try cluster.start()
        let stored = try fleet.integer("SELECT count(*) FROM op")
        #expect(stored == (try fleet.integer("SELECT head_seq FROM host")))
        let report = try fleet.push(path, host: "hv-a", audit: false)
        #expect(report.ops == Int(try FleetFixture.ops(path) - stored))
        #expect(try FleetStore(url: url).verify().allSatisfy(\.isIntact))
    }
}
