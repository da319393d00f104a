import Foundation
import KHOABI
import KHOArtifacts
import KHOImage
import KHOLedger
import KHOReplay
import KHOTestSupport

/// A reference vector imported into a fresh ledger file: its ELF core (or
/// its raw image with its base) and root FDT, with every area of
/// expected.json named unless `namingAreas` is false.
struct ImportedVector {
    let vector: ReferenceVector
    let directory: TemporaryDirectory
    let ledger: Ledger
    let summary: ImportSummary

    init(_ name: String, raw: Bool = false, namingAreas: Bool = true) throws {
        vector = try ReferenceVector.named(name)
        directory = try TemporaryDirectory("kholedger-import")
        let image: any PhysicalMemoryImage
        if raw {
            let base = String(decoding: try vector.data("memory.raw.base"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            image = try RawImage(path: vector.path("memory.raw"), base: try require(parseHex(base)))
        } else {
            image = try vector.memory()
        }
        let areas = namingAreas
            ? try vector.areas().map { NamedArea(name: try require($0["name"] as? String), descriptorPhys: try require(parseHex($0["descriptor_phys"]))) }
            : []
        let capture = CaptureImport(fdt: try vector.bytes("kho.dtb"), image: image, geometry: try vector.geometry(),
                                    label: name, namedAreas: areas)
        ledger = try Ledger(path: directory.path("import.db"))
        summary = try capture.prepare().record(into: ledger)
    }

    /// The state at `gen:G` of the imported generation.
    func handover() throws -> AsOfState {
        try AsOfState(ledger: ledger, seq: PointInTime.generation(summary.generation, offset: nil).resolve(in: ledger).seq)
    }

    /// `consumers.<name>` of expected.json.
    func consumer(_ name: String) throws -> [String: Any] {
        let consumers = try require(try vector.expected()["consumers"] as? [String: Any])
        return try require(consumers[name] as? [String: Any])
    }
}

/// `#require` outside a test body: throws instead of recording an issue.
func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw FixtureError("missing \(what)") }
    return value
}
