import Foundation
import KHOABI
import KHOArtifacts
import KHOImage
@testable import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// Every example scenario under every kernel release that has its ops
/// (``Scenario/releases``: 6.16 – 7.0 with the kho-v1 bitmap tracker, 7.1 on
/// with the radix tree), and at each of its handovers the
/// export read back as a capture: walked, restored area by area and
/// imported. The audit examples hand over broken state on purpose, so only
/// their walk is required.
@Suite("Examples under every release")
struct ExampleReleaseTests {
    static var cases: [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: ToolRunner.examples.path)) ?? []).filter { $0.hasSuffix(".yaml") }
        return names.sorted().flatMap { name -> [String] in
            let scenario = try? Scenario(contentsOfFile: ToolRunner.examples.appendingPathComponent(name).path)
            return (scenario?.releases ?? []).map { "\(name) \($0)" }
        }
    }

    @Test(arguments: cases)
    func runsAndEveryHandoverReadsBack(_ testCase: String) throws {
        let parts = testCase.split(separator: " ").map(String.init)
        var scenario = try Scenario(contentsOfFile: ToolRunner.examples.appendingPathComponent(parts[0]).path)
        let release = try #require(KernelRelease(name: parts[1]))
        scenario.machine.kernel = release
        let simulated = try SimulatedLedgerFile(scenario)
        let handovers = try simulated.ledger.database.read { db in
            try Int64.fetchAll(db, sql: "SELECT kexec_seq FROM generation WHERE kexec_seq IS NOT NULL ORDER BY generation")
        }
        let brokenOnPurpose = parts[0].hasPrefix("audit-")
        for seq in handovers {
            let (elf, dtb) = (simulated.directory.path("h\(seq).elf"), simulated.directory.path("h\(seq).dtb"))
            let manifest = try HandoverExport(ledger: simulated.ledger).export(at: seq, to: .init(image: elf, fdt: dtb))
            #expect(manifest.compat == scenario.machine.abi.compatible, "\(testCase) seq \(seq)")
            let fdt = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dtb)))
            let image = try ElfCoreImage(path: elf)
            let geometry = try scenario.machine.geometry()
            let variant = scenario.machine.abi.bitmapVariant ?? .v1b
            let walk = try HandoverWalker(geometry: geometry, bitmapVariant: variant).walk(fdt: fdt, read: image.reader)
            #expect(walk.preserved.count == manifest.preservedCount, "\(testCase) seq \(seq)")
            if release.abi.addsKexecMetadata && scenario.machine.abiOverride == nil {
                #expect(walk.kexecMetadata(read: image.reader)?.previousRelease == release.unameRelease, "\(testCase) seq \(seq)")
            }
            guard !brokenOnPurpose else { continue }
            #expect(manifest.areas.allSatisfy { $0.error == nil }, "\(testCase) seq \(seq): \(manifest.areas.compactMap(\.error))")
            for area in manifest.areas {
                let restored = try VmallocRestorer(geometry: geometry, read: image.reader, heads: walk.heads(geometry))
                    .restore(descriptorAt: try #require(parseHex(area.descriptorPhys)))
                #expect(restored.sha256 == area.sha256, "\(testCase) seq \(seq) \(area.name)")
            }
            let prepared = try CaptureImport(fdt: fdt, image: image, geometry: geometry, bitmapVariant: variant, label: nil, namedAreas: []).prepare()
            #expect(prepared.operations > 0, "\(testCase) seq \(seq)")
        }
    }
}
