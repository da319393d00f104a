import Foundation
import KHOABI
import KHOImage
import KHOTestSupport
import Testing

/// Crafted captures whose counts and sizes lie: each gives one clear error
/// line or the correct answer, with the `kholedger` process held to a
/// 256 MiB address space (an allocation sized by an untrusted count would
/// abort it) — memory bounded by the input's real size. Under a sanitizer,
/// whose runtime reserves terabytes of address space for its shadow memory,
/// the runtime's allocator holds it instead: no allocation above 256 MiB,
/// at most 1 GiB resident.
@Suite("Hostile inputs")
struct HostileInputTests {
    static let geometry = PageGeometry.kib4
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// Runs `kholedger arguments…` with a 256 MiB address-space limit (a
    /// sanitizer's allocator limits under a sanitizer).
    private func bounded(_ arguments: [String]) throws -> ToolResult {
        try ToolRunner.runInBoundedMemory(arguments)
    }

    /// A new ledger `name` in the test's folder, simulated from the example
    /// scenario `example`.
    private func simulated(_ example: String, into name: String) throws -> String {
        let ledger = directory.path(name)
        let made = try ToolRunner.run(["simulate", ToolRunner.examples.appendingPathComponent(example).path, "--quiet", "--ledger", ledger])
        #expect(made.status == 0, "\(made.stderr)")
        return ledger
    }

    /// Expects exit status 1 and exactly one `error:` line containing `text`.
    private func expectOneError(_ result: ToolResult, containing text: String) {
        #expect(result.status == 1, "status \(result.status): \(result.stderr)")
        let lines = result.stderr.split(whereSeparator: \.isNewline)
        #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && lines[0].contains(text), "\(result.stderr)")
    }

    /// An ELF core of `pages` (physical address → page bytes), plus `filler`
    /// one-byte segments far above them.
    private func core(_ pages: [UInt64: [UInt8]], filler: Int = 0) throws -> String {
        let path = directory.path("crafted-\(UUID().uuidString).elf")
        let segments = pages.sorted { $0.key < $1.key }.map { (paddr: $0.key, bytes: $0.value) }
            + (0..<filler).map { (paddr: 0x1_0000_0000 + UInt64($0) * 2, bytes: [UInt8(truncatingIfNeeded: $0)]) }
        try ElfCoreWriter(alignment: 1).write(segments: segments, toPath: path)
        return path
    }

    private func descriptor(first: UInt64, totalPages: UInt32) -> [UInt8] {
        VmallocDescriptor(first: first, totalPages: totalPages, flags: [], order: 0).encode()
            + [UInt8](repeating: 0, count: Self.geometry.pageSize - VmallocDescriptor.size)
    }

    private func chunk(next: UInt64, entries: [UInt64]) throws -> [UInt8] {
        try VmallocChunk(next: next, entries: entries).encode(geometry: Self.geometry)
    }

    private func restore(_ image: String, descriptor: UInt64 = 0x1000) throws -> ToolResult {
        try bounded(["restore", "--image", image, "--descriptor-phys", hex(descriptor), "--output", directory.path("area.bin")])
    }

    @Test func totalPagesNear4GiBWithAShortChain() throws {
        let image = try core([0x1000: descriptor(first: 0x2000, totalPages: .max),
                              0x2000: try chunk(next: 0, entries: [0x3000]),
                              0x3000: [UInt8](repeating: 7, count: 4096)])
        expectOneError(try restore(image), containing: "the chunks list 1 pages, the descriptor declares total_pages 4294967295")
    }

