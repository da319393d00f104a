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

    /// A ledger one migration behind (0006's view dropped, as a ledger made
    /// before 0006 is): readers name `migrate`, which applies 0006 only.
    @Test func readersNameMigrateWhichUpgradesInPlace() throws {
        let ledger = try SimulatedLedger(example: "memfd-luo.yaml")
        let dropped = try ToolRunner.sqlite(ledger.path, "DROP VIEW v_handed_over; DELETE FROM grdb_migrations WHERE identifier = '0006_handed_over'")
        #expect(dropped.status == 0, "\(dropped.stderr)")
        let before = try ToolRunner.sqlite(ledger.path, "SELECT count(*), max(seq), hex(max(hash)) FROM op").stdout

        let state = try ledger.kholedger(["state"])
        #expect(state.status == 1 && state.stderr == "error: \(ledger.path) uses an older schema (it lacks 0006_handed_over): "
                    + "run `kholedger migrate --ledger \(ledger.path)` to upgrade it\n", "\(state.stderr)")
        // The schema is named by the newest migration this build ships.
        let newest = try #require(try FileManager.default.contentsOfDirectory(atPath: ReferenceVector.packageRoot.appendingPathComponent("Migrations").path)
            .filter { $0.hasSuffix(".sql") }.sorted().last).dropLast(4)
        let migrate = try ledger.kholedger(["migrate"])
        #expect(migrate.status == 0 && migrate.stdout == "migrated \(ledger.path) to schema \(newest): applied 0006_handed_over\n",
                "\(migrate.stdout)\(migrate.stderr)")
        let again = try ledger.json(["migrate"])
        #expect(again["applied"] as? [String] == [] && again["schema"] as? String == String(newest))
        #expect(try ledger.kholedger(["audit", "--chain"]).status == 0)
        #expect(try ToolRunner.sqlite(ledger.path, "SELECT count(*), max(seq), hex(max(hash)) FROM op").stdout == before)

        let missing = try ToolRunner.run(["migrate", "--ledger", ledger.directory.path("absent.db")])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: no ledger at ") && !FileManager.default.fileExists(atPath: ledger.directory.path("absent.db")))
    }
}
