import Foundation
import KHOABI
import KHOArtifacts
import KHOImage
import KHOLedger
import KHOReplay
import KHOSyntheticCapture

extension Bench {
    /// `kholedger import` of a sparse ELF capture (``SyntheticCapture``),
    /// each run in a child process on a new ledger, against writing the same
    /// preserved bytes with `raw-blobs`. The figure is the child's peak
    /// resident set size.
    func captureImport() throws -> [BenchResult] {
        let memory: UInt64 = quick ? 1 << 30 : 4 << 30
        guard let layout = SyntheticLayout(memory: memory, preserved: memory / 4) else {
            throw RawSQLite.Failure(description: "no synthetic layout of \(memory) bytes")
        }
        let capture = try SyntheticCapture(layout: layout, directory: workspace.directory.path)
        defer { try? FileManager.default.removeItem(atPath: capture.elfPath) }
        let image = try layout.image()
        var content: [UInt8] = []
        for block in layout.blocks { content += try image.read(phys: block.phys, count: Int(SyntheticLayout.geometry.bytes(order: block.order))) }

        var peak: UInt64 = 0
        let ledgerPath = workspace.directory.appendingPathComponent("import.db").path
        let peakPath = workspace.fresh("import-peak.txt")
        var result = try BenchResult.measure(
            scenario: "import a sparse ELF capture", size: "\(memory >> 30) GiB, \(layout.preserved >> 20) MiB preserved",
            units: Double(layout.preserved), unit: "B/s", runs: runs,
            run: {
                _ = workspace.fresh("import.db")
                peak = max(peak, try ChildProcess.runReportingPeak(
                    [Self.importChildFlag, capture.fdtPath, capture.elfPath, hex(layout.descriptor), ledgerPath], peakPath: peakPath))
            },
            baseline: "raw-blobs", baselineRun: { try RawSQLite.blobs(content, path: workspace.fresh("raw-blobs.db")) })
        let imported = try Ledger(readingAt: ledgerPath)
        let state = try AsOfState(ledger: imported, seq: PointInTime.generation(0, offset: nil).resolve(in: imported).seq)
        guard state.preserved.count == layout.blocks.count else {
            throw RawSQLite.Failure(description: "the import preserved \(state.preserved.count) blocks, the capture \(layout.blocks.count)")
        }
        result.figure = String(format: "peak RSS %.0f MiB", Double(peak) / 1_048_576)
        return [result]
    }

    /// The flag that makes this binary a child that imports one capture.
    static let importChildFlag = "--import-child"

    /// The child: `--import-child FDT ELF DESCRIPTOR LEDGER PEAK` imports the
    /// capture (with the huge area named by its descriptor) as
    /// `kholedger import` does, then writes its peak resident bytes to PEAK.
    static func importChild(_ arguments: [String]) throws {
        guard arguments.count == 5, let descriptor = UInt64(arguments[2].dropFirst(2), radix: 16) else {
            throw RawSQLite.Failure(description: "usage: \(importChildFlag) FDT ELF 0xDESCRIPTOR LEDGER PEAK")
        }
        let fdt = try [UInt8](Data(contentsOf: URL(fileURLWithPath: arguments[0])))
        let image = try ElfCoreImage(file: MappedFile(path: arguments[1]))
        let capture = CaptureImport(fdt: fdt, image: image, geometry: SyntheticLayout.geometry, label: "bench",
                                    namedAreas: [NamedArea(name: SyntheticLayout.areaName, descriptorPhys: descriptor)])
        _ = try capture.prepare().record(into: Ledger(path: arguments[3]))
        try ChildProcess.reportPeak(to: arguments[4])
    }
}
