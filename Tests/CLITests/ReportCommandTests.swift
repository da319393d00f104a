import Foundation
import KHOTestSupport
import Testing

/// `kholedger report NAME`: every canned report checked against figures
/// computed another way, from `state --format json`, `log` and the scenario.
@Suite("report command")
struct ReportCommandTests {
    /// Generation 0 preserves two areas (one huge), a blob behind subtree
    /// "app", an order-2 folio, an order-0 folio, a 5-page range (blocks of
    /// order 2 and 0) and a folio it unpreserves again; generation 1
    /// restores the areas, the blob and the big folio (leaving the small
    /// folio and the range unclaimed), preserves one area again under the
    /// consumer "journal" and kexecs; generation 2 claims nothing.
    static let scenario = """
        machine: {memory: 64MiB, seed: 7}
        steps:
          - vmalloc: {name: ring, size: 40KiB, fill: random}
          - vmalloc: {name: huge, size: 4MiB, huge: true, fill: random}
          - alloc_preserve: {size: 32, as: descs}
          - preserve_vmalloc: {area: ring, descriptor: descs}
          - preserve_vmalloc: {area: huge, descriptor: descs+16}
          - add_subtree: {name: app, blob: descs}
          - alloc_pages: {order: 2, as: big}
          - preserve_folio: {folio: big}
          - alloc_pages: {order: 0, as: lone}
          - preserve_folio: {folio: lone}
          - alloc_pages: {order: 3, as: range}
          - preserve_pages: {folio: range, count: 5}
          - alloc_pages: {order: 0, as: dropped}
          - preserve_folio: {folio: dropped}
          - unpreserve_folio: {folio: dropped}
          - kexec: {carry: [big, lone, range]}
          - retrieve_subtree: {name: app, as: in}
          - restore_vmalloc: {descriptor: in, as: ring}
          - restore_vmalloc: {descriptor: in+16, as: huge}
          - restore_free: {blob: in}
          - restore_folio: {folio: big}
          - alloc_preserve: {size: 16, as: journal/desc}
          - preserve_vmalloc: {area: ring, descriptor: journal/desc}
          - add_subtree: {name: journal-tree, blob: journal/desc}
          - kexec
        """

    let ledger: SimulatedLedger

    init() throws { ledger = try SimulatedLedger(yaml: Self.scenario) }

