import ArgumentParser
import Foundation
import KHOABI
import KHOArtifacts
import KHOImage

/// `--fdt` or `--debugfs`, `--image` and how to read them (`--kernel`,
/// `--base`, `--page-size`, `--v1-variant`, `--depth-formula`): a captured
/// handover.
struct CaptureOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The root FDT (a dtb file).", valueName: "path"))
    var fdt: String?

    @Option(name: .long, help: ArgumentHelp(
        "A copy of /sys/kernel/debug/kho (or of its out/ or in/) instead of --fdt.",
        discussion: "Its fdt is the root FDT (read whole from the image when the file is shorter); "
            + "its sub_fdts files must be the subtrees' blobs, and out/'s scratch or bootmem ranges are recorded.",
        valueName: "folder"))
    var debugfs: String?

    @Option(name: .long, help: ArgumentHelp(
        "The release that made the capture (6.16 … 7.4), when its files leave it open.",
        discussion: "It sets the kho-v1 bitmap layout (6.16, 6.17: v1a) and a --debugfs folder must be laid out as it lays it out.",
        valueName: "release"))
    var kernel: String?

    @Option(name: .long, help: ArgumentHelp("The memory image: an ELF core, or a raw image with --base.", valueName: "path"))
    var image: String

    @OptionGroup var imageOptions: ImageOptions

    @OptionGroup var tracker: TrackerOptions

    func validate() throws {
        if fdt == nil, debugfs == nil { throw Self.noRootFDT }
        if fdt != nil, debugfs != nil { throw ValidationError("--fdt and --debugfs both give the root FDT: use one") }
        if let kernel { _ = try KernelRelease.argument(kernel) }
    }

    private static let noRootFDT = ValidationError("give the root FDT: --fdt FILE or --debugfs FOLDER")

    /// Walks the capture; also returns the image's reader and what reading
    /// a debugfs folder's root FDT found.
    func walk() throws -> (HandoverWalk, MemoryReader, note: String?) {
        if let fdt {
            let read = try imageOptions.reader(image: image)
            var tracker = tracker
            tracker.v1Variant = bitmapVariant
            return (try tracker.walk(fdt: fdt, geometry: imageOptions.geometry(), read: read), read, nil)
        }
        guard let debugfs else { throw Self.noRootFDT }
        let capture = try captureImport(debugfs: debugfs, label: nil, namedAreas: [])
        let read: MemoryReader = { phys, count in try capture.image.read(phys: phys, count: count) }
        do {
            return (try HandoverWalker(geometry: capture.geometry, bitmapVariant: capture.bitmapVariant, depthFormula: capture.depthFormula)
                .walk(fdt: capture.fdt, read: read), read, capture.fdtNote)
        } catch .rootFDT(let error) {
            throw InputError("\(debugfs): fdt: \(error)")
        }
    }

    /// The import of the capture, labelled `label` (default: the image's file name).
    func captureImport(label: String?, namedAreas: [NamedArea]) throws -> CaptureImport {
        let label = label ?? URL(fileURLWithPath: image).lastPathComponent
        if let fdt {
            return CaptureImport(fdt: try tracker.fdt(at: fdt), image: try imageOptions.open(image), geometry: try imageOptions.geometry(),
                                 bitmapVariant: bitmapVariant, depthFormula: tracker.depthFormula, label: label, namedAreas: namedAreas)
        }
        guard let debugfs else { throw Self.noRootFDT }
        return try captureImport(debugfs: debugfs, label: label, namedAreas: namedAreas)
    }

    private func captureImport(debugfs: String, label: String?, namedAreas: [NamedArea]) throws -> CaptureImport {
        let folder = try DebugfsCapture(path: debugfs)
        return try CaptureImport(debugfs: folder, image: try imageOptions.open(image), geometry: try imageOptions.geometry(),
                                 kernel: release, bitmapVariant: tracker.v1Variant, depthFormula: tracker.depthFormula,
                                 label: label, namedAreas: namedAreas)
    }

    /// `--kernel`, parsed (``validate()`` checked it).
    private var release: KernelRelease? { kernel.flatMap(KernelRelease.init(name:)) }

    /// The kho-v1 bitmap layout: `--kernel`'s, else `--v1-variant`.
    private var bitmapVariant: BitmapVariant { release?.abi.bitmapVariant ?? tracker.v1Variant }
}
