import ArgumentParser
import Foundation
import KHOABI
import KHOArtifacts

/// `--fdt`, `--image` and how to read them (`--base`, `--page-size`,
/// `--v1-variant`, `--depth-formula`): a captured handover.
struct CaptureOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The root FDT (a dtb file).", valueName: "path"))
    var fdt: String

    @Option(name: .long, help: ArgumentHelp("The memory image: an ELF core, or a raw image with --base.", valueName: "path"))
    var image: String

    @OptionGroup var imageOptions: ImageOptions

    @OptionGroup var tracker: TrackerOptions

    /// Walks the capture; also returns the image's reader.
    func walk() throws -> (HandoverWalk, MemoryReader) {
        let read = try imageOptions.reader(image: image)
        return (try tracker.walk(fdt: fdt, geometry: imageOptions.geometry(), read: read), read)
    }

    /// The import of the capture, labelled `label` (default: the image's file name).
    func captureImport(label: String?, namedAreas: [NamedArea]) throws -> CaptureImport {
        CaptureImport(fdt: try tracker.fdt(at: fdt), image: try imageOptions.open(image), geometry: try imageOptions.geometry(),
                      bitmapVariant: tracker.v1Variant, depthFormula: tracker.depthFormula,
                      label: label ?? URL(fileURLWithPath: image).lastPathComponent, namedAreas: namedAreas)
    }
}