    /// `report name … --format json`, decoded.
    private func report(_ name: String, _ arguments: [String] = []) throws -> [[String: Any]] {
        let result = try ledger.kholedger(["report", name, "--format", "json"] + arguments)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    /// Each generation's last seq, from `log`.
    private func lastSeqs() throws -> [Int: Int] {
        var last: [Int: Int] = [:]
        for generation in 0...2 { last[generation] = try ledger.seqs(["--generation", "\(generation)"]).max() }
        return last
    }

    /// `state --at seq`'s preserved blocks as (phys, order).
    private func blocks(_ state: [String: Any]) throws -> [(phys: Int, order: Int)] {
        try #require(state["preserved"] as? [[String: Any]]).map { (address($0["phys"]), $0["order"] as? Int ?? -1) }
    }

    private func address(_ value: Any?) -> Int { Int((value as? String ?? "").dropFirst(2), radix: 16) ?? -1 }

    @Test func listNamesEveryReportFile() throws {
        let list = try ledger.kholedger(["report", "--list", "--format", "csv"]).stdout
        let files = try FileManager.default.contentsOfDirectory(atPath: ReferenceVector.packageRoot.appendingPathComponent("Reports").path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count == 7)
        let lines = list.split(separator: "\n").map(String.init)
        #expect(lines.first == "name,shows,file")
        #expect(lines.dropFirst().map { String($0.split(separator: ",").first ?? "") + ".sql" } == files)
        #expect(lines.contains { $0.hasPrefix("leaks,blocks a generation handed over that the next generation never claimed.,Reports/leaks.sql") })
    }

    @Test func summaryMatchesTheStateAtEachGenerationsLastOperation() throws {
        let rows = try report("summary")
        let last = try lastSeqs()
        #expect(rows.count == 3)
        for row in rows {
            let generation = try #require(row["generation"] as? Int)
            let seq = try #require(last[generation])
            let state = try ledger.json(["state", "--at", "\(seq)"])
            let totals = try #require(state["totals"] as? [String: Any])
            let areas = try #require(state["areas"] as? [[String: Any]]).filter { $0["kind"] as? String == "vmalloc" }
            let objects = try #require(state["objects"] as? [[String: Any]])
            func objectBytes(_ kind: String) -> Int { objects.filter { $0["kind"] as? String == kind }.reduce(0) { $0 + ($1["bytes"] as? Int ?? 0) } }
            let areaBytes = areas.reduce(0) { $0 + (($1["total_pages"] as? Int ?? 0) + ($1["chunks"] as? Int ?? 0)) * 4096 }

            #expect(row["point_seq"] as? Int == seq)
            #expect(row["ops"] as? Int == (try ledger.seqs(["--generation", "\(generation)"])).count)
            #expect(row["handed_over"] as? Int == (generation < 2 ? 1 : 0))
            #expect(row["preserved_blocks"] as? Int == totals["preserved_blocks"] as? Int)
            #expect(row["preserved_bytes"] as? Int == totals["preserved_bytes"] as? Int)
            #expect(row["vmalloc_bytes"] as? Int == areaBytes)
            #expect(row["folio_bytes"] as? Int == objectBytes("folio"))
            #expect(row["pages_bytes"] as? Int == objectBytes("pages"))
            #expect(row["blob_bytes"] as? Int == objectBytes("blob"))
            #expect(row["fdt_bytes"] as? Int == 4096)
            #expect(row["other_bytes"] as? Int == 0)
            #expect(row["areas"] as? Int == areas.count)
            #expect(row["subtrees"] as? Int == (state["subtrees"] as? [[String: Any]])?.filter { $0["direction"] as? String == "out" }.count)
            #expect(row["memory_bytes"] as? Int == 64 << 20 && row["memory_base"] as? String == state["memory_base"] as? String)
        }
        // The scenario's own figures for generation 0: 10 + 1 and 1024 + 1 pages of areas,
        // a 16 KiB and a 4 KiB folio, a 5-page range, one blob page.
        #expect(rows[0]["vmalloc_bytes"] as? Int == (11 + 1025) * 4096)
        #expect(rows[0]["folio_bytes"] as? Int == 20 << 10 && rows[0]["pages_bytes"] as? Int == 20 << 10)
        #expect(try report("summary", ["--generation", "1"]).map { $0["generation"] as? Int } == [1])
    }

    @Test func ordersCountTheStatesBlocksByOrder() throws {
        let rows = try report("orders")
        for (generation, seq) in try lastSeqs() {
            var expected: [Int: Int] = [:]
            for block in try blocks(try ledger.json(["state", "--at", "\(seq)"])) { expected[block.order, default: 0] += 1 }
            let mine = rows.filter { $0["generation"] as? Int == generation }
            #expect(Dictionary(uniqueKeysWithValues: mine.map { ($0["order"] as? Int ?? -1, $0["blocks"] as? Int ?? -1) }) == expected)
            #expect(mine.allSatisfy { ($0["bytes"] as? Int) == ($0["blocks"] as? Int ?? 0) * (4096 << ($0["order"] as? Int ?? 0)) })
        }
        #expect(rows.contains { $0["generation"] as? Int == 0 && $0["order"] as? Int == 9 && $0["blocks"] as? Int == 2 })
    }

    @Test func fragmentationMergesTheStatesBlocksIntoRuns() throws {
        let rows = try report("fragmentation")
        for (generation, seq) in try lastSeqs() {
            let state = try ledger.json(["state", "--at", "\(seq)"])
            let base = address(state["memory_base"]), top = base + (state["memory_size"] as? Int ?? 0)
            var runs: [(lo: Int, hi: Int)] = []
            for block in try blocks(state).sorted(by: { $0.phys < $1.phys }) {
                let hi = block.phys + (4096 << block.order)
                if let last = runs.last, block.phys <= last.hi { runs[runs.count - 1].hi = max(last.hi, hi) } else { runs.append((block.phys, hi)) }
            }
            var free: [(lo: Int, hi: Int)] = []
            var cursor = base
            for run in runs {
                if run.lo > cursor { free.append((cursor, run.lo)) }
                cursor = run.hi
            }
            if top > cursor { free.append((cursor, top)) }
            let largest = free.max { ($0.hi - $0.lo, $1.lo) < ($1.hi - $1.lo, $0.lo) }!

            let row = try #require(rows.first { $0["generation"] as? Int == generation })
            #expect(row["preserved_runs"] as? Int == runs.count)
            #expect(row["preserved_bytes"] as? Int == runs.reduce(0) { $0 + $1.hi - $1.lo })
            #expect(row["largest_preserved_run"] as? Int == runs.map { $0.hi - $0.lo }.max())
            #expect(row["free_runs"] as? Int == free.count)
            #expect(row["free_bytes"] as? Int == free.reduce(0) { $0 + $1.hi - $1.lo })
            #expect(row["largest_free_run"] as? Int == largest.hi - largest.lo)
            #expect(row["largest_free_phys"] as? String == "0x" + String(largest.lo, radix: 16))
        }
    }

    @Test func leaksAreWhatTheNextGenerationNeverRestored() throws {
        let rows = try report("leaks")
        func fdt(_ generation: Int) throws -> Int {
            address(try ToolRunner.sqlite(ledger.path, "SELECT fdt_phys FROM v_generations WHERE generation = \(generation)")
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // Generation 0: the scenario restores the areas, the blob and "big", not "lone"
        // or the page range; KHO's root FDT page is KHO's own, not a leak.
        let handover = try ledger.json(["state", "--at", "gen:0"])
        let objects = try #require(handover["objects"] as? [[String: Any]])
        func phys(_ name: String) -> Int { address(objects.first { $0["name"] as? String == name }?["phys"]) }
        let expected = Set(["\(phys("lone")) 0 lone", "\(phys("range")) 2 range", "\(phys("range") + 16384) 0 range"])
        let first = rows.filter { $0["generation"] as? Int == 0 }
        #expect(Set(first.map { "\(address($0["phys"])) \($0["order"] as? Int ?? -1) \($0["subject"] as? String ?? "")" }) == expected)
        #expect(first.allSatisfy { $0["next_generation"] as? Int == 1 })

        // Generation 2 claims nothing: everything generation 1 handed over leaked but KHO's own pages,
        // its root FDT page and its kexec-metadata page.
        let second = try report("leaks", ["--generation", "1"])
        let metadata = address(try ToolRunner.sqlite(ledger.path, """
            SELECT phys FROM v_subtrees WHERE generation = 1 AND direction = 'out' AND name = 'kexec-metadata'
            """).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let handedOver = try blocks(try ledger.json(["state", "--at", "gen:1"])).filter { $0.phys != (try? fdt(1)) && $0.phys != metadata }
        #expect(Set(second.map { "\(address($0["phys"])) \($0["order"] as? Int ?? -1)" }) == Set(handedOver.map { "\($0.phys) \($0.order)" }))
        #expect(second.count == 12 && rows.count == first.count + second.count)
    }

    @Test func timelineIsTheStatesPreservedBytesAfterEveryOperation() throws {
        let rows = try report("timeline")
        let seqs = try ledger.seqs()
        #expect(rows.compactMap { $0["seq"] as? Int } == seqs)
        var previous: (generation: Int, bytes: Int)?
        for row in rows {
            let seq = try #require(row["seq"] as? Int), generation = try #require(row["generation"] as? Int)
            let totals = try #require(try ledger.json(["state", "--at", "\(seq)"])["totals"] as? [String: Any])
            let bytes = try #require(totals["preserved_bytes"] as? Int)
            #expect(row["preserved_bytes"] as? Int == bytes, "seq \(seq)")
            let before = previous?.generation == generation ? previous!.bytes : 0
            #expect(row["delta_bytes"] as? Int == bytes - before, "seq \(seq)")
            previous = (generation, bytes)
        }
        // The unpreserved folio shows as a drop of one page.
        let unpreserve = try ledger.seq(of: "unpreserve_folio", generation: 0)
        #expect(rows.first { $0["seq"] as? Int == unpreserve }?["delta_bytes"] as? Int == -4096)
    }

    @Test func subsystemsGroupTheStatesObjectsByConsumer() throws {
        let rows = try report("subsystems")
        for (generation, seq) in try lastSeqs() {
            let state = try ledger.json(["state", "--at", "\(seq)"])
            var expected: [String: Int] = ["(kho)": 4096]
            for area in try #require(state["areas"] as? [[String: Any]]) where area["kind"] as? String == "vmalloc" {
                expected[area["name"] as? String ?? "", default: 0] += ((area["total_pages"] as? Int ?? 0) + (area["chunks"] as? Int ?? 0)) * 4096
            }
            let objects = try #require(state["objects"] as? [[String: Any]]).filter { !($0["kind"] as? String ?? "").hasPrefix("restored") }
            for object in objects {
                let consumer = String((object["name"] as? String ?? "").split(separator: "/").first ?? "")
                expected[consumer, default: 0] += object["bytes"] as? Int ?? 0
            }
            let mine = rows.filter { $0["generation"] as? Int == generation }
            #expect(Dictionary(uniqueKeysWithValues: mine.map { ($0["consumer"] as? String ?? "", $0["bytes"] as? Int ?? -1) }) == expected)
            #expect(mine.reduce(0) { $0 + ($1["bytes"] as? Int ?? 0) } == (state["totals"] as? [String: Any])?["preserved_bytes"] as? Int)

            // A subtree belongs to the consumer whose object holds its blob.
            for subtree in try #require(state["subtrees"] as? [[String: Any]]) where subtree["direction"] as? String == "out" {
                let holder = objects.first { address($0["phys"]) == address(subtree["phys"]) }?["name"] as? String ?? ""
                let consumer = String(holder.split(separator: "/").first ?? "")
                #expect(mine.first { $0["consumer"] as? String == consumer }?["subtrees"] as? String == subtree["name"] as? String)
            }
            // Operations on a consumer's names, from the log.
            let log = try #require(try JSONSerialization.jsonObject(with: Data(try ledger.kholedger(["log", "--generation", "\(generation)", "--format", "json"]).stdout.utf8)) as? [[String: Any]])
            for row in mine where row["consumer"] as? String != "(kho)" {
                let consumer = row["consumer"] as? String ?? ""
                let ops = log.filter { ($0["subject"] as? String).map { $0 == consumer || $0.hasPrefix(consumer + "/") } ?? false }
                #expect(row["ops"] as? Int == ops.count, "\(consumer)")
            }
        }
        #expect(rows.contains { $0["generation"] as? Int == 1 && $0["consumer"] as? String == "journal" && $0["subtrees"] as? String == "journal-tree" })
    }

    @Test func memoryMapListsEveryPreservedBlockWithItsOwner() throws {
        let rows = try report("memory-map")
        for (generation, seq) in try lastSeqs() {
            let expected = try blocks(try ledger.json(["state", "--at", "\(seq)"])).map { "\($0.phys) \($0.order)" }
            let mine = rows.filter { $0["generation"] as? Int == generation }
            #expect(mine.map { "\(address($0["phys"])) \($0["order"] as? Int ?? -1)" } == expected)
            #expect(mine.allSatisfy { ($0["pfn"] as? Int) == address($0["phys"]) / 4096 && ($0["pages"] as? Int) == 1 << ($0["order"] as? Int ?? 0) })
        }
        let big = try #require(rows.first { $0["generation"] as? Int == 0 && $0["subject"] as? String == "big" })
        #expect(big["preserved_by"] as? String == "preserve_folio" && big["order"] as? Int == 2)
    }

    @Test func textAndCSVCarryTheSameRows() throws {
        let json = try report("orders")
        let csv = try ledger.kholedger(["report", "orders", "--format", "csv"]).stdout.split(separator: "\n")
        #expect(csv.first == "generation,order,blocks,block_bytes,bytes")
        #expect(csv.dropFirst().map(String.init) == json.map { row in
            ["generation", "order", "blocks", "block_bytes", "bytes"].map { "\(row[$0] as? Int ?? -1)" }.joined(separator: ",")
        })
        let text = try ledger.kholedger(["report", "orders"]).stdout.split(separator: "\n")
        #expect(text.first?.hasPrefix("generation  order  blocks") == true && text.count == json.count + 1)
    }

