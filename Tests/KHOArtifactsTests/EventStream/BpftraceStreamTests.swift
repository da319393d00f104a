import Foundation
@testable import KHOArtifacts
import KHOTestSupport
import Testing

/// contrib/kho-trace.bt prints lines `kholedger record` accepts, and a
/// stream of the shape it prints (nested calls, no page contents) records
/// the right tracker, areas and chunk pages.
@Suite("bpftrace event streams")
struct BpftraceStreamTests {
    static let script = ReferenceVector.packageRoot.appendingPathComponent("contrib/kho-trace.bt")

    /// The format strings of the script's printf calls, unescaped.
    static func formats() throws -> [String] {
        let text = try String(contentsOf: script, encoding: .utf8)
        return text.matches(of: /printf\("((?:[^"\\]|\\.)*)"/).map { match in
            String(match.output.1).replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\n", with: "")
        }
    }

    /// `format` with a sample value for every conversion, chosen by the JSON key before it.
    static func fill(_ format: String) -> String {
        var result = ""
        var rest = Substring(format)
        while let match = rest.firstMatch(of: /%(l{0,2})([dusx])/) {
            let before = rest[..<match.range.lowerBound]
            result += before
            let key = (result.matches(of: /"(\w+)":/).last?.output.1).map(String.init) ?? ""
            switch (key, match.output.2) {
            case (_, "x"): result += "100200000"
            case ("time", _): result += "2026-11-25T10:42:00.566779+0000"
            case ("result", "s"): result += "ok"
            case ("result", _): result += "-22"
            case ("name", _): result += "LUO"
            case ("tid", _): result += "4242"
            case ("order", _): result += "0"
            case ("size", _): result += "16"
            default: result += "1"
            }
            rest = rest[match.range.upperBound...]
        }
        return result + rest
    }

    @Test func everyPrintfFormatGivesALineTheParserAccepts() throws {
        let formats = try Self.formats()
        #expect(formats.count >= 20)
        var kinds: Set<String> = []
        for (index, format) in formats.enumerated() {
            let line = Self.fill(format)
            #expect(!line.contains("%"), "unfilled conversion in \(format)")
            do {
                let fields = try EventLineParser.fields(of: Array(line.utf8), terminated: true)
                let parsed = try EventLineParser(machine: StreamMachine()).parse(fields, number: index + 1)
                kinds.insert(parsed.event.kind.rawValue)
            } catch {
                Issue.record("printf \(index + 1) gives \(line), refused: \(error)")
            }
        }
        #expect(kinds == ["boot", "preserve_folio", "unpreserve_folio", "preserve_pages", "unpreserve_pages", "preserve_vmalloc",
                          "unpreserve_vmalloc", "restore_vmalloc", "alloc_preserve", "unpreserve_free", "restore_free", "restore_folio",
                          "restore_pages", "add_subtree", "remove_subtree", "retrieve_subtree", "kexec"])
    }

    /// Every kho_* entry probe has a return probe (lines print on return).
    @Test func everyEntryProbeReturns() throws {
        let text = try String(contentsOf: Self.script, encoding: .utf8)
        let entries = Set(text.matches(of: /(?m)^kprobe:(kho_\w+)/).map { String($0.output.1) })
        let returns = Set(text.matches(of: /(?m)^kretprobe:(kho_\w+)/).map { String($0.output.1) })
        #expect(entries.count == 15)
        #expect(entries == returns)
    }

    /// What kho-trace.bt prints for: thread 1 allocating a descriptor blob and
    /// preserving a 3-page vmalloc area (chunk 0, then 3 blocks, as nested
    /// kho_preserve_pages calls), thread 2 preserving a folio meanwhile,
    /// a subtree, kexec, and the next kernel restoring the area.
    static let trace = [
        #"{"kind":"boot","time":"2026-11-25T10:42:00.100000+0000","tid":1,"depth":0,"args":{},"result":"ok","warnings":["tracing started"],"tracker":[],"restored":[]}"#,
        #"{"kind":"alloc_preserve","time":"2026-11-25T10:42:01.000000+0000","tid":1,"depth":0,"args":{"size":16,"result":"0x100010000"},"result":"ok"}"#,
        #"{"kind":"preserve_pages","time":"2026-11-25T10:42:02.000000+0000","tid":1,"depth":1,"args":{"phys":"0x100020000","nr_pages":1},"result":0}"#,
        #"{"kind":"preserve_pages","time":"2026-11-25T10:42:02.000000+0000","tid":1,"depth":1,"args":{"phys":"0x100030000","nr_pages":1},"result":0}"#,
        #"{"kind":"preserve_pages","time":"2026-11-25T10:42:02.000000+0000","tid":1,"depth":1,"args":{"phys":"0x100031000","nr_pages":1},"result":0}"#,
        #"{"kind":"preserve_folio","time":"2026-11-25T10:42:02.000000+0000","tid":2,"depth":0,"args":{"phys":"0x100200000","order":2},"result":0}"#,
        #"{"kind":"preserve_pages","time":"2026-11-25T10:42:02.000000+0000","tid":1,"depth":1,"args":{"phys":"0x100040000","nr_pages":1},"result":0}"#,
        #"{"kind":"preserve_vmalloc","time":"2026-11-25T10:42:02.000000+0000","tid":1,"depth":0,"args":{"descriptor":"0x100010000"},"result":"ok","descriptor":{"first":"0x100020000","total_pages":3,"flags":1,"order":0}}"#,
        #"{"kind":"add_subtree","time":"2026-11-25T10:42:03.000000+0000","tid":1,"depth":0,"name":"app","args":{"phys":"0x100010000","size":16},"result":0}"#,
        #"{"kind":"kexec","time":"2026-11-25T10:42:04.000000+0000","tid":1,"depth":0,"args":{},"result":"ok"}"#,
        #"{"kind":"restore_pages","time":"2026-11-25T10:43:00.000000+0000","tid":3,"depth":1,"args":{"phys":"0x100030000","nr_pages":1},"result":"ok"}"#,
        #"{"kind":"restore_pages","time":"2026-11-25T10:43:00.000000+0000","tid":3,"depth":1,"args":{"phys":"0x100031000","nr_pages":1},"result":"ok"}"#,
        #"{"kind":"restore_pages","time":"2026-11-25T10:43:00.000000+0000","tid":3,"depth":1,"args":{"phys":"0x100040000","nr_pages":1},"result":"ok"}"#,
        #"{"kind":"restore_pages","time":"2026-11-25T10:43:00.000000+0000","tid":3,"depth":1,"args":{"phys":"0x100020000","nr_pages":1},"result":"ok"}"#,
        #"{"kind":"restore_vmalloc","time":"2026-11-25T10:43:00.000000+0000","tid":3,"depth":0,"args":{"descriptor":"0x100010000"},"result":"ok","descriptor":{"first":"0x100020000","total_pages":3,"flags":1,"order":0}}"#,
    ]

    @Test func traceShapedStreamRecordsAreasAndChunkPages() throws {
        let directory = try TemporaryDirectory("record-bpftrace")
        let ledger = directory.path("trace.db")
        let result = try ToolRunner.run(["record", try directory.write("trace.jsonl", Self.trace.joined(separator: "\n") + "\n"),
                                         "--ledger", ledger, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["lines"] as? Int == 15)
        #expect(summary["folded"] as? Int == 8)
        #expect(summary["recorded"] as? Int == 8)
        #expect(summary["implicit_boots"] as? Int == 1)

        let state = try json(["state", "--at", "gen:0", "--all"], ledger: ledger)
        let blocks = (state["preserved"] as? [[String: Any]] ?? []).map { "\($0["phys"] ?? "") \($0["order"] ?? "")" }
        #expect(blocks == ["0x100010000 0", "0x100020000 0", "0x100030000 0", "0x100031000 0", "0x100040000 0", "0x100200000 2"])
        let area = try #require((state["areas"] as? [[String: Any]])?.first)
        #expect(area["name"] as? String == "vmalloc@0x100030000")
        #expect(area["descriptor_phys"] as? String == "0x100010000")
        #expect(area["first_chunk"] as? String == "0x100020000")
        #expect(area["chunks"] as? Int == 1)

        // The chunk page is exact: next 0, then the three blocks, then zeros.
        let chunk = try ToolRunner.sqlite(ledger, "SELECT hex(bytes) FROM chunk ORDER BY object_id LIMIT 1").stdout
        let entries = ["0000000000000000", "0000030001000000", "0010030001000000", "0000040001000000"].joined()
        #expect(chunk.trimmingCharacters(in: .newlines) == entries + String(repeating: "0", count: 2 * 4096 - entries.count))

        let zeros = sha256Hex([UInt8](repeating: 0, count: 3 * 4096))
        for (name, point) in [("vmalloc@0x100030000", "gen:0"), ("restored_vmalloc@0x100030000", "gen:1+1")] {
            let restore = try json(["restore", "--area", name, "--at", point, "-o", directory.path("\(name).bin")], ledger: ledger)
            #expect(restore["sha256"] as? String == zeros, "\(name)")
            #expect(restore["chunks"] as? Int == 1)
            #expect(restore["total_pages"] as? Int == 3)
        }
        let times = try ToolRunner.sqlite(ledger, "SELECT time FROM op WHERE kind = 'preserve_vmalloc'").stdout
        #expect(times == "2026-11-25T10:42:02.000Z\n")
    }

    private func json(_ arguments: [String], ledger: String) throws -> [String: Any] {
        let result = try ToolRunner.run(arguments + ["--format", "json", "--ledger", ledger])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }
}
