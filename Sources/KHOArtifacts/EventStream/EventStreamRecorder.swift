import Foundation
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

/// Records a JSON Lines event stream (docs/event-stream.md) into a ledger
/// with source `record`.
///
/// Each line is validated (``EventLineParser``); nested calls (depth > 0)
/// are held and folded into the call that made them; what a line leaves out
/// is derived (``EventDerivation``); partial writes are merged with the page
/// content recorded so far; and the events go through the one
/// ``LedgerRecorder``, so recorded generations are first-class for `log`,
/// `show`, `state`, `diff` and `restore --area`.
///
/// Events are committed in batches, and whenever the recorder waits for
/// more input. A bad line stops the stream: the lines before it stay
/// recorded (their batches are committed), and ``Summary/failure`` names the line. With
/// `keepGoing` bad lines are reported to `onRejected` and skipped. The
/// ledger file is created only when the first event is recorded.
///
/// Without a ledger path the stream is only checked: every line goes
/// through the same validation, nesting and derivation, and the summary
/// counts what would be recorded, but nothing is written.
public final class EventStreamRecorder {
    /// What a run read and recorded.
    public struct Summary: Sendable, Encodable {
        /// The ledger file; nil when the stream was only checked.
        public var ledger: String?
        /// Non-blank lines read.
        public var lines = 0
        /// Operations written, or that would be when checking (including implicit boots).
        public var recorded = 0
        /// Nested lines folded into the call that made them.
        public var folded = 0
        /// Lines refused (a refused call's nested lines are not counted again).
        public var rejected = 0
        /// Boots added because the stream lacked a boot line.
        public var implicitBoots = 0
        /// Seq of the first operation written, when any.
        public var firstSeq: Int64?
        /// Seq of the last operation written, when any.
        public var lastSeq: Int64?
        /// The line that stopped the run (without `keepGoing`).
        public var failure: EventStreamError?

        enum CodingKeys: String, CodingKey {
            case ledger, lines, recorded, folded, rejected, implicitBoots, firstSeq, lastSeq
        }
    }

    /// Page size and ABI given on the command line (nil: the stream's, else the default).
    public struct MachineOptions: Sendable {
        /// `--page-size`.
        public var geometry: PageGeometry?
        /// `--abi`.
        public var abi: ABIGeneration?

        /// Options as given (nil: not given).
        public init(geometry: PageGeometry? = nil, abi: ABIGeneration? = nil) {
            self.geometry = geometry
            self.abi = abi
        }
    }

    /// The ledger file (created when the first event is recorded); nil to
    /// check the stream without recording it.
    public let ledgerPath: String?
    /// How long to wait while another process records into the ledger.
    public let ledgerWait: LedgerWriterWait
    /// Page size and ABI from the command line.
    public let options: MachineOptions
    /// Stored with the recorded generations.
    public let label: String?
    /// Report and skip bad lines instead of stopping at the first.
    public let keepGoing: Bool

    private var machine: StreamMachine?
    private var recorder: LedgerRecorder?
    /// Boot number of the open generation; nil before the first event.
    private var generation: Int?
    private var kexecDone = false
    /// The time of the last line that had one.
    private var lastTime: Date?
    /// Nested lines waiting for their caller: thread → depth → lines.
    private var held: [Int64: [Int: [EventLine]]] = [:]
    private var summary: Summary

    /// A recorder into the ledger at `ledgerPath`, or with nil a checker
    /// that records nothing.
    public init(ledgerPath: String?, ledgerWait: LedgerWriterWait = .default, options: MachineOptions = .init(), label: String? = nil,
                keepGoing: Bool = false) {
        self.ledgerPath = ledgerPath
        self.ledgerWait = ledgerWait
        self.options = options
        self.label = label
        self.keepGoing = keepGoing
        summary = Summary(ledger: ledgerPath)
    }

