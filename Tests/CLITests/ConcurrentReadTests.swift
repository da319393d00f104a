import Foundation
import KHOTestSupport
import Testing

/// A reader process querying a ledger (state, sql, restore, diff) while a writer process records into
/// it never fails (no "database is locked", no malformed read) and never
/// sees a torn snapshot.
@Suite("Concurrent reading while recording", .serialized)
struct ConcurrentReadTests {
    /// Runs one reader command and decodes its JSON object.
    private func json(_ arguments: [String], ledger: String) throws -> [String: Any] {
        let result = try ToolRunner.run(arguments + ["--ledger", ledger, "--format", "json"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func readerLoopsWhileWriterRecords() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("big.yaml", LedgerCrashTests.scenario)
        let ledger = directory.path("shared.db")
        let first = try ToolRunner.run(["simulate", file, "--ledger", ledger, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let past = try CrashHarness.lastSeq(ledger)
        let pastState = try ToolRunner.run(["state", "--at", "\(past)", "--ledger", ledger, "--format", "json"]).stdout
        let output = directory.path("a5.bin")
        let pastArea = try json(["restore", "--area", "a5", "--at", "gen:0", "--output", output], ledger: ledger)["sha256"] as? String
        let pastDiff = try ToolRunner.run(["diff", "gen:0", "gen:1", "--ledger", ledger, "--format", "json"]).stdout

        // The writer: eight more runs, one after another, in the background.
        let writes = 8
        let writer = DispatchGroup()
        nonisolated(unsafe) var writerResults: [ToolResult] = []
        writer.enter()
        DispatchQueue.global().async {
            for _ in 0..<writes {
                if let result = try? ToolRunner.run(["simulate", file, "--ledger", ledger, "--quiet"]) { writerResults.append(result) }
            }
            writer.leave()
        }

        var rounds = 0
        var lastSeen = past
        repeat {
            rounds += 1
            // The latest state: its totals count its own lists, its seq never goes back.
            let state = try json(["state"], ledger: ledger)
            let totals = try #require(state["totals"] as? [String: Any])
            for (total, list) in [("areas", "areas"), ("objects", "objects"), ("preserved_blocks", "preserved"), ("subtrees", "subtrees")] {
                #expect(totals[total] as? Int == (state[list] as? [Any])?.count, "state: \(total) is not the length of \(list)")
            }
            let seq = try #require(state["seq"] as? Int)
            #expect(seq >= lastSeen)
            lastSeen = seq
            // A fixed past point answers the same, byte for byte.
            let again = try ToolRunner.run(["state", "--at", "\(past)", "--ledger", ledger, "--format", "json"])
            #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
            #expect(again.stdout == pastState, "state --at \(past) changed while recording")
            // Two statements of one `sql` run read one snapshot: seqs are dense from 1.
            let counts = try ToolRunner.run(["sql", "SELECT count(*) FROM op; SELECT max(seq) FROM op", "--ledger", ledger, "--format", "csv"])
            #expect(counts.status == 0 && counts.stderr.isEmpty, "\(counts.stderr)")
            let numbers = counts.stdout.split(whereSeparator: \.isNewline).compactMap { Int($0) }
            #expect(numbers.count == 2 && numbers[0] == numbers[1], "sql read two snapshots: \(counts.stdout)")
            // A restore as of a past point hashes the same bytes.
            let area = try json(["restore", "--area", "a5", "--at", "gen:0", "--output", output], ledger: ledger)
            #expect(area["sha256"] as? String == pastArea)
            // So does a diff of two past generations.
            let diff = try ToolRunner.run(["diff", "gen:0", "gen:1", "--ledger", ledger, "--format", "json"])
            #expect(diff.status == 0 && diff.stderr.isEmpty && diff.stdout == pastDiff, "\(diff.stderr)")
        } while writer.wait(timeout: .now()) == .timedOut

        #expect(writerResults.count == writes && writerResults.allSatisfy { $0.status == 0 }, "\(writerResults.map(\.stderr))")
        #expect(rounds >= 3, "the reader ran \(rounds) rounds while the writer recorded")
        #expect(lastSeen > past, "the reader never saw the writer's operations")
        #expect(try CrashHarness.lastSeq(ledger) == past * (writes + 1))
        print("concurrent reading: \(rounds) reader rounds (5 commands each) during \(writes) recordings, no error")
    }
}
