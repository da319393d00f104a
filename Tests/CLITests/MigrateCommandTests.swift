import Foundation
import KHOTestSupport
import Testing

/// `kholedger migrate`: a ledger written by an older kholedger is upgraded in
/// place and then answers every question as it did before; commands that
/// only read refuse it until then and say so.
@Suite("migrate command")
struct MigrateCommandTests {
    /// Tests/Fixtures/ledger-schema1: a ledger of the first schema and the
    /// answers the build that wrote it gave (its make.sh).
    static let fixture = ReferenceVector.packageRoot.appendingPathComponent("Tests/Fixtures/ledger-schema1")

    /// The commands of commands.txt: the expected file's name and the
    /// arguments (words, or a double-quoted phrase).
    static func commands() throws -> [(name: String, arguments: [String])] {
        let text = try String(contentsOf: fixture.appendingPathComponent("commands.txt"), encoding: .utf8)
        return text.split(separator: "\n").map { line in
            let (name, command) = (line.prefix { $0 != "|" }, line.drop { $0 != "|" }.dropFirst())
            let quoted = command.split(separator: "\"", omittingEmptySubsequences: false)
            let arguments = quoted.enumerated().flatMap { index, part in
                index % 2 == 1 ? [String(part)] : part.split(separator: " ").map(String.init)
            }
            return (String(name), arguments)
        }
    }

    @Test func theFixtureMigratesAndAnswersAsBefore() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("ledger.db"), to: directory.url.appendingPathComponent("ledger.db"))
        let migrated = try ToolRunner.run(["migrate", "--ledger", "ledger.db", "--format", "json"], directory: directory.url)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let commands = try Self.commands()
        #expect(commands.count >= 16)
        for (name, arguments) in commands {
            let expected = try String(contentsOf: Self.fixture.appendingPathComponent("expected/\(name)"), encoding: .utf8)
            let result = try ToolRunner.run(arguments + ["--ledger", "ledger.db"], directory: directory.url)
            #expect(result.stdout == expected, "\(name): `\(arguments.joined(separator: " "))` answers differently after the upgrade")
        }
    }

    /// A ledger recorded before schema 2 stores scattered blocks one row
    /// each; replaying it packs them. `replay --verify` compares the blocks,
    /// so the upgraded fixture still reproduces op for op.
    @Test func theUpgradedFixtureStillReplays() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("ledger.db"), to: directory.url.appendingPathComponent("ledger.db"))
        #expect(try ToolRunner.run(["migrate", "--ledger", "ledger.db"], directory: directory.url).status == 0)
        let packed = try ToolRunner.sqlite(directory.url.appendingPathComponent("ledger.db").path,
                                           "SELECT count(*) FROM op_change WHERE blocks IS NOT NULL").stdout
        #expect(packed == "0\n", "the fixture predates packed rows")
        let replay = try ToolRunner.run(["replay", "--verify", "--ledger", "ledger.db"], directory: directory.url)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.hasSuffix("replay matches the ledger: 62 ops reproduced\n"), "\(replay.stdout)")
    }

    /// The fixture's ledger, older than this build's schema: readers name
    /// `migrate`, which applies exactly the migrations it lacks and leaves
    /// every operation as it was.
    @Test func readersNameMigrateWhichUpgradesInPlace() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ledger.db")
        try FileManager.default.copyItem(atPath: Self.fixture.appendingPathComponent("ledger.db").path, toPath: path)
        let shipped = try FileManager.default.contentsOfDirectory(atPath: ReferenceVector.packageRoot.appendingPathComponent("Migrations").path)
            .filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }.sorted()
        let applied = Set(try ToolRunner.sqlite(path, "SELECT identifier FROM grdb_migrations").stdout.split(separator: "\n").map(String.init))
        let lacking = shipped.filter { !applied.contains($0) }
        #expect(!lacking.isEmpty, "the fixture has every migration: it no longer tests an upgrade")
        let before = try ToolRunner.sqlite(path, "SELECT count(*), max(seq), hex(max(hash)) FROM op").stdout

        let state = try ToolRunner.run(["state", "--ledger", path])
        #expect(state.status == 1 && state.stderr == "error: \(path) uses an older schema (it lacks \(lacking.joined(separator: ", "))): "
                    + "run `kholedger migrate --ledger \(path)` to upgrade it\n", "\(state.stderr)")
        // The schema is named by the newest migration this build ships.
        let newest = try #require(shipped.last)
        let migrate = try ToolRunner.run(["migrate", "--ledger", path])
        #expect(migrate.status == 0 && migrate.stdout == "migrated \(path) to schema \(newest): applied \(lacking.joined(separator: ", "))\n",
                "\(migrate.stdout)\(migrate.stderr)")
        let again = try ToolRunner.run(["migrate", "--ledger", path, "--format", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(document?["applied"] as? [String] == [] && document?["schema"] as? String == newest)
        #expect(try ToolRunner.run(["audit", "--chain", "--ledger", path]).status == 0)
        #expect(try ToolRunner.sqlite(path, "SELECT count(*), max(seq), hex(max(hash)) FROM op").stdout == before)

        let missing = try ToolRunner.run(["migrate", "--ledger", directory.path("absent.db")])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: no ledger at ") && !FileManager.default.fileExists(atPath: directory.path("absent.db")))
    }
}
