import Foundation
import KHOTestSupport
import Testing

/// The example stream of docs/event-stream.md records, and restores as it says.
@Suite("docs/event-stream.md")
struct EventStreamDocTests {
    @Test func exampleStreamRecordsAndRestores() throws {
        let text = try String(contentsOf: ReferenceVector.packageRoot.appendingPathComponent("docs/event-stream.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```jsonl\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count == 1)
        let stream = try #require(blocks.first)
        let kinds = Set(stream.matches(of: /"kind":"(\w+)"/).map { String($0.output.1) })
        #expect(kinds.count == 22, "every kind has an example line")

        let directory = try TemporaryDirectory("event-stream-doc")
        let ledger = directory.path("doc.db")
        let record = try ToolRunner.run(["record", try directory.write("example.jsonl", stream), "--ledger", ledger])
        #expect(record.status == 0, "\(record.stderr)")
        #expect(record.stdout.contains("from 35 lines: 6 nested calls folded, 0 lines rejected"), "\(record.stdout)")
        let restore = try ToolRunner.run(["restore", "--area", "buf", "--at", "gen:0", "-o", directory.path("buf.bin"), "--ledger", ledger])
        #expect(restore.status == 0, "\(restore.stderr)")
        let bytes = [UInt8](try Data(contentsOf: directory.url.appendingPathComponent("buf.bin")))
        #expect(bytes.count == 8192)
        #expect(bytes.starts(with: Array("hello".utf8)) && bytes.dropFirst(5).allSatisfy { $0 == 0 })
    }

    @Test func helpTeachesTheFormat() throws {
        let record = try ToolRunner.run(["record", "--help"])
        #expect(record.status == 0)
        for text in ["docs/event-stream.md", "contrib/kho-trace.bt", "--keep-going", "line N: reason", "Examples:", "kholedger record events.jsonl"] {
            #expect(record.stdout.contains(text), "record --help lacks \(text)")
        }
        let simulate = try ToolRunner.run(["simulate", "--help"])
        #expect(simulate.stdout.contains("--events"))
        let top = try ToolRunner.run(["--help"])
        #expect(top.stdout.contains("record"))
    }
}