    /// Records the stream at `path` (`-`: standard input). Bad lines go to
    /// `onRejected` with `keepGoing`; otherwise the first one ends the run
    /// as ``Summary/failure``. Throws when the input or the ledger fails.
    public func record(path: String, onRejected: (EventStreamError) -> Void = { _ in }) throws(EventStreamError) -> Summary {
        let reader = try LineReader(path: path)
        reader.beforeRead = { [self] () throws(EventStreamError) in
            guard let recorder else { return }
            do {
                try recorder.flush()
            } catch {
                throw .ledger("recording into \(recorder.ledger.path): \(error)")
            }
        }
        while true {
            let next: LineReader.Line?
            do {
                next = try reader.next()
            } catch .badLine(let number, let reason) {
                try finish(failure: .badLine(line: number, reason: reason))
                return summary
            }
            guard let line = next else { break }
            guard line.bytes.contains(where: { ![0x20, 0x09, 0x0d].contains($0) }) else { continue }
            summary.lines += 1
            do throws(FieldError) {
                try accept(line)
            } catch {
                let rejection = EventStreamError.badLine(line: line.number, reason: error.description)
                summary.rejected += 1
                guard keepGoing else {
                    try finish(failure: rejection)
                    return summary
                }
                onRejected(rejection)
            }
        }
        if let orphan = held.values.flatMap({ $0.values.flatMap { $0 } }).min(by: { $0.number < $1.number }) {
            held = [:]
            summary.rejected += 1
            let rejection = EventStreamError.badLine(line: orphan.number, reason: "nested call (depth \(orphan.depth), tid \(orphan.tid)) has no enclosing call: the stream ends before it")
            if !keepGoing {
                try finish(failure: rejection)
                return summary
            }
            onRejected(rejection)
        }
        try finish(failure: nil)
        return summary
    }

    // MARK: one line

    private func accept(_ raw: LineReader.Line) throws(FieldError) {
        let fields = try EventLineParser.fields(of: raw.bytes, terminated: raw.terminated)
        let kind = try EventLineParser.kind(of: fields)
        let machine = try self.machine(for: kind == .boot ? fields.object("machine") : nil)
        var line = try EventLineParser(machine: machine).parse(fields, number: raw.number)
        line.nested = takeHeld(tid: line.tid, depth: line.depth + 1)
        try EventDerivation(machine: machine).derive(&line)
        if line.depth > 0 {
            held[line.tid, default: [:]][line.depth, default: []].append(line)
            return
        }
        if let orphan = held[line.tid]?.values.flatMap({ $0 }).min(by: { $0.number < $1.number }) {
            throw FieldError("line \(orphan.number) (depth \(orphan.depth), tid \(orphan.tid)) is nested, but no call of depth \(orphan.depth - 1) encloses it before this line")
        }
        try openGeneration(for: line, machine: machine)
        self.machine = machine
        summary.folded += line.nested.count
        try record(line, machine: machine)
    }

    private func takeHeld(tid: Int64, depth: Int) -> [EventLine] {
        guard let lines = held[tid]?[depth] else { return [] }
        held[tid]?[depth] = nil
        return lines
    }

    /// The stream's machine: fixed by its first event; a boot line may
    /// describe it, consistently with the command line.
    private func machine(for header: EventFields?) throws(FieldError) -> StreamMachine {
        let defaults = StreamMachine(geometry: options.geometry ?? .kib4, abi: options.abi ?? .v3)
        guard let header else { return machine ?? defaults }
        let described = try StreamMachine(header, defaults: machine ?? defaults)
        if let machine, described != machine {
            throw FieldError("machine: differs from the machine the stream started with (one stream records one machine)")
        }
        if let geometry = options.geometry, geometry != described.geometry {
            throw FieldError("machine.page_size: \(described.pageSize) differs from --page-size \(geometry.pageSize)")
        }
        if let abi = options.abi, abi != described.abi {
            throw FieldError("machine.abi: \(described.abi.rawValue) differs from --abi \(abi.rawValue)")
        }
        return described
    }

    /// Checks the line's generation and starts one (implicitly when the
    /// stream lacks the boot line).
    private func openGeneration(for line: EventLine, machine: StreamMachine) throws(FieldError) {
        if line.event.kind == .boot {
            let number = line.generation ?? (generation.map { kexecDone ? $0 + 1 : 0 } ?? 0)
            guard number == 0 || (kexecDone && number == (generation ?? -1) + 1) else {
                throw FieldError("generation: boot of generation \(number) does not follow a kexec of generation \(number - 1) (a stream starts with generation 0)")
            }
            return
        }
        if generation == nil || kexecDone {
            let number = generation.map { $0 + 1 } ?? 0
            var boot = MachineEvent(generation: number, kind: .boot)
            boot.arguments = [("generation", .count(number)), ("warning", .text("implicit: no boot line before line \(line.number)"))]
            boot.time = line.event.time ?? lastTime
            try write(boot, machine: machine)
            summary.implicitBoots += 1
        }
        if let named = line.generation, named != generation {
            throw FieldError("generation: \(named), but the stream is in generation \(generation ?? 0) (boot lines start generations)")
        }
    }

