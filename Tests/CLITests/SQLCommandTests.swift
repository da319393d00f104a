import Foundation
import KHOTestSupport
import Testing

/// `kholedger sql`: the ledger cannot be changed through it, and its output
/// matches the sqlite3 shell's.
@Suite("sql command")
struct SQLCommandTests {
    let ledger: SimulatedLedger

    init() throws { ledger = try SimulatedLedger(example: "multi-generation.yaml") }

    /// SHA-256 of the ledger file and of its -wal ("absent" when there is none).
    private func fingerprint() throws -> [String] {
        try [ledger.path, ledger.path + "-wal"].map { path in
            guard FileManager.default.fileExists(atPath: path) else { return "absent" }
            return try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [path]).stdout
        }
    }

    /// Statements that change a writable copy of the ledger in the sqlite3
    /// shell, and what `sql` says about each.
    static let writes: [(sql: String, refusal: String)] = [
        ("INSERT INTO ledger_meta (key, value) VALUES ('x', 'y')", "inserts into ledger_meta"),
        ("UPDATE op SET kind = 'forged' WHERE seq = 1", "updates op.kind"),
        ("DELETE FROM op_change", "deletes from op_change"),
        ("DROP VIEW v_ops", "changes the schema"),
        ("CREATE TABLE notes (text TEXT)", "changes the schema"),
        ("PRAGMA journal_mode=DELETE", "sets journal_mode"),
        ("PRAGMA user_version=5", "sets user_version"),
        ("SELECT count(*) FROM op; DELETE FROM op WHERE seq > 40", "deletes from op"),
    ]

    @Test(arguments: writes)
    func writesAreRefusedAndChangeNothing(sql: String, refusal: String) throws {
        // The statement really writes: on a writable copy, sqlite3 changes the file.
        let copy = ledger.directory.path("copy.db")
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: ledger.path, toPath: copy)
        let before = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [copy]).stdout
        #expect(try ToolRunner.sqlite(copy, sql).status == 0)
        #expect(try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [copy]).stdout != before)

        _ = try ledger.kholedger(["sql", "SELECT 1"])   // the first read settles the -wal and -shm files
        let unchanged = try fingerprint()
        let result = try ledger.kholedger(["sql", sql])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "nothing runs when any statement is refused: \(result.stdout)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.hasPrefix("error: the ledger is read-only: "), "\(result.stderr)")
        #expect(result.stderr.contains("refused (\(refusal))"), "\(result.stderr)")
        #expect(try fingerprint() == unchanged)
    }

    @Test(arguments: [
        ("ATTACH DATABASE 'other.db' AS other", "attaches"),
        ("SELECT load_extension('libnothing')", "loads an extension"),
        ("VACUUM INTO 'copy.db'", "writes"),
        ("BEGIN IMMEDIATE", "controls a transaction"),
        ("SELECT * FROM pragma_table_info('op')", "changes the schema"),
        ("PRAGMA wal_checkpoint(TRUNCATE)", "sets wal_checkpoint"),
    ])
    func attachExtensionsAndTransactionsAreRefused(sql: String, refusal: String) throws {
        _ = try ledger.kholedger(["sql", "SELECT 1"])
        let unchanged = try fingerprint()
        let result = try ToolRunner.run(["sql", sql, "--ledger", ledger.path], directory: ledger.directory.url)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("the ledger is read-only: ") && result.stderr.contains("refused (\(refusal)"), "\(result.stderr)")
        #expect(try fingerprint() == unchanged)
        #expect(!FileManager.default.fileExists(atPath: ledger.directory.path("other.db")))
        #expect(!FileManager.default.fileExists(atPath: ledger.directory.path("copy.db")))
    }

    /// The packed layout rows list their blocks as JSON: `json_each` reads
    /// them in the console as in the sqlite3 shell (other virtual tables,
    /// `pragma_table_info` above, stay refused).
    @Test func packedListsExpandAsInTheSqliteShell() throws {
        let query = "SELECT c.seq, c.part, j.key, j.value FROM op_change c JOIN json_each(c.blocks) j WHERE c.blocks IS NOT NULL ORDER BY 1, 2, 3"
        let ours = try ledger.kholedger(["sql", query, "--format", "csv"])
        let shell = try ToolRunner.sqlite(ledger.path, query, options: ["-csv", "-header"])
        #expect(ours.status == 0 && ours.stderr.isEmpty, "\(ours.stderr)")
        #expect(ours.stdout == shell.stdout.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(ours.stdout.split(separator: "\n").count > 100, "the story's scattered areas give packed rows")
    }

    @Test func reportingPragmasAreAllowed() throws {
        let result = try ledger.kholedger(["sql", "PRAGMA table_info(op); PRAGMA page_size", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let both = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[[String: Any]]])
        #expect(both[0].compactMap { $0["name"] as? String }.prefix(3) == ["seq", "generation", "time"])
        #expect(both[1].first?["page_size"] as? Int == 65536)
    }

    static let query = "SELECT seq, kind, subject, detail, 'a,b \"c\"' AS quoted, NULL AS absent, 1.5 AS half FROM v_ops WHERE seq <= 12 ORDER BY seq"

    @Test func csvMatchesTheSqliteShell() throws {
        let ours = try ledger.kholedger(["sql", Self.query, "--format", "csv"])
        let shell = try ToolRunner.sqlite(ledger.path, Self.query, options: ["-csv", "-header"])
        #expect(ours.status == 0 && ours.stderr.isEmpty)
        #expect(ours.stdout == shell.stdout.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(ours.stdout.split(separator: "\n").count == 13)
    }

    @Test func jsonMatchesTheSqliteShell() throws {
        let ours = try ledger.kholedger(["sql", Self.query, "--format", "json"])
        let shell = try ToolRunner.sqlite(ledger.path, Self.query, options: ["-json"])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(ours.stdout.utf8)) as? NSArray)
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(shell.stdout.utf8)) as? NSArray)
        #expect(parsed == expected)
        #expect(parsed.count == 12)
        // Keys keep the column order.
        #expect(ours.stdout.contains("{\"seq\": 1, \"kind\": \"boot\", \"subject\": null, \"detail\": null, \"quoted\": \"a,b \\\"c\\\"\""))
    }

    @Test func tableAlignsColumnsAndSpellsOutNull() throws {
        let seq = try opCount("SELECT min(seq) FROM op WHERE kind = 'preserve_vmalloc'")
        let result = try ledger.kholedger(["sql", "SELECT seq, kind, subject FROM v_ops WHERE seq IN (1, \(seq)) ORDER BY seq", "--format", "table"])
        // Numbers (and the heading over them) are right-aligned, text left-aligned.
        let seqs = rightAligned("seq", over: ["1", "\(seq)"])
        #expect(result.stdout == """
            \(seqs[0])  kind              subject
            \(seqs[1])  boot              NULL
            \(seqs[2])  preserve_vmalloc  state

            """)
        let blob = try ledger.kholedger(["sql", "SELECT bytes FROM v_chunks LIMIT 1"])
        #expect(blob.stdout.hasPrefix("bytes\nx'"))
        #expect(blob.stdout.hasSuffix("… (4096 bytes)\n"))
    }

    @Test func parametersBindIntegersAndAddresses() throws {
        let descriptor = try #require(try ToolRunner.sqlite(ledger.path, "SELECT descriptor_phys FROM v_areas WHERE generation = 1 AND name = 'journal' AND kind = 'vmalloc'")
            .stdout.split(separator: "\n").first.map(String.init))
        let result = try ledger.kholedger(["sql", "SELECT name, typeof(:generation) AS type FROM v_areas WHERE generation = :generation AND descriptor_phys = :d",
                                           "--param", "generation=1", "--param", "d=\(descriptor)", "--format", "csv"])
        #expect(result.stdout == "name,type\njournal,integer\n", "\(result.stderr)")
        let unset = try ledger.kholedger(["sql", "SELECT :missing IS NULL AS unset"])
        #expect(unset.stdout == "unset\n    1\n")
    }

    @Test(arguments: [
        (["--param", "seq"], "error: bad --param \"seq\": expected name=value"),
        (["--param", "1x=2"], "error: bad --param \"1x=2\": the name must be"),
        (["--param", "seqq=3"], "error: --param seqq: no statement uses :seqq"),
    ])
    func badParametersAreOneErrorLine(arguments: [String], message: String) throws {
        let result = try ledger.kholedger(["sql", "SELECT :seq"] + arguments)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix(message), "\(result.stderr)")
    }

    @Test func badSQLIsOneErrorLine() throws {
        let result = try ledger.kholedger(["sql", "SELEKT * FROM op"])
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr == "error: SQL error: near \"SELEKT\": syntax error in: SELEKT * FROM op\n")
        let missing = try ToolRunner.run(["sql", "SELECT 1", "--ledger", ledger.directory.path("absent.db")])
        #expect(missing.status == 1 && missing.stderr.contains("no ledger at") && missing.stderr.split(separator: "\n").count == 1)
    }

    @Test func readsStandardInputWhenNoQueryIsGiven() throws {
        let script = "-- two statements\nSELECT count(*) AS ops FROM op;\nSELECT max(generation) AS last FROM generation;\n"
        let result = try ToolRunner.run(["sql", "--ledger", ledger.path], stdin: Data(script.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (rightAligned("ops", over: ["\(try opCount())"]) + [""] + rightAligned("last", over: ["3"])).joined(separator: "\n") + "\n")
    }

    @Test func consoleRunsStatementsLineByLineOnATerminal() throws {
        // script(1) gives the tool a pseudo-terminal as standard input.
        let input = "SELECT count(*)\n  AS ops FROM op;\n.format csv\nSELECT 2 AS two;\nDELETE FROM op;\n.schema v_ops\n.quit\n"
        let command = "\(ToolRunner.executable.path) sql --ledger \(ledger.path)"
        let result = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], stdin: Data(input.utf8))
        let output = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(result.status == 0, "\(output)")
        let ops = try opCount()
        #expect(output.contains("sql> ...> " + rightAligned("ops", over: ["\(ops)"]).joined(separator: "\n") + "\n"))
        #expect(output.contains("sql> two\n2\n"))
        #expect(output.contains("error: the ledger is read-only: \"DELETE FROM op;\" refused (deletes from op)"))
        #expect(output.contains("CREATE VIEW v_ops AS"))
        #expect(try ledger.kholedger(["sql", "SELECT count(*) FROM op"]).stdout == rightAligned("count(*)", over: ["\(ops)"]).joined(separator: "\n") + "\n")
    }

    /// An integer the stock `sqlite3` shell answers for `query` (by default, the ledger's operations).
    private func opCount(_ query: String = "SELECT count(*) FROM op") throws -> Int {
        let text = try ToolRunner.sqlite(ledger.path, query).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Int(text), "\(query): \(text)")
    }

    /// Functions that reach memory are refused when compiled: fts3_tokenizer
    /// with a second argument registers a raw pointer (a later MATCH calls
    /// through it), with one it prints a live address.
    @Test(arguments: [
        ("SELECT fts3_tokenizer('simple', x'efbeadde00000000')", "fts3_tokenizer"),
        ("SELECT hex(fts3_tokenizer('simple'))", "fts3_tokenizer"),
        ("SELECT kind FROM op WHERE seq = 1 AND snippet(kind) IS NULL", "snippet"),
    ])
    func functionsOffTheSafeListAreRefused(sql: String, function: String) throws {
        let result = try ledger.kholedger(["sql", sql])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("refused (calls \(function)(), which is not among the safe SQL functions)"), "\(result.stderr)")
    }

    static let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) "

    /// A runaway query stops at --timeout with one error line, rows or not.
    @Test(arguments: ["SELECT x FROM c", "SELECT count(*) FROM c"])
    func aRunawayQueryStopsAtTheTimeout(select: String) throws {
        let result = try ToolRunner.run(["sql", Self.endless + select, "--timeout", "1", "--format", "csv", "--ledger", ledger.path], timeout: 60)
        #expect(!result.timedOut && !result.signaled)
        #expect(result.status == 1)
        #expect(result.stderr == "error: stopped when its time limit of 1.0 seconds ran out: \(Self.endless + select)\n")
        // The rows read before the limit were printed as they came, in order.
        let rows = result.stdout.split(separator: "\n").dropFirst()
        #expect(rows.enumerated().allSatisfy { $0.element == (select.contains("count") ? "" : "\($0.offset + 1)") })
        let bad = try ledger.kholedger(["sql", "SELECT 1", "--timeout=-1"])
        #expect(bad.status == 1 && bad.stderr == "error: --timeout -1.0: give a number of seconds, or 0 for no limit\n")
    }

    /// Ctrl-C stops the running query with one error line.
    @Test func interruptStopsTheQuery() throws {
        // Job control on, so that the background job does not start with SIGINT ignored (its
        // notices to /dev/null); the signal goes once the process catches it (or after 10 s)
        // and the query has run a while.
        let script = """
            set -m; exec 3>&2 2>/dev/null; "$@" 2>&3 & pid=$!
            for _ in $(seq 100); do (( 0x$(awk '/^SigCgt/ {print $2}' /proc/$pid/status) & 2 )) && break; sleep 0.1; done
            sleep 0.5; kill -INT $pid
            for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
            kill -KILL $pid 2>/dev/null; wait $pid
            """
        let result = try ToolRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script, "bash", ToolRunner.executable.path, "sql",
                                                                            Self.endless + "SELECT count(*) FROM c", "--ledger", ledger.path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: interrupted: \(Self.endless)SELECT count(*) FROM c\n")
    }

    /// Rows are printed as they are read: a result larger than the process
    /// may hold (1,500 rows of 100,000 characters in a 128 MiB address
    /// space) is printed whole.
    @Test(arguments: [(TabularFormatName.table, 1_504), (.csv, 1_504), (.json, 1_507)])
    func outputIsStreamedInBoundedMemory(format: TabularFormatName, lines: Int) throws {
        let sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1500) "
            + "SELECT x, hex(zeroblob(50000)) AS padding FROM c; SELECT count(*) AS ops FROM op"
        let result = try ToolRunner.runInBoundedMemory(["sql", sql, "--format", format.rawValue, "--timeout", "0", "--ledger", ledger.path],
                                                       megabytes: 128, filter: "wc -l")
        #expect(result.status == 0 && !result.signaled, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout == "\(lines)\n")
    }

    /// A column of numbers as a text table prints it: heading and values
    /// right-aligned to the widest.
    private func rightAligned(_ heading: String, over values: [String]) -> [String] {
        let width = ([heading] + values).map(\.count).max() ?? 0
        return ([heading] + values).map { String(repeating: " ", count: width - $0.count) + $0 }
    }
}

/// The `--format` values of `kholedger sql`.
enum TabularFormatName: String, CaseIterable, Sendable {
    case table, csv, json
}