    @Test(arguments: [
        (["report", "bogus"], "error: unknown report \"bogus\": the reports are fragmentation, leaks, memory-map, orders, subsystems, summary, timeline"),
        (["report", "leaks", "--generation", "9"], "error: generation 9 is not in the ledger: its generations are 0…2"),
        (["report", "leaks", "--generation", "0", "--generation", "1"], "error: report leaks takes one --generation, not 2"),
        (["report"], "error: give one of: a report NAME, --list, or --html FILE"),
        (["report", "summary", "--list"], "error: give one of: a report NAME, --list, or --html FILE"),
    ])
    func badRequestsAreOneErrorLine(arguments: [String], message: String) throws {
        let result = try ledger.kholedger(arguments)
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix(message), "\(result.stderr)")
    }

    /// Text for people: byte columns in binary units, numbers right-aligned
    /// under right-aligned headings; `sql` keeps the plain counts.
    @Test func textShowsBytesInUnitsAndAlignsNumbers() throws {
        let rows = try report("orders")
        let text = try ledger.kholedger(["report", "orders"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == rows.count + 1)
        // Every column holds numbers, so every line ends at the same column.
        #expect(Set(lines.map(\.count)).count == 1, "\(text.stdout)")
        #expect(lines[0].split(separator: " ") == ["generation", "order", "blocks", "block_bytes", "bytes"])
        func units(_ bytes: Int) -> String {
            let unit = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")].first { bytes != 0 && bytes % (1 << $0.0) == 0 }
            return unit.map { "\(bytes >> $0.0) \($0.1)" } ?? "\(bytes) B"
        }
        for (line, row) in zip(lines.dropFirst(), rows) {
            let expected = ["\(row["generation"] as? Int ?? -1)", "\(row["order"] as? Int ?? -1)", "\(row["blocks"] as? Int ?? -1)",
                            units(row["block_bytes"] as? Int ?? -1), units(row["bytes"] as? Int ?? -1)]
            #expect(line.split(separator: " ").joined(separator: " ") == expected.joined(separator: " "), "\(line)")
        }
        #expect(text.stdout.contains(" 4 KiB ") && text.stdout.contains("2 MiB"), "\(text.stdout)")
        let sql = try ledger.kholedger(["sql", "SELECT 'x' AS name, 4096 AS bytes"])
        #expect(sql.stdout == "name  bytes\nx      4096\n", "\(sql.stdout)")
    }
}