    private func record(_ line: EventLine, machine: StreamMachine) throws(FieldError) {
        var event = line.event
        event.time = event.time ?? lastTime
        lastTime = event.time
        if event.kind == .boot {
            let number = line.generation ?? (generation.map { kexecDone ? $0 + 1 : 0 } ?? 0)
            event.generation = number
            event.arguments.insert(("generation", .count(number)), at: 0)
        } else {
            event.generation = generation ?? 0
        }
        if !line.writes.isEmpty { event.pages += try pages(of: line.writes, in: event, machine: machine) }
        try write(event, machine: machine)
    }

    /// Hands one event to the ledger recorder, opening the ledger first
    /// (when checking, only counts it).
    private func write(_ event: MachineEvent, machine: StreamMachine) throws(FieldError) {
        if let ledgerPath {
            do throws(LedgerError) {
                if recorder == nil {
                    recorder = try LedgerRecorder(ledger: Ledger(path: ledgerPath, wait: ledgerWait), config: machine.config, source: "record",
                                                  label: label, storesMachine: false)
                }
                try recorder?.record(event)
            } catch {
                throw FieldError("ledger: \(error)")
            }
        }
        summary.recorded += 1
        switch event.kind {
        case .boot:
            generation = event.generation
            kexecDone = false
        case .kexec:
            kexecDone = true
        default:
            break
        }
    }

    // MARK: writes

    /// Whole pages for `writes`: a partial page is merged into its content
    /// before the call (set earlier in the same event, else as recorded).
    private func pages(of writes: [EventLine.Write], in event: MachineEvent, machine: StreamMachine) throws(FieldError) -> [MachineEvent.Page] {
        let pageSize = machine.pageSize
        let mask = UInt64(pageSize - 1)
        var pages: [UInt64: [UInt8]] = [:]
        var order: [UInt64] = []
        for write in writes {
            var done = 0
            while done < write.bytes.count {
                let address = write.phys + UInt64(done)
                let page = address & ~mask
                let offset = Int(address - page)
                let taken = min(write.bytes.count - done, pageSize - offset)
                if pages[page] == nil {
                    order.append(page)
                    pages[page] = taken == pageSize ? [] : try content(of: page, before: event, machine: machine)
                }
                if taken == pageSize {
                    pages[page] = Array(write.bytes[done ..< done + taken])
                } else {
                    pages[page]!.replaceSubrange(offset ..< offset + taken, with: write.bytes[done ..< done + taken])
                }
                done += taken
            }
        }
        return order.map { MachineEvent.Page(phys: $0, bytes: pages[$0]!) }
    }

    /// The bytes of `page` just before the event's writes.
    private func content(of page: UInt64, before event: MachineEvent, machine: StreamMachine) throws(FieldError) -> [UInt8] {
        if let set = event.pages.last(where: { $0.phys == page }) { return set.bytes }
        if let chunk = event.chunks.last(where: { $0.phys == page }) { return chunk.bytes }
        let zero = [UInt8](repeating: 0, count: machine.pageSize)
        if event.zeroed.contains(where: { page >= $0.phys && page - $0.phys < machine.geometry.bytes(order: $0.order) }) { return zero }
        guard let recorder else { return zero }
        do {
            try recorder.flush()
            guard recorder.lastSeq > 0 else { return zero }
            return try MemoryView(ledger: recorder.ledger, seq: recorder.lastSeq).read(page, count: machine.pageSize)
        } catch {
            throw FieldError("reading the recorded content of page \(hex(page)): \(error)")
        }
    }

    // MARK: end

    private func finish(failure: EventStreamError?) throws(EventStreamError) {
        held = [:]
        summary.failure = failure
        guard let recorder else { return }
        do {
            try recorder.flush()
            if summary.recorded > 0 {
                summary.lastSeq = recorder.lastSeq
                summary.firstSeq = recorder.lastSeq - Int64(summary.recorded) + 1
            }
        } catch {
            throw .ledger("recording into \(recorder.ledger.path): \(error)")
        }
    }
}
