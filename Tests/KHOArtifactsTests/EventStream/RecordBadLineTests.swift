import Foundation
import KHOTestSupport
import Testing

/// A bad line stops `kholedger record` with one error line naming the line
/// and the bad value; the good lines before it stay recorded.
@Suite("record bad lines")
struct RecordBadLineTests {
    static let good = [
        #"{"kind":"boot","generation":0,"machine":{"page_size":4096,"memory_base":"0x100000000","memory_size":67108864},"args":{},"result":"ok"}"#,
        #"{"kind":"preserve_folio","args":{"phys":"0x100200000","order":2},"result":"ok"}"#,
        #"{"kind":"preserve_pages","args":{"phys":"0x100400000","nr_pages":3},"result":0}"#,
    ]
    static let after = #"{"kind":"unpreserve_folio","args":{"phys":"0x100200000","order":2},"result":"ok"}"#

    /// A bad fourth line and the text its error must contain.
    static let badLines: [(line: String, reason: String)] = [
        (#"{"kind":"preserve_folio","args":{"phys":"0x100200000","order":60},"result":"ok"}"#, "args.order: 60 is outside 0…52"),
        (#"{"kind":"preserve_fol","args":{},"result":"ok"}"#, #"unknown kind "preserve_fol""#),
        (#"{"kind":"preserve_folio","args":{"phys":"0x10020000g","order":0},"result":"ok"}"#, #"args.phys: "0x10020000g" is not a "0x…" hex address"#),
        (#"{"kind":"preserve_folio","args":{"phys":4096,"order":0},"result":"ok"}"#, "args.phys: expected a \"0x…\" hex address string, found an integer 4096"),
        (#"{"kind":"preserve_folio","args":{"phys":"0x100201000","order":2},"result":"ok"}"#, "0x100201000 is not aligned to an order-2 block"),
        (#"{"kind":"preserve_pages","args":{"phys":"0x100400000","nr_pages":"3"},"result":"ok"}"#, #"args.nr_pages: expected an integer, found a string "3""#),
        (#"{"kind":"preserve_folio","args":{"phys":"0x100200000","order":0},"result":"-EWHAT"}"#, #"result: "-EWHAT" is not ok"#),
        (#"{"kind":"preserve_folio","args":{"phys":"0x100200000"},"result":"ok"}"#, #"missing field "args.order""#),
        (#"{"kind":"preserve_folio","args":{"phys":"0x900000000","order":0},"result":"ok"}"#, "block at 0x900000000 lies outside RAM [0x100000000, 0x104000000)"),
        (#"{"kind":"preserve_folio","args":{"phys":"0x100200000","order":0},"result":"ok""#, "the line ends inside an object"),
        (#"{"kind":"preserve_folio","ordr":1,"result":"ok"}"#, #"unknown field "ordr""#),
        ("not json", "not valid JSON at column 1"),
    ]

    let directory: TemporaryDirectory
    var ledger: String { directory.path("ledger.db") }

    init() throws { directory = try TemporaryDirectory("record-bad-lines") }

    private func record(_ lines: [String], _ options: [String] = [], trailingNewline: Bool = true) throws -> ToolResult {
        let stream = try directory.write("events-\(UUID().uuidString).jsonl", lines.joined(separator: "\n") + (trailingNewline ? "\n" : ""))
        return try ToolRunner.run(["record", stream, "--ledger", ledger] + options)
    }

    private func operations() throws -> Int {
        let result = try ToolRunner.sqlite(ledger, "SELECT count(*) FROM op")
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test(arguments: badLines.indices)
    func stopsAtTheBadLineAndKeepsTheLinesBefore(index: Int) throws {
        let (bad, reason) = Self.badLines[index]
        let result = try record(Self.good + [bad, Self.after])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: line 4: "), "\(result.stderr)")
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(result.stderr.contains("the 3 operations before it are recorded in \(ledger)"), "\(result.stderr)")
        #expect(try operations() == 3)
        let state = try ToolRunner.run(["state", "--all", "--ledger", ledger])
        let blocks = state.stdout.components(separatedBy: "preserved blocks:\n").last?.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(blocks == ["PHYS ORDER", "0x100200000 2", "0x100400000 1", "0x100402000 0"], "\(state.stdout)")
    }

    /// With --check the same lines are refused and counted, and no ledger is written.
    @Test(arguments: [false, true])
    func keepGoingSkipsEveryBadLine(check: Bool) throws {
        let result = try record(Self.good + [Self.badLines[0].line, Self.after, Self.badLines[1].line],
                                ["--keep-going", "--format", "json"] + (check ? ["--check"] : []))
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == 2, "\(result.stderr)")
        #expect(errors.first?.hasPrefix("error: line 4: args.order: 60") == true)
        #expect(errors.last?.hasPrefix("error: line 6: unknown kind") == true)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["lines"] as? Int == 6)
        #expect(summary["recorded"] as? Int == 4)
        #expect(summary["rejected"] as? Int == 2)
        #expect((summary["ledger"] as? String) == (check ? nil : ledger))
        if check {
            #expect(!FileManager.default.fileExists(atPath: ledger))
        } else {
            #expect(try operations() == 4)
        }
    }

    @Test func badFirstLineCreatesNoLedger() throws {
        let result = try record([Self.badLines[1].line] + Self.good)
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 1: unknown kind"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing recorded"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    @Test func cutOffLastLine() throws {
        let cut = String(Self.after.dropLast(12))
        let result = try record(Self.good + [cut], trailingNewline: false)
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 4: not valid JSON"), "\(result.stderr)")
        #expect(result.stderr.contains("the stream ends without a newline: the line is cut off"), "\(result.stderr)")
        #expect(try operations() == 3)
    }

    @Test func blankLinesKeepTheirNumbers() throws {
        let result = try record([Self.good[0], "", "   ", Self.badLines[0].line])
        #expect(result.stderr.hasPrefix("error: line 4: "), "\(result.stderr)")
        #expect(try operations() == 1)
    }

    @Test func withoutBootLineTheGenerationStartsImplicitly() throws {
        let result = try record(Array(Self.good.dropFirst()) + [Self.after])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("recorded 4 operations (seq 1…4)"), "\(result.stdout)")
        #expect(result.stdout.contains("1 implicit boots"), "\(result.stdout)")
        let boot = try ToolRunner.sqlite(ledger, "SELECT kind, detail FROM op WHERE seq = 1")
        #expect(boot.stdout == "boot|warning: implicit: no boot line before line 1\n")
    }

    @Test func nestedCallWithoutCaller() throws {
        let nested = #"{"kind":"preserve_pages","tid":7,"depth":1,"args":{"phys":"0x100600000","nr_pages":1},"result":0}"#
        let result = try record(Self.good + [nested])
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 4: nested call (depth 1, tid 7) has no enclosing call"), "\(result.stderr)")
        #expect(try operations() == 3)
    }

    @Test func generationsFollowKexecs() throws {
        let result = try record(Self.good + [#"{"kind":"boot","generation":2,"args":{},"result":"ok"}"#])
        #expect(result.stderr.contains("line 4: generation: boot of generation 2 does not follow a kexec of generation 1"), "\(result.stderr)")
    }

    @Test func commandLineMustAgreeWithTheStream() throws {
        let result = try record(Self.good, ["--page-size", "16384"])
        #expect(result.stderr.contains("line 1: machine.page_size: 4096 differs from --page-size 16384"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    @Test func missingFile() throws {
        let result = try ToolRunner.run(["record", directory.path("none.jsonl"), "--ledger", ledger])
        #expect(result.status == 1)
        #expect(result.stderr == "error: cannot read \(directory.path("none.jsonl")): no such file\n")
    }
}
