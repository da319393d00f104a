import Foundation
import KHOTestSupport
import Testing

/// A file that is not a kholedger ledger is refused by every command that
/// opens a ledger, for reading and for writing, with one line, and is never
/// written; new ledgers carry the ledger `application_id`, older ones are
/// recognised by their schema.
@Suite("foreign files")
struct ForeignFileTests {
    /// A directory holding a real ledger, its event stream, its export, and
    /// one file of each foreign kind.
    struct Fixture {
        let directory: TemporaryDirectory
        /// The real ledger, its event stream, its export at gen:1, and where
        /// commands are told to write.
        let ledger, stream, image, fdt, output: String

        init() throws {
            directory = try TemporaryDirectory("foreign-files")
            (ledger, stream, image, fdt, output) = (directory.path("ledger.db"), directory.path("events.jsonl"), directory.path("h.elf"),
                                                    directory.path("h.dtb"), directory.path("out"))
            let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
            let simulate = try ToolRunner.run(["simulate", scenario, "--ledger", ledger, "--events", stream, "--quiet"])
            guard simulate.status == 0 else { throw FixtureError("simulate: \(simulate.stderr)") }
            let export = try ToolRunner.run(["export", "--at", "gen:1", "--image", image, "--fdt", fdt, "--ledger", ledger])
            guard export.status == 0 else { throw FixtureError("export: \(export.stderr)") }
        }

        /// Makes the foreign file `kind` in the fixture's directory, under
        /// a name of its own; returns its path and why it must be refused.
        func make(_ kind: String) throws -> (path: String, reason: String) {
            let path = directory.path("\(kind).db")
            switch kind {
            case "foreign-sqlite":
                try sql(path, "CREATE TABLE op (seq INTEGER); CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')")
                return (path, "it is a SQLite database without kholedger's tables")
            case "other-application":
                try sql(path, "PRAGMA application_id = 1234; CREATE TABLE t (x)")
                return (path, "it is a SQLite database of another application (application_id 0x4d2)")
            case "directory":
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                return (path, "it is a directory")
            case "empty":
                _ = try directory.write("\(kind).db", "")
                return (path, "it is an empty file (remove it to record a new ledger there)")
            default:
                _ = try directory.write("\(kind).db", "not a database, just some text\n")
                return (path, "it is not a SQLite database")
            }
        }

        func sql(_ database: String, _ query: String) throws {
            let result = try ToolRunner.sqlite(database, query)
            guard result.status == 0 else { throw FixtureError("sqlite3 \(query): \(result.stderr)") }
        }

        /// Every command that opens a ledger, reading and writing, on `path`.
        func commands(on path: String) -> [[String]] {
            let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
            return [
                ["state"], ["log"], ["show", "1"], ["audit"], ["audit", "--chain"], ["diff", "1", "2"],
                ["diff", "1", "2", "--ledger", ledger, "--to-ledger", path],
                ["restore", "--area", "state", "-o", output], ["export", "--image", output, "--fdt", output + ".dtb"],
                ["sql", "SELECT 1"], ["report", "summary"], ["report", "--html", output + ".html"], ["replay", "--verify"],
                ["simulate", scenario, "--quiet"], ["record", stream], ["import", "--fdt", fdt, "--image", image],
            ].map { $0.contains("--ledger") ? $0 : $0 + ["--ledger", path] }
        }

        /// The names, sizes, modification times and bytes of the directory's
        /// files, but the real ledger's shared-memory index (reading a WAL
        /// database updates it).
        func snapshot() throws -> [String: String] {
            var files: [String: String] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path("")) where name != "ledger.db-shm" {
                let path = directory.path(name)
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))).map { "\($0.hashValue)" } ?? "-"
                files[name] = "\(attributes[.size] ?? "-") \(attributes[.modificationDate] ?? "-") \(bytes)"
            }
            return files
        }
    }

    @Test(arguments: ["foreign-sqlite", "other-application", "directory", "empty", "text"])
    func refusedByEveryCommandAndNeverWritten(kind: String) throws {
        let fixture = try Fixture()
        let (path, reason) = try fixture.make(kind)
        let before = try fixture.snapshot()
        for command in fixture.commands(on: path) {
            let result = try ToolRunner.run(command)
            #expect(result.status != 0, "\(command)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("\(path) is not a kholedger ledger: \(reason)"), "\(command): \(result.stderr)")
            #expect(try fixture.snapshot() == before, "\(command) changed the directory")
        }
    }

    @Test func newLedgersCarryTheApplicationID() throws {
        let fixture = try Fixture()
        let id = try ToolRunner.sqlite(fixture.ledger, "PRAGMA application_id").stdout
        #expect(id == "\(0x4B48_4F4C)\n")
    }

    @Test func aLedgerMadeBeforeTheApplicationIDIsRecognisedByItsSchema() throws {
        let fixture = try Fixture()
        try fixture.sql(fixture.ledger, "PRAGMA application_id = 0")
        let before = try fixture.snapshot()
        let last = try ToolRunner.sqlite(fixture.ledger, "SELECT max(seq) FROM op").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let state = try ToolRunner.run(["state", "--ledger", fixture.ledger])
        #expect(state.status == 0 && state.stdout.hasPrefix("seq \(last), generation 3"), "\(state.stderr)")
        #expect(try fixture.snapshot()["ledger.db"] == before["ledger.db"], "reading wrote the ledger")

        let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
        let more = try ToolRunner.run(["simulate", scenario, "--ledger", fixture.ledger, "--quiet"])
        #expect(more.status == 0, "\(more.stderr)")
        #expect(try ToolRunner.sqlite(fixture.ledger, "PRAGMA application_id").stdout == "\(0x4B48_4F4C)\n")
    }

    @Test func aPathThatDoesNotExistIsANewLedger() throws {
        let fixture = try Fixture()
        let path = fixture.directory.path("new.db")
        let record = try ToolRunner.run(["record", fixture.stream, "--ledger", path])
        #expect(record.status == 0, "\(record.stderr)")
        #expect(try ToolRunner.sqlite(path, "SELECT count(*) FROM op").stdout == (try ToolRunner.sqlite(fixture.ledger, "SELECT count(*) FROM op").stdout))
    }
}
