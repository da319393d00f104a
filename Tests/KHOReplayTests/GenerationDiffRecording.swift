import Foundation
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

/// A scenario run in-process and recorded into a ledger, remembering what
/// the emulator held at each kexec (its memory and tracker walk) and which
/// pages each operation wrote: the oracle for ``GenerationDiff``.
final class RecordedScenario {
    /// The emulator at a kexec, before the next generation boots.
    struct Handover {
        var seq: Int64
        var memory: PhysicalMemory
        var preserved: [PreservedBlock]

        /// Every base page of the preserved blocks.
        func preservedPages(_ geometry: PageGeometry) -> Set<UInt64> {
            Set(preserved.flatMap { block in
                stride(from: block.phys, to: block.phys + geometry.bytes(order: block.order), by: geometry.pageSize)
            })
        }
    }

    let ledger: Ledger
    let geometry: PageGeometry
    private(set) var handovers: [Handover] = []
    /// Pages each operation wrote (content set, chunk pages, zero-filled
    /// allocations), by seq.
    private(set) var written: [Int64: Set<UInt64>] = [:]
    private var seq: Int64 = 0

    init(_ scenario: Scenario, path: String) throws {
        ledger = try Ledger(path: path)
        geometry = try scenario.machine.geometry()
        let recorder = try LedgerRecorder(ledger: ledger, config: scenario.machine)
        var runner: ScenarioRunner?
        var failure: Error?
        runner = ScenarioRunner(scenario) { [unowned self] event in
            recorder.eventSink(event)
            seq += 1
            written[seq] = pages(of: event)
            guard event.kind == .kexec, let machine = runner?.machine else { return }
            do {
                handovers.append(Handover(seq: seq, memory: machine.memory, preserved: try machine.preservedBlocks()))
            } catch {
                failure = failure ?? error
            }
        }
        _ = try runner?.run()
        runner = nil
        try recorder.flush()
        if let error = recorder.failure ?? failure { throw error }
    }

    /// Runs an example file of `Examples/`.
    convenience init(example name: String, path: String) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples").appendingPathComponent(name)
        try self.init(Scenario(contentsOfFile: file.path), path: path)
    }

    /// Pages written by the operations after `from` up to and including `to`.
    func pagesWritten(after from: Int64, through to: Int64) -> Set<UInt64> {
        written.filter { (from + 1...to).contains($0.key) }.values.reduce(into: []) { $0.formUnion($1) }
    }

    private func pages(of event: MachineEvent) -> Set<UInt64> {
        var pages = Set(event.pages.map(\.phys) + event.chunks.map(\.phys))
        for block in event.zeroed {
            pages.formUnion(stride(from: block.phys, to: block.phys + geometry.bytes(order: block.order), by: geometry.pageSize))
        }
        return pages
    }
}