    @Test func millionEntryChunkListNamingOnePage() throws {
        // 2,000 chunk pages of 511 entries: 1,022,000 entries, all the same page.
        let chunks = 2000, entries = Self.geometry.vmallocChunkEntries
        var pages: [UInt64: [UInt8]] = [0x1000: descriptor(first: 0x10000, totalPages: UInt32(chunks * entries)),
                                        0x3000: [UInt8](repeating: 7, count: 4096)]
        for index in 0..<chunks {
            let phys = 0x10000 + UInt64(index) * 0x1000
            pages[phys] = try chunk(next: index + 1 < chunks ? phys + 0x1000 : 0, entries: Array(repeating: 0x3000, count: entries))
        }
        let result = try restore(try core(pages))
        expectOneError(result, containing: "chunk 0 entry 1: page 0x3000 has no KHO magic (never preserved, a tail page, or already restored)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("area.bin")))
    }

    @Test func longChunkChainEndingInACycle() throws {
        let chunks = 4000
        var pages: [UInt64: [UInt8]] = [0x1000: descriptor(first: 0x10000, totalPages: 1)]
        for index in 0..<chunks {
            let phys = 0x10000 + UInt64(index) * 0x1000
            pages[phys] = try chunk(next: index + 1 < chunks ? phys + 0x1000 : 0x10000, entries: [])
        }
        expectOneError(try restore(try core(pages)), containing: "chunk 4000 at 0x10000 is chunk 0 again: the chunk list has a cycle")
    }

    @Test func elfWith65535Segments() throws {
        // 65,532 filler segments + 3 pages: e_phnum is PN_XNUM, the count in section header 0.
        let data = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let image = try core([0x1000: descriptor(first: 0x2000, totalPages: 1),
                              0x2000: try chunk(next: 0, entries: [0x3000]), 0x3000: data], filler: 65_532)
        let result = try restore(image)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: directory.url.appendingPathComponent("area.bin")) == Data(data))
    }

    /// The capture of a recorded generation with its root FDT rewritten (as
    /// source) by `edit`.
    private func editedCapture(_ capture: RecordedCapture, _ name: String, _ edit: (String) -> String) throws -> String {
        let dtc = URL(fileURLWithPath: "/usr/bin/dtc")
        let source = try ToolRunner.run(dtc, ["-I", "dtb", "-O", "dts", capture.fdt]).stdout
        let path = directory.path("\(name).dts")
        try Data(edit(source).utf8).write(to: URL(fileURLWithPath: path))
        let compiled = try ToolRunner.run(dtc, ["-I", "dts", "-O", "dtb", "-o", directory.path("\(name).dtb"), path])
        guard compiled.status == 0 else { throw FixtureError("dtc: \(compiled.stderr)") }
        return directory.path("\(name).dtb")
    }

    @Test func deepAndHugeRootFDTs() throws {
        let capture = try RecordedCapture()
        let walk = try ToolRunner.run(["walk", "--fdt", capture.fdt, "--image", capture.image])
        #expect(walk.status == 0, "\(walk.stderr)")
        let subtree = "\ts19 {\n"
        // 3,000 levels of nodes and 20,000 properties inside a subtree: the walk does not look inside it.
        let deep = try editedCapture(capture, "deep") { source in
            // After the subtree's properties, before its closing brace.
            let end = source.range(of: "\n\t};", range: source.range(of: subtree)!.upperBound ..< source.endIndex)!
            return source.replacingCharacters(in: end.lowerBound ..< end.lowerBound, with: "\n" + String(repeating: "n {\n", count: 3000)
                + "leaf = <1>;\n" + String(repeating: "};\n", count: 3000))
        }
        let wide = try editedCapture(capture, "wide") { source in
            source.replacingOccurrences(of: subtree, with: subtree + (0..<20_000).map { "p\($0) = <\($0)>;\n" }.joined())
        }
        for fdt in [deep, wide] {
            let result = try bounded(["walk", "--fdt", fdt, "--image", capture.image])
            #expect(result.status == 0 && result.stdout == walk.stdout, "\(fdt): \(result.stderr)")
        }
        // 5,000 subnodes of the root that are not subtrees: one error naming the first.
        let many = try editedCapture(capture, "many") { source in
            source.replacingOccurrences(of: subtree, with: (0..<5000).map { "\tw\($0) { x = <1>; };\n" }.joined() + subtree)
        }
        expectOneError(try bounded(["walk", "--fdt", many, "--image", capture.image]), containing: "node /w0 has no property preserved-data")
    }

    @Test(arguments: [("0x40 0x0", "1073741824"), ("0x0 0x40", "4611686018427387904"), ("0xffffffff 0xffffffff", "18446744073709551615")])
    func blobSizeBeyondTheImage(_ cells: String, _ size: String) throws {
        let capture = try RecordedCapture()
        let fdt = try editedCapture(capture, "blob") { source in
            source.replacingOccurrences(of: "\ts19 {\n\t\tblob-size = <0x10000000 0x00>;", with: "\ts19 {\n\t\tblob-size = <\(cells)>;")
        }
        let digest = try CrashHarness.contentDigest(capture.base)
        let result = try bounded(["import", "--fdt", fdt, "--image", capture.image, "--ledger", capture.base])
        expectOneError(result, containing: "subtree s19: its \(size)-byte blob")
        #expect(try CrashHarness.contentDigest(capture.base) == digest)
    }
    /// Ledger rows holding values no recording writes (a damaged or edited
    /// ledger): every command that reads one stops with one error line naming
    /// the table, the row, the column and the value (`audit`: a `corrupt-row`
    /// finding), within the bounded memory; none traps, hangs or allocates by
    /// the value.
    @Test(arguments: [
        ("UPDATE preserved_run SET ord = -1", "preserved_run row", "ord = -1"),
        ("UPDATE preserved_run SET count = 4611686018427387904", "preserved_run row", "count = 4611686018427387904"),
        ("UPDATE object SET total_pages = -1", "object row", "total_pages = -1"),
        ("UPDATE object SET ord = -1 WHERE descriptor_phys IS NOT NULL", "object row", "ord = -1"),
        ("UPDATE object_extent SET count = -1", "object_extent row object_id", "count = -1"),
        ("UPDATE object_extent SET ord = 99", "object_extent row object_id", "ord = 99"),
        ("UPDATE generation SET memory_size = -4096", "generation row", "memory_size = -4096"),
        ("UPDATE generation SET memory_base = 9223372036854771712", "generation row", "memory_base = 9223372036854771712"),
        // A value of another SQLite type than the column's: text, a blob, a real.
        ("UPDATE generation SET page_size = 'x'", "generation row", "page_size = 'x' (text), expected an integer"),
        ("UPDATE generation SET page_size = 8192", "generation row", "page_size = 8192, expected a page size of 4096, 16384, 65536 bytes"),
        ("UPDATE preserved_run SET ord = 'x'", "preserved_run row", "ord = 'x' (text)"),
        ("UPDATE preserved_run SET phys = 4096.5", "preserved_run row", "phys = 4096.5 (a real)"),
        ("UPDATE object SET name = x'00ff' WHERE name = 'state'", "object row", "name = a blob of 2 bytes, expected text"),
        ("UPDATE object SET kind = 'shelf' WHERE name = 'state'", "object row", "kind = 'shelf' (text), expected a known kind"),
    ])
    func corruptLedgerRowsAreOneErrorLine(_ update: String, _ row: String, _ value: String) throws {
        let ledger = try simulated("multi-generation.yaml", into: "corrupt.db")
        let edited = try ToolRunner.sqlite(ledger, update)
        #expect(edited.status == 0, "\(edited.stderr)")
        // Each of these reads the edited rows (generation 0's area "state", its extents in the diff).
        let commands: [[String]] = [["state", "--at", "gen:0"], ["audit"], ["diff", "gen:0", "gen:1"],
                                    ["export", "--at", "gen:0", "--image", directory.path("x.elf"), "--fdt", directory.path("x.dtb")],
                                    ["restore", "--area", "state", "--at", "gen:0", "--output", directory.path("state.bin")]]
        for command in commands {
            let result = try bounded(command + ["--ledger", ledger])
            #expect(!result.signaled, "\(update): \(command) was killed: \(result.stderr.prefix(300))")
            let lines = result.stderr.split(whereSeparator: \.isNewline)
            let reads = command[0] == "diff" || !row.hasPrefix("object_extent")
            if reads, command[0] == "audit", !row.hasPrefix("generation") {
                // The audit reports the row as a finding (with a generation row, it cannot resolve its scope: one error line).
                let finding = result.stdout.split(whereSeparator: \.isNewline).first { $0.contains("corrupt-row") }
                #expect(result.status == 1 && result.stderr.isEmpty && finding?.contains(row) == true && finding?.contains(value) == true,
                        "\(update): audit: status \(result.status): \(result.stdout.prefix(300))\(result.stderr.prefix(300))")
            } else if reads {
                #expect(result.status != 0 && lines.count == 1 && lines[0].hasPrefix("error: ") && lines[0].contains("\(ledger): corrupt ledger row: \(row)")
                            && lines[0].contains(value), "\(update): \(command): status \(result.status): \(result.stderr.prefix(300))")
            }
        }
    }

    /// A scenario name longer than ``KHONameLimit`` is refused at its line
    /// before anything is recorded; one of exactly the limit is taken.
    @Test func scenarioNameLongerThanTheLimit() throws {
        func simulate(_ name: String) throws -> (ToolResult, String) {
            let yaml = "machine: {memory: 16MiB}\nsteps:\n  - vmalloc: {name: \(name), size: 4096}\n  - vfree: {area: \(name)}\n"
            let ledger = directory.path("names-\(name.count).db")
            return (try bounded(["simulate", try directory.write("names-\(name.count).yaml", yaml), "--ledger", ledger, "--quiet"]), ledger)
        }
        let (refused, ledger) = try simulate(String(repeating: "n", count: KHONameLimit.bytes + 1))
        expectOneError(refused, containing: "line 3")
        #expect(refused.stderr.contains("a name of 256 bytes is longer than 255 bytes, the limit"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        let (taken, _) = try simulate(String(repeating: "n", count: KHONameLimit.bytes))
        #expect(taken.status == 0, "\(taken.stderr)")
    }

    /// A value of the wrong SQLite type in a hashed row: `audit --chain`
    /// names the row in a corrupt-row finding, `log` and `show`
    /// stop with one error line (before, each trapped in GRDB decoding).
    @Test func wrongTypesInHashedRowsAreNamed() throws {
        let ledger = try simulated("multi-generation.yaml", into: "typed.db")
        let seq = try ToolRunner.sqlite(ledger, "SELECT min(seq) FROM op_change").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let last = try ToolRunner.sqlite(ledger, "SELECT max(seq) FROM op").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let edited = try ToolRunner.sqlite(ledger, "UPDATE op_change SET ord = 'x' WHERE seq = \(seq); UPDATE op SET errno = 'x' WHERE seq = \(last)")
        #expect(edited.status == 0, "\(edited.stderr)")
        let changeRow = "corrupt ledger row: op_change row seq \(seq), part 0: ord = 'x' (text), expected an integer"

        let chain = try bounded(["audit", "--chain", "--ledger", ledger])
        let finding = chain.stdout.split(whereSeparator: \.isNewline).first { $0.contains("corrupt-row") } ?? ""
        #expect(chain.status == 1 && !chain.signaled && finding.contains(changeRow), "\(chain.stdout)\(chain.stderr)")
        expectOneError(try bounded(["log", "--ledger", ledger]), containing: "corrupt ledger row: op row \(last): errno = 'x' (text), expected an integer")
        expectOneError(try bounded(["show", seq, "--ledger", ledger]), containing: changeRow)
    }

    /// Copies of memory kept beside the pages (chunk pages, subtree blobs)
    /// whose address or bytes no recording writes: the stored-bytes check
    /// names the row in a corrupt-row finding (before, an address of 2^64 - 1
    /// overflowed and a number where the bytes belong trapped).
    @Test(arguments: [
        ("UPDATE chunk SET phys = -1", "chunk row object_id", "phys = -1, expected a copy that ends below 2^64"),
        ("UPDATE subtree SET phys = -1", "subtree row", "phys = -1, expected a copy that ends below 2^64"),
        ("UPDATE chunk SET bytes = -1", "chunk row object_id", "bytes = -1, expected a blob"),
    ])
    func storedCopiesWithImpossibleValuesAreCorruptRows(_ update: String, _ row: String, _ value: String) throws {
        let ledger = try simulated("audit-chunk-list.yaml", into: "copies.db")
        #expect(try ToolRunner.sqlite(ledger, update).status == 0)
        let audit = try bounded(["audit", "--ledger", ledger])
        let finding = audit.stdout.split(whereSeparator: \.isNewline).first { $0.contains("corrupt-row") } ?? ""
        #expect(audit.status == 1 && !audit.signaled && finding.contains(row) && finding.contains(value), "\(update): \(audit.stdout)\(audit.stderr)")
    }

    /// Counts of 2^62 in the run-length rows: the views and reports that
    /// expand runs into blocks stop at the blocks the generation's memory
    /// holds, and a report still running at its --timeout stops with one
    /// line (before, `report leaks` and the views recursed 2^62 times).
    @Test func expansionsOfACorruptCountEndAtTheMemory() throws {
        let ledger = try simulated("multi-generation.yaml", into: "expanded.db")
        let edited = try ToolRunner.sqlite(ledger, """
            UPDATE preserved_run SET count = 4611686018427387904; UPDATE object_extent SET count = 4611686018427387904;
            UPDATE op_change SET count = 4611686018427387904
            """)
        #expect(edited.status == 0, "\(edited.stderr)")
        // The most blocks the expansions may give: every row's blocks of its order filling its generation's memory.
        let bound = try ToolRunner.sqlite(ledger, """
            SELECT sum(g.memory_size / (g.page_size << r.ord)) FROM preserved_run r JOIN generation g ON g.generation = r.generation
            """).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for view in ["v_preserved", "v_frames"] {
            let counted = try ToolRunner.run(["sql", "SELECT count(*) FROM \(view)", "--format", "csv", "--timeout", "0", "--ledger", ledger],
                                             timeout: 120)
            #expect(counted.status == 0 && !counted.timedOut, "\(view): \(counted.stderr)")
            let rows = Int(counted.stdout.split(whereSeparator: \.isNewline).last ?? "") ?? -1
            #expect(rows > 0 && (view == "v_frames" || rows <= Int(bound) ?? 0), "\(view): \(rows) rows, bound \(bound)")
        }
        // Millions of blocks handed over: the leak rule's view and the reports answer, or stop at their time limit.
        for arguments in [["sql", "SELECT count(*) FROM v_handed_over"], ["report", "leaks"], ["report", "memory-map"]] {
            let result = try ToolRunner.run(arguments + ["--timeout", "5", "--ledger", ledger], timeout: 120)
            let stopped = result.stderr.hasPrefix("error: ") && result.stderr.contains("stopped when its time limit of 5.0 seconds ran out")
                && result.stderr.split(whereSeparator: \.isNewline).count == 1
            #expect(!result.timedOut && (result.status == 0 || (result.status == 1 && stopped)),
                    "\(arguments): status \(result.status): \(result.stderr)")
        }
        let audit = try ToolRunner.run(["audit", "--ledger", ledger], timeout: 120)
        #expect(!audit.timedOut && audit.status == 1 && audit.stdout.contains("corrupt-row"), "audit: \(audit.stdout)\(audit.stderr)")
    }

    /// Counts of 2^62 make the canned reports' sums pass 2^63 - 1 (SQLite's
    /// "integer overflow"): one line naming the report and what is wrong.
    @Test func reportTotalsBeyond64Bits() throws {
        let ledger = try simulated("multi-generation.yaml", into: "overflow.db")
        let edited = try ToolRunner.sqlite(ledger, "UPDATE preserved_run SET count = 4611686018427387904")
        #expect(edited.status == 0, "\(edited.stderr)")
        for (arguments, report) in [(["report", "summary"], "summary"), (["report", "orders"], "orders"),
                                    (["report", "--html", directory.path("r.html")], "summary")] {
            expectOneError(try bounded(arguments + ["--ledger", ledger]),
                           containing: "report \(report): a total passes 2^63 - 1 bytes or blocks: the ledger holds a corrupt count or size")
        }
    }
}
