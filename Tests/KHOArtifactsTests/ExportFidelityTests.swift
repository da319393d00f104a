import Foundation
import KHOABI
import KHOArtifacts
import KHOImage
@testable import KHOLedger
import KHOMachine
import KHOTestSupport
import Testing

/// An export at a kexec is the handover byte for byte: for every example
/// (4, 16 and 64 KiB pages among them) and every kexec, each page the
/// machine handed over — preserved blocks, tracker pages (radix nodes, or
/// kho-v1 chunks and bitmaps), the root FDT page — reads the same from the
/// exported ELF core as from the emulator's memory at that kexec. Each
/// example runs as written and, where its ops exist there, under the
/// kho-v1 releases 6.16 (512-byte bitmaps) and 7.0 (page-sized bitmaps)
/// with their own ABI.
@Suite("Export equals the emulator")
struct ExportFidelityTests {
    static var examples: [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: ToolRunner.examples.path)) ?? []).filter { $0.hasSuffix(".yaml") }
        return names.sorted().flatMap { name -> [String] in
            guard let scenario = try? Scenario(contentsOfFile: ToolRunner.examples.appendingPathComponent(name).path),
                  scenario.steps.contains(where: { $0.op.name == .kexec }) else { return [] }
            return [name] + [KernelRelease.v6_16, .v7_0].filter(scenario.releases.contains).map { "\(name) \($0)" }
        }
    }

    /// SHA-256 of every handed-over page, by address, as the machine holds them at a kexec.
    private typealias Handover = [UInt64: Data]

    @Test(arguments: examples)
    func everyHandedOverPageIsExported(example testCase: String) throws {
        let parts = testCase.split(separator: " ").map(String.init)
        let example = parts[0]
        var scenario = try Scenario(contentsOfFile: ToolRunner.examples.appendingPathComponent(example).path)
        if parts.count > 1 {
            let release = try #require(KernelRelease(name: parts[1]))
            scenario.machine.kernel = release
            scenario.machine.abiOverride = nil
        }
        let directory = try TemporaryDirectory("export-fidelity")
        let ledger = try Ledger(path: directory.path("ledger.db"))
        let recorder = try LedgerRecorder(ledger: ledger, config: scenario.machine)
        let sink = recorder.eventSink
        var handovers: [Handover] = []
        var snapshotFailure: Error?
        var runner: ScenarioRunner?
        runner = ScenarioRunner(scenario) { event in
            sink(event)
            guard event.kind == .kexec, let m = runner?.machine else { return }
            do {
                handovers.append(try Self.handedOver(m))
            } catch {
                snapshotFailure = snapshotFailure ?? error
            }
        }
        _ = try runner?.run()
        try recorder.flush()
        if let failure = recorder.failure ?? snapshotFailure { throw failure }
        let kexecs = try ledger.database.read { db in
            try Int64.fetchAll(db, sql: "SELECT kexec_seq FROM generation WHERE kexec_seq IS NOT NULL ORDER BY generation")
        }
        #expect(kexecs.count == handovers.count && !kexecs.isEmpty)
        let pageSize = scenario.machine.pageSize
        for (seq, expected) in zip(kexecs, handovers) {
            let (elf, dtb) = (directory.path("h\(seq).elf"), directory.path("h\(seq).dtb"))
            _ = try HandoverExport(ledger: ledger).export(at: seq, to: .init(image: elf, fdt: dtb))
            let image = try ElfCoreImage(path: elf)
            let differing = try expected.keys.sorted().filter { phys in
                sha256(try image.read(phys: phys, count: pageSize)) != expected[phys]
            }
            #expect(differing.isEmpty, "\(testCase) kexec at seq \(seq): \(differing.count) of \(expected.count) pages differ, first \(differing.first.map { hex($0) } ?? "-")")
        }
    }

    /// The pages the machine hands over at this moment, hashed.
    private static func handedOver(_ m: KHOMachine) throws -> Handover {
        let g = m.geometry
        var pages: [UInt64] = [m.fdtPhys]
        if let variant = m.config.abi.bitmapVariant {
            pages += try BitmapTrackerWalker(geometry: g, variant: variant, firstChunkPhys: m.trackerRoot).trackerPages(read: m.memory.reader)
        } else {
            pages += try RadixTrackerWalker(geometry: g, rootPhys: m.trackerRoot, depthFormula: m.config.depthFormula)
                .nodePages(read: m.memory.reader)
        }
        for block in try m.preservedBlocks() {
            pages += (0 ..< (UInt64(1) << UInt64(block.order))).map { block.phys + $0 * UInt64(g.pageSize) }
        }
        var hashes: Handover = [:]
        for phys in pages { hashes[phys] = sha256(m.memory.page(phys)) }
        return hashes
    }
}
