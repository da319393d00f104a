import Foundation
import KHOTestSupport
import Testing

/// `simulate` refuses a scenario path that is not a readable file of UTF-8
/// text with one line naming why (and where in the file), exit 1, without
/// hanging on a FIFO and without creating the ledger.
@Suite("simulate: scenario files that are not YAML text")
struct ScenarioFileTests {
    static let cases: [(name: String, expected: String)] = [
        ("elf.yaml", "it is an ELF file, not a YAML scenario (an ELF core is read by import --image)"),
        ("nul.yaml", "line 2, byte offset 10 is a NUL byte: a scenario is YAML text"),
        ("latin1.yaml", "line 4, byte offset 49 (0xe9) is not UTF-8: a scenario is UTF-8 text"),
        ("fifo.yaml", "it is not a regular file (a FIFO, socket or device)"),
        ("folder.yaml", "it is a directory, not a YAML file"),
        ("missing.yaml", "No such file or directory"),
    ]

    @Test(arguments: cases.map(\.name))
    func refusedInOneLine(name: String) throws {
        let directory = try TemporaryDirectory()
        try Data([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56)).write(to: directory.url.appendingPathComponent("elf.yaml"))
        try Data("steps: []\n\0\n".utf8).write(to: directory.url.appendingPathComponent("nul.yaml"))
        try Data("machine:\n  seed: 1\nsteps:\n  - vmalloc: {name: caf".utf8 + [0xe9] + Array("}\n".utf8))
            .write(to: directory.url.appendingPathComponent("latin1.yaml"))
        #expect(mkfifo(directory.path("fifo.yaml"), 0o600) == 0)
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("folder.yaml"), withIntermediateDirectories: false)

        let ledger = directory.path("new.db")
        let result = try ToolRunner.run(["simulate", directory.path(name), "--ledger", ledger], timeout: 30)
        let expected = try #require(Self.cases.first { $0.name == name }?.expected)
        #expect(!result.timedOut)
        #expect(result.status == 1)
        #expect(result.stderr == "error: cannot read scenario \(directory.path(name)): \(expected)\n")
        #expect(!FileManager.default.fileExists(atPath: ledger), "no ledger is created")
    }

    @Test func aRunIntoAnExistingLedgerNamesItsGenerations() throws {
        let ledger = try SimulatedLedger(example: "huge-pages.yaml")
        let again = try ledger.kholedger(["simulate", ToolRunner.examples.appendingPathComponent("huge-pages.yaml").path, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.hasSuffix("recorded 28 operations into \(ledger.path) (generations 2…3)\n"), "\(again.stderr)")
    }
}
