import Foundation
import GRDB
import KHOABI
import KHOArtifacts
import KHOImage
@testable import KHOLedger
import KHOMachine
import KHOTestSupport
import Testing

/// `CaptureImport(debugfs:)`: a copy of `/sys/kernel/debug/kho/` laid out as
/// 6.18, 7.1 and 7.4 kernels lay it out, from handovers the emulator made
/// (7.1, 7.4) or the kho-v1 reference vector (6.18, which the emulator does
/// not run), imports to exactly the handover's subtrees and boot memory.
@Suite("Import of a debugfs folder")
struct DebugfsImportTests {
    /// A handover made by the emulator under `kernel`, exported.
    struct Handover {
        let simulated: SimulatedLedgerFile
        let fdt: [UInt8]
        let image: ElfCoreImage

        init(kernel: String) throws {
            simulated = try SimulatedLedgerFile(yaml: DebugfsScenario.yaml(kernel: kernel))
        let (elf, dtb) = (simulated.directory.path("h.elf"), simulated.directory.path("h.dtb"))
            _ = try HandoverExport(ledger: simulated.ledger).export(at: try simulated.seq("gen:0"), to: .init(image: elf, fdt: dtb))
            fdt = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dtb)))
            image = try ElfCoreImage(path: elf)
        }

        var kho: URL { simulated.directory.url.appendingPathComponent("kho") }
    }

    /// Imports `folder` with `image` into a fresh ledger in `directory`.
    private func importFolder(_ folder: String, image: any PhysicalMemoryImage, geometry: PageGeometry = .kib4, kernel: KernelRelease? = nil,
                              in directory: TemporaryDirectory) throws -> (ImportSummary, Ledger) {
        let capture = try CaptureImport(debugfs: DebugfsCapture(path: folder), image: image, geometry: geometry, kernel: kernel)
        let ledger = try Ledger(path: directory.path("debugfs-\(UUID().uuidString).db"))
        return (try capture.prepare().record(into: ledger), ledger)
    }

    /// `name|idx|phys|size|end_phys` of every row of `v_boot_memory`.
    private func bootMemoryRows(_ ledger: Ledger) throws -> [String] {
        try ledger.database.read { db in
            try String.fetchAll(db, sql: "SELECT name || '|' || idx || '|' || phys || '|' || size || '|' || end_phys FROM v_boot_memory ORDER BY idx")
        }
    }

    /// `subtree <name> <phys> <bytes>` of every subtree the import recorded
    /// (with the length of its recorded blob), in FDT order.
    private func subtreeLines(_ ledger: Ledger) throws -> [String] {
        try ledger.database.read { db in
            try String.fetchAll(db, sql: "SELECT 'subtree ' || name || ' ' || phys || ' ' || blob_bytes FROM v_subtrees ORDER BY from_seq DESC")
        }
    }

    /// out/ of a 7.1 kernel (scratch) and of a 7.4 kernel (bootmem), whose
    /// fdt file the kernel made before the FDT grew: the ranges are recorded
    /// with the kexec (under the hash chain), the subtrees are the FDT's,
    /// and the whole FDT is read from its page in the image.
    @Test(arguments: [("7.1", "scratch", false), ("7.4", "bootmem", false), ("7.4", "bootmem", true)])
    func outgoingFolder(kernel: String, name: String, truncated: Bool) throws {
        let handover = try Handover(kernel: kernel)
        let fdtBytes = truncated ? handover.fdt.count - 60 : nil
        let folder = try DebugfsFolder(root: handover.kho, side: "out", fdt: handover.fdt, image: handover.image, fdtBytes: fdtBytes,
                                       bootMemory: (name, DebugfsScenario.scratch))
        let (summary, ledger) = try importFolder(folder.path(""), image: handover.image, in: handover.simulated.directory)

        #expect(summary.debugfs?.side == .outgoing && summary.debugfs?.path == folder.path("out"))
        #expect(summary.debugfs?.releases == [try #require(KernelRelease(name: kernel))])
        #expect(try bootMemoryRows(ledger) == ["\(name)|0|0x103000000|8388608|0x103800000", "\(name)|1|0x103c00000|4194304|0x104000000"])
        #expect(try bootMemoryRows(handover.simulated.ledger) == bootMemoryRows(ledger), "the machine handed over the same")
        let subtrees = try KHORootFDT(bytes: handover.fdt).subtrees
        #expect(subtrees.map(\.name) == ["app", "kexec-metadata"])
        #expect(try subtreeLines(ledger) == subtrees.map { "subtree \($0.name) \(hex($0.phys)) \($0.size ?? 0)" })
        let stored = try ledger.database.read { db in try Data.fetchOne(db, sql: "SELECT root_fdt FROM generation") }
        #expect(stored == Data(handover.fdt))
        let note = "\(folder.path("out/fdt")) holds \(handover.fdt.count - 60) of the FDT's \(handover.fdt.count) bytes"
        #expect(summary.notes.contains { $0.hasPrefix(note) } == truncated, "\(summary.notes)")
        #expect(try ChainVerifier(ledger: ledger).verify().firstBroken == nil)
    }

    /// in/ (the handover the kernel booted from): fdt and sub_fdts only, so
    /// no boot memory; the releases are those that hand over its ABI.
    @Test(arguments: [("7.1", [KernelRelease.v7_1]), ("7.4", [.v7_2, .v7_3, .v7_4])])
    func incomingFolder(kernel: String, releases: [KernelRelease]) throws {
        let handover = try Handover(kernel: kernel)
        let folder = try DebugfsFolder(root: handover.kho, side: "in", fdt: handover.fdt, image: handover.image)
        let (summary, ledger) = try importFolder(folder.path(""), image: handover.image, in: handover.simulated.directory)
        #expect(summary.debugfs?.side == .incoming && summary.debugfs?.releases == releases && summary.debugfs?.bootMemory == nil)
        #expect(try bootMemoryRows(ledger).isEmpty)
        #expect(try subtreeLines(ledger) == KHORootFDT(bytes: handover.fdt).subtrees.map { "subtree \($0.name) \(hex($0.phys)) \($0.size ?? 0)" })
    }

    /// The 6.18 layout, from the kho-v1 vector: out/finalize reads 1, the
    /// sub_fdts files are sized by their FDTs' totalsize. Without --kernel
    /// every kho-v1 (v1b) release with finalize and scratch fits; with it,
    /// that one.
    @Test(arguments: [nil, KernelRelease.v6_18])
    func v1OutgoingFolder(kernel: KernelRelease?) throws {
        let vector = try ReferenceVector.named("k4-v1b-s17")
        let directory = try TemporaryDirectory("kholedger-debugfs")
        let image = try vector.memory()
        let folder = try DebugfsFolder(root: directory.url.appendingPathComponent("kho"), side: "out", fdt: try vector.bytes("kho.dtb"),
                                       image: image, bootMemory: ("scratch", [(0x1_00f0_0000, 1 << 20)]), finalize: "1\n")
        let (summary, ledger) = try importFolder(folder.path("out"), image: image, kernel: kernel, in: directory)
        #expect(summary.debugfs?.releases == (kernel.map { [$0] } ?? [.v6_18, .v6_19, .v7_0]))
        #expect(try bootMemoryRows(ledger) == ["scratch|0|0x100f00000|1048576|0x101000000"])
        #expect(try subtreeLines(ledger) == vector.walkSubtreeLines())
        #expect(summary.preserved.count == (try vector.walkBlockLines()).count)
    }

    /// in/ of the 6.18 layout: the blobs sized by their FDTs' totalsize.
    @Test func v1IncomingFolder() throws {
        let vector = try ReferenceVector.named("k4-v1b-s17")
        let directory = try TemporaryDirectory("kholedger-debugfs")
        let image = try vector.memory()
        let folder = try DebugfsFolder(root: directory.url.appendingPathComponent("kho"), side: "in", fdt: try vector.bytes("kho.dtb"), image: image)
        #expect(try folder.bytes("in/sub_fdts/LUO").count == 236)
        let (summary, ledger) = try importFolder(folder.path(""), image: image, kernel: .v6_18, in: directory)
        #expect(summary.debugfs?.side == .incoming && summary.debugfs?.releases == [.v6_18])
        #expect(try bootMemoryRows(ledger).isEmpty)
        #expect(try subtreeLines(ledger) == vector.walkSubtreeLines())
    }
}
