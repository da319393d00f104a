import ArgumentParser
import Foundation
import KHOArtifacts
import KHOLedger
import KHOMachine

/// `kholedger simulate FILE`: runs a scenario on the emulated KHO machine
/// and prints what each step did.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a YAML scenario on the emulated KHO machine and print what happened.",
        discussion: """
            A scenario describes a machine (page size, memory, seed, scratch areas, ABI) \
            and a list of steps: vmalloc areas, folios and blobs, every KHO call \
            (preserve/unpreserve/restore, subtrees), kexec into the next generation, \
            content checks, and the LUO memfd (with machine liveupdate: true, the kernel's \
            boot parameter: LUO then hands over its FDT at every boot) and test_kho \
            consumers (kho_test_preserve, \
            kho_test_restore up to 7.1; kho_test_init with second_boot/third_boot, the \
            7.2-era kho_test0 … kho_test3 chain, from 7.2). A step may \
            expect a failure (expect: EINVAL, expect: NULL). The format is documented \
            in Examples/README.md.

            Text output has one line per step (number, generation, op, subject, \
            outcome, key facts such as addresses, chunk pages and tracker entries) \
            and a summary; --format json prints {"steps": [...], "summary": {...}}. \
            An unexpected outcome or a failed check stops the run: the error names \
            the step and the exit status is 1.

            Every operation is recorded into the ledger (--ledger, default \
            $KHOLEDGER_DB or ./kholedger.db) as it happens, in batched \
            transactions that never hold part of an operation; --no-ledger only \
            runs the machine. Each run adds new generations to the ledger. One \
            process records into a ledger at a time: another one waits for it \
            (--wait), and the summary is printed once the run is stored.

            A scenario (save it as demo.yaml and run kholedger simulate demo.yaml):
              machine: {page_size: 4096, memory: 256MiB, seed: 7}
              steps:
                - vmalloc: {name: buf, size: 511 pages, fill: text, text: "hello "}
                - alloc_preserve: {size: 16, as: desc}
                - preserve_vmalloc: {area: buf, descriptor: desc, chunks: 2}
                - kexec: {carry: [desc]}
                - restore_vmalloc: {descriptor: desc, as: buf}
                - check: {area: buf, offset: 0, text: "hello hello"}
                - restore_vmalloc: {descriptor: desc, as: again}
                  expect: NULL

            --events FILE also writes every event, as it happens, as a JSON Lines \
            event stream (docs/event-stream.md): `kholedger record FILE` records \
            the same operations into another ledger. With --events -, the stream goes \
            to standard output and the step lines and summary to standard error.

            Examples:
              kholedger simulate Examples/memfd-luo.yaml
              kholedger simulate Examples/memfd-luo.yaml --events memfd.jsonl
              kholedger simulate Examples/errors.yaml --format json
              kholedger simulate Examples/huge-pages.yaml --quiet
            """
    )

    @Argument(help: "The scenario file (YAML).")
    var file: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Text: print only the summary line, not one line per step.")
    var quiet = false

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var writer: WriterOptions

    @Flag(name: .long, help: "Run the machine without recording into a ledger.")
    var noLedger = false

    @Option(name: .long, help: ArgumentHelp("Also write every event to this JSON Lines file (the stream `kholedger record` reads).",
                                            valueName: "path"))
    var events: String?

    func run() throws {
        let scenario: Scenario
        do {
            scenario = try Scenario(contentsOfFile: file)
        } catch {
            printError(error.description)
            throw ExitCode.failure
        }
        let recorder = try exitOnError {
            try noLedger ? nil : LedgerRecorder(ledger: writer.open(ledger.path), config: scenario.machine,
                                                source: "simulate", label: URL(fileURLWithPath: file).lastPathComponent)
        }
        let text = try exitOnError { try SummaryStream(besides: [events]) }
        let stream = try exitOnError { try events.map { try EventStreamWriter(path: $0, config: scenario.machine) } }
        let sinks = [recorder?.eventSink, stream?.eventSink].compactMap { $0 }
        let runner = ScenarioRunner(scenario) { event in sinks.forEach { $0(event) } }
        let progress = ProgressLine("simulate", total: scenario.steps.count, unit: .count("steps"))
        let summary: String
        do throws(ScenarioError) {
            switch format {
            case .text:
                if !quiet { text.print(SimulationText.header(file: file, scenario: scenario)) }
                let run = try runner.run { report in
                    if quiet { progress.advance() } else { text.print(SimulationText.line(report)) }
                }
                summary = SimulationText.summary(run.totals)
            case .json:
                let run = try runner.run { _ in progress.advance() }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                summary = String(decoding: (try? encoder.encode(run)) ?? Data(), as: UTF8.self)
            }
            progress.clear()
        } catch {
            progress.clear()
            printError(error.description)
            try? finish(recorder, stream)
            throw ExitCode.failure
        }
        // The summary speaks of work that is stored: it comes after the last write.
        try finish(recorder, stream)
        text.print(summary)
        if let stream { printNote("wrote \(stream.written) events to \(stream.path)") }
        if let recorder {
            let generations = recorder.firstGeneration.map { first in
                let last = recorder.lastGeneration ?? first
                return first == last ? " (generation \(first))" : " (generations \(first)…\(last))"
            } ?? ""
            printNote("recorded \(recorder.recorded) operations into \(recorder.ledger.path)\(generations)")
        }
    }

    /// Writes the last batch, then puts the event stream in place; throws
    /// (exit 1) with one error line when either failed, the stream's file
    /// then left unwritten.
    private func finish(_ recorder: LedgerRecorder?, _ stream: EventStreamWriter?) throws {
        if let recorder {
            if let failure = recorder.failure {
                printError("recording into \(recorder.ledger.path) stopped after \(recorder.recorded) operations: \(failure)")
                throw ExitCode.failure
            }
            try exitOnError { try recorder.flush() }
        }
        if let stream { try exitOnError { try stream.commit() } }
    }
}
