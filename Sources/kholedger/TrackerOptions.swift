import ArgumentParser
import KHOABI

extension BitmapVariant: ExpressibleByArgument {}
extension RadixDepthFormula: ExpressibleByArgument {}

/// `--v1-variant` and `--depth-formula`: what the root FDT cannot tell about
/// the preserved-memory tracker.
struct TrackerOptions: ParsableArguments {
    @Option(name: .customLong("v1-variant"), help: ArgumentHelp(
        "kho-v1 bitmap layout: v1a (6.16, 6.17: 512-byte bitmaps) or v1b (6.18 – 7.0: page-sized bitmaps).",
        discussion: "Both use the compatible string kho-v1; ignored for later generations."))
    var v1Variant: BitmapVariant = .v1b

    @Option(name: .long, help: ArgumentHelp(
        "Radix tree depth formula: fixed, or original (the pre-7.1 formula, broken at 16 KiB pages).",
        discussion: "They differ only at 16 KiB pages."))
    var depthFormula: RadixDepthFormula = .fixed

    /// Walks the handover whose root FDT is the file at `path`.
    func walk(fdt path: String, geometry: PageGeometry, read: MemoryReader) throws -> HandoverWalk {
        let bytes = try fdt(at: path)
        do {
            return try HandoverWalker(geometry: geometry, bitmapVariant: v1Variant, depthFormula: depthFormula)
                .walk(fdt: bytes, read: read)
        } catch .rootFDT(let error) {
            throw InputError("--fdt \(path): \(error)")
        }
    }

    /// The bytes of the root FDT file at `path`.
    func fdt(at path: String) throws -> [UInt8] { try inputFileBytes(path, option: "--fdt") }
}
