import Foundation
import KHOTestSupport
import Testing

/// Every entry of the malformed-input corpus, run with the real binary:
/// a non-zero exit (not a signal, not a hang), exactly one error line with
/// the expected text, nothing on standard output, and no file left behind
/// except a ledger holding exactly the good lines before a bad one.
@Suite("malformed-input corpus")
struct MalformedCorpusTests {
    static func entries() throws -> [MalformedCorpus.Entry] {
        try JSONDecoder().decode([MalformedCorpus.Entry].self, from: Data(contentsOf: MalformedCorpus.folder.appendingPathComponent("corpus.json")))
    }

    static var names: [String] { (try? entries().map(\.name)) ?? ["<corpus.json unreadable in \(MalformedCorpus.folder.path)>"] }

    @Test func holdsAtLeastThirtyEntries() throws {
        #expect(try Self.entries().count >= 30)
    }

    /// The committed files are what the generator makes (set
    /// KHO_WRITE_CORPUS=1 to rewrite them after changing the generator).
    @Test func committedFilesMatchTheGenerator() throws {
        if ProcessInfo.processInfo.environment["KHO_WRITE_CORPUS"] == "1" { try MalformedCorpus.write(to: MalformedCorpus.folder) }
        let scratch = try TemporaryDirectory("corpus-check")
        try MalformedCorpus.write(to: scratch.url)
        let generated = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        let committed = try FileManager.default.contentsOfDirectory(atPath: MalformedCorpus.folder.path).filter { $0 != "README.md" }.sorted()
        #expect(generated == committed)
        for name in generated {
            let made = try Data(contentsOf: scratch.url.appendingPathComponent(name))
            #expect(made == (try? Data(contentsOf: MalformedCorpus.folder.appendingPathComponent(name))), "\(name) differs from the generator's")
        }
    }

    static var recordNames: [String] { (try? entries().filter { $0.args.first == "record" }.map(\.name)) ?? names }

    /// Runs the entry's command with `extra` arguments in a fresh directory,
    /// expects it to fail with the entry's one error line, and returns the
    /// directory and the files left in it.
    private func runFailing(_ entry: MalformedCorpus.Entry, extra: [String] = []) throws -> (TemporaryDirectory, [String]) {
        let directory = try TemporaryDirectory("corpus-run")
        let arguments = entry.args.map { argument in
            let file = MalformedCorpus.folder.appendingPathComponent(argument)
            return argument.contains(".") && FileManager.default.fileExists(atPath: file.path) ? file.path : argument
        }
        let name = entry.name
        let result = try ToolRunner.run(arguments + extra, directory: directory.url, timeout: 60)
        #expect(!result.timedOut, "\(name) still ran after 60 s")
        #expect(!result.signaled, "\(name) died of a signal")
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty, "\(name) printed: \(result.stdout)")
        #expect(result.stderr.split(separator: "\n", omittingEmptySubsequences: false).count == 2, "\(name): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(entry.error), "\(name): \(result.stderr)")
        return (directory, try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted())
    }

    @Test(arguments: names)
    func failsWithOneClearError(name: String) throws {
        let entry = try #require(try Self.entries().first { $0.name == name })
        let (directory, left) = try runFailing(entry)
        if let recorded = entry.recorded, recorded > 0 {
            #expect(left.filter { !$0.hasPrefix("ledger.db") }.isEmpty, "\(name) left \(left)")
            let count = try ToolRunner.sqlite(directory.path("ledger.db"), "SELECT count(*) FROM op")
            #expect(count.stdout == "\(recorded)\n", "\(name): the ledger holds \(count.stdout) operations")
        } else {
            #expect(left.isEmpty, "\(name) left \(left)")
        }
    }

    /// `record --check` refuses every stream of the corpus at the same line,
    /// with the same error, and writes nothing.
    @Test(arguments: recordNames)
    func checkRefusesTheSameLine(name: String) throws {
        let entry = try #require(try Self.entries().first { $0.name == name })
        let (_, left) = try runFailing(entry, extra: ["--check"])
        #expect(left.isEmpty, "\(name) left \(left)")
    }
}
