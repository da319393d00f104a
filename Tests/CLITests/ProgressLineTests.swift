import Foundation
import KHOTestSupport
import Testing

/// Long work shows a progress line on a terminal — done of total, rate and
/// time left, rewritten in place and erased before the answer — and
/// nothing when standard error is not a terminal. The terminal is a
/// pseudo-terminal from `script`.
@Suite("Progress lines", .serialized)
struct ProgressLineTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// Runs `kholedger arguments…` on a pseudo-terminal; returns what the
    /// terminal showed (standard output and error together).
    private func onTerminal(_ arguments: [String]) throws -> String {
        let command = ([ToolRunner.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let result = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qefc", command, "/dev/null"],
                                        directory: directory.url, timeout: 600)
        #expect(result.status == 0, "\(arguments): \(result.stdout)")
        return result.stdout
    }

    /// The progress lines shown, in order: the text after each carriage
    /// return and erase-line, up to the next one.
    private func progressLines(_ terminal: String, task: String) -> [String] {
        terminal.components(separatedBy: "\r\u{1B}[K").dropFirst().compactMap { piece in
            piece.hasPrefix(task + ": ") ? String(piece.prefix { $0 != "\r" && $0 != "\n" }) : nil
        }
    }

    /// `task: D of T unit (P%)`, then with `, R/s, S s left` once a rate is known.
    private func expectCounting(_ lines: [String], task: String, total: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!lines.isEmpty, "no \(task) progress shown", sourceLocation: sourceLocation)
        for line in lines {
            #expect(line.hasPrefix(task + ": ") && line.contains(" of \(total) ("), "\(line)", sourceLocation: sourceLocation)
        }
        let last = lines.last ?? ""
        #expect(last.contains("/s, ") && last.hasSuffix(" s left"), "\(last)", sourceLocation: sourceLocation)
    }

    @Test func stepsOperationsAndChecks() throws {
        let scenario = try directory.write("many.yaml", """
            machine: {memory: 1GiB, seed: 1}
            steps:
              - alloc_pages: {order: 0, as: "p{i}"}
                repeat: 12000
              - preserve_folio: {folio: "p{i}"}
                repeat: 12000
            """)
        let simulate = try onTerminal(["simulate", scenario, "--quiet", "--ledger", "many.db"])
        expectCounting(progressLines(simulate, task: "simulate"), task: "simulate", total: "24,000 steps")
        // Erased before the answer: the summary starts a line of its own.
        #expect(simulate.contains("\r\u{1B}[Ksummary: 24000 steps"), "\(simulate.suffix(300))")

        let replay = try onTerminal(["replay", "--verify", "--ledger", "many.db"])
        expectCounting(progressLines(replay, task: "replay"), task: "replay", total: "24,004 operations")
        let audit = try onTerminal(["audit", "--ledger", "many.db"])
        let checks = progressLines(audit, task: "audit")
        #expect(!checks.isEmpty && checks.allSatisfy { $0.contains(" checks (") }, "\(checks)")

        // Not on a terminal: nothing but the answer.
        let piped = try ToolRunner.run(["simulate", scenario, "--quiet", "--ledger", directory.path("piped.db")])
        #expect(piped.status == 0 && piped.stderr.hasPrefix("recorded 24004 operations"), "\(piped.stderr)")
    }

    @Test func bytes() throws {
        let scenario = try directory.write("big.yaml", """
            machine: {memory: 1GiB, seed: 1}
            steps:
              - vmalloc: {name: big, size: 256MiB, text: "kholedger "}
              - alloc_preserve: {size: 16, as: d}
              - preserve_vmalloc: {area: big, descriptor: d}
            """)
        let made = try ToolRunner.run(["simulate", scenario, "--quiet", "--ledger", directory.path("big.db")])
        #expect(made.status == 0, "\(made.stderr)")
        let restore = try onTerminal(["restore", "--area", "big", "-o", "big.bin", "--ledger", "big.db"])
        expectCounting(progressLines(restore, task: "restore"), task: "restore", total: "256.0 MiB")
        #expect(restore.contains("\r\u{1B}[Karea big"), "\(restore.suffix(300))")
        let export = try onTerminal(["export", "--image", "big.elf", "--fdt", "big.dtb", "--ledger", "big.db"])
        // The image is the area, its descriptor, the tracker and the root FDT.
        expectCounting(progressLines(export, task: "export"), task: "export", total: "256.6 MiB")
    }
}
