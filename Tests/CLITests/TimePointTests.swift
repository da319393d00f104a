import Foundation
import KHOTestSupport
import Testing

/// `--at TIME` is the last operation at or before TIME, to the millisecond,
/// in every accepted form; `gen:G` of a generation that never handed over
/// says that it means G's last operation.
@Suite("time points")
struct TimePointTests {
    /// The seq `state --at point` answers for.
    static func seq(_ ledger: SimulatedLedger, at point: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int? {
        let result = try ledger.kholedger(["state", "--at", point, "--format", "json"])
        #expect(result.status == 0, "\(point): \(result.stderr)", sourceLocation: sourceLocation)
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return document?["seq"] as? Int
    }

    /// `time` (the ledger's `YYYY-MM-DDTHH:MM:SS.fffZ`) written with a ±02:00
    /// offset: two hours later with `+02:00`, or earlier with `-02:00`, the
    /// day unchanged.
    static func withOffset(_ time: String) throws -> String {
        let hour = try #require(Int(time.dropFirst(11).prefix(2)))
        let (shifted, zone) = hour < 22 ? (hour + 2, "+02:00") : (hour - 2, "-02:00")
        let twoDigits = shifted < 10 ? "0\(shifted)" : "\(shifted)"
        return "\(time.prefix(11))\(twoDigits)\(time.dropFirst(13).dropLast())\(zone)"
    }

    @Test func everyTimeOfASimulatedLedgerIsItsLastOperation() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let rows = try ToolRunner.sqlite(ledger.path, "SELECT seq, time FROM op ORDER BY seq").stdout
            .split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        let ops = try rows.map { (seq: try #require(Int($0[0])), time: $0[1]) }
        let times = Set(ops.map(\.time)).sorted()
        #expect(times.count < ops.count, "some operations share a millisecond")
        for time in times {
            let expected = ops.filter { $0.time <= time }.map(\.seq).max()
            #expect(try Self.seq(ledger, at: time) == expected, "\(time)")
            let spaced = time.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
            #expect(try Self.seq(ledger, at: spaced) == expected, "\(spaced)")
            let offset = try Self.withOffset(time)
            #expect(try Self.seq(ledger, at: offset) == expected, "\(offset)")
        }
    }

    @Test func operationsSharingOneMillisecond() throws {
        let directory = try TemporaryDirectory("time-points")
        let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
        let simulated = directory.path("simulated.db"), stream = directory.path("events.jsonl")
        let simulate = try ToolRunner.run(["simulate", scenario, "--ledger", simulated, "--events", stream, "--quiet"])
        try #require(simulate.status == 0, "\(simulate.stderr)")
        // The first line at .832, every other one at .833.
        let lines = try String(contentsOfFile: stream, encoding: .utf8).split(separator: "\n")
        let timed = try lines.enumerated().map { index, line in
            var event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            event["time"] = index == 0 ? "2026-11-25T10:42:48.832Z" : "2026-11-25T10:42:48.833Z"
            return String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
        }
        let shared = try directory.write("shared.jsonl", timed.joined(separator: "\n") + "\n")
        let ledger = SimulatedLedger(directory: directory, path: directory.path("shared.db"))
        let record = try ToolRunner.run(["record", shared, "--ledger", ledger.path])
        try #require(record.status == 0, "\(record.stderr)")

        let stored = try ToolRunner.sqlite(ledger.path, "SELECT time, count(*), max(seq) FROM op GROUP BY time ORDER BY time").stdout
        let last = lines.count
        #expect(stored == "2026-11-25T10:42:48.832Z|1|1\n2026-11-25T10:42:48.833Z|\(last - 1)|\(last)\n")
        for point in ["2026-11-25T10:42:48.833Z", "2026-11-25T12:42:48.833+02:00", "2026-11-25 10:42:48.833", "2026-11-25T10:42:48.8339Z",
                      "2026-11-25T10:42:49Z", "2026-11-26"] {
            #expect(try Self.seq(ledger, at: point) == last, "\(point)")
        }
        for point in ["2026-11-25T10:42:48.832Z", "2026-11-25T10:42:48.8329Z", "2026-11-25 10:42:48.832", "2026-11-25T04:42:48.832-06:00"] {
            #expect(try Self.seq(ledger, at: point) == 1, "\(point)")
        }
        for point in ["2026-11-25T10:42:48.831Z", "2026-11-25"] {
            let result = try ledger.kholedger(["state", "--at", point])
            #expect(result.status == 1 && result.stderr.contains("is outside the ledger: the first operation is at 2026-11-25T10:42:48.832Z"),
                    "\(point): \(result.stderr)")
        }
    }

    @Test func generationThatNeverHandedOverSaysItIsItsLastOperation() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let last = try #require(try ledger.seqs().max())
        let note = "gen:3 never handed over (no kexec): the point is its last operation, seq \(last)"

        let text = try ledger.kholedger(["state", "--at", "gen:3"])
        #expect(text.status == 0 && text.stdout.hasPrefix("note: \(note)\nseq \(last), generation 3"), "\(text.stdout)")
        let state = try ledger.json(["state", "--at", "gen:3"])
        #expect(state["point_notes"] as? [String] == [note] && state["seq"] as? Int == last)

        let handover = try ledger.json(["state", "--at", "gen:2"])
        #expect(handover["point_notes"] == nil)
        #expect(try !ledger.kholedger(["state", "--at", "gen:2"]).stdout.contains("note:"))

        let diff = try ledger.json(["diff", "gen:2", "gen:3"])
        #expect(diff["point_notes"] as? [String] == [note])
        let audit = try ledger.kholedger(["audit", "--at", "gen:3", "--format", "json"])
        let auditDocument = try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any]
        #expect(auditDocument?["point_notes"] as? [String] == [note], "\(audit.stdout)")
        let export = try ledger.kholedger(["export", "--at", "gen:3", "--image", ledger.directory.path("h.elf"), "--fdt", ledger.directory.path("h.dtb")])
        #expect(export.status == 0 && export.stdout.hasPrefix("note: \(note)\nexported seq \(last) "), "\(export.stdout) \(export.stderr)")
    }
}
