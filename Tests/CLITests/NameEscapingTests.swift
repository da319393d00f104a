import Foundation
import KHOTestSupport
import Testing

/// A name is untrusted text: recorded with a newline and a terminal escape
/// in it, it never forges a line of `log`, `state` or `sql` text output,
/// nor reaches the terminal raw; its control characters are escaped.
@Suite("Names in text output")
struct NameEscapingTests {
    static let boot = #"{"kind":"boot","generation":0,"machine":{"page_size":4096,"memory_base":"0x100000000","memory_size":16777216},"args":{},"result":"ok"}"#
    /// A folio whose name ends its line and starts a forged one, then clears the screen.
    static let folio = #"{"kind":"preserve_folio","name":"app\npreserved 0x100000000 order 9\u001b[2J","args":{"phys":"0x100200000","order":2},"result":"ok"}"#

    @Test func controlCharactersInANameAreEscapedInEveryTextOutput() throws {
        let directory = try TemporaryDirectory("names")
        let stream = try directory.write("names.jsonl", Self.boot + "\n" + Self.folio + "\n")
        let ledger = directory.path("names.db")
        let recorded = try ToolRunner.run(["record", stream, "--ledger", ledger])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        for arguments in [["log"], ["state"], ["sql", "SELECT subject FROM op WHERE seq = 2"]] {
            let result = try ToolRunner.run(arguments + ["--ledger", ledger])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("preserved 0x100000000") }, "\(arguments) printed a forged line: \(result.stdout)")
            #expect(!result.stdout.contains("\u{1b}"), "\(arguments) printed a raw escape")
            #expect(result.stdout.contains(#"app\x0apreserved 0x100000000 order 9\x1b[2J"#), "\(arguments): \(result.stdout)")
        }
    }
}
