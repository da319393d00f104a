import ArgumentParser
import KHOABI
import KHOImage
import KHOMachine
import KHOReplay

/// `kholedger restore`: a vmalloc area's bytes, restored the way
/// `kho_restore_vmalloc` does.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a vmalloc area's bytes, as kho_restore_vmalloc would.",
        discussion: """
            From a memory image (--image): reads the 16-byte kho_vmalloc descriptor at \
            --descriptor-phys and walks its chunk list through the image with every \
            check the kernel makes (pages listed vs total_pages, in the kernel's order) \
            plus those it cannot make safely (chunk-list cycles, pointers outside the \
            image or in holes, misaligned chunks and blocks, absurd orders). With \
            --fdt, every block and chunk page must also be in the capture's preserved \
            tracker at the right order, as the next kernel requires.

            The bytes go to <output>.partial, renamed to <output> only when the whole \
            area was restored: a failure leaves no file. Text output gives the size, \
            SHA-256 and chunk count; --format json prints {"size", "sha256", "chunks", \
            "total_pages", "order", "flags", "descriptor_phys"}.

            Examples:
              kholedger restore --image memory.elf --fdt kho.dtb --descriptor-phys 0x1005a6000 -o area.bin
              kholedger restore --image ram.raw --base 0x100000000 --descriptor-phys 0x1005a6000 -o area.bin --format json
            """
    )

    @Option(name: .long, help: ArgumentHelp("Restore from this memory image: an ELF core, or a raw image with --base.", valueName: "path"))
    var image: String?

    @OptionGroup var imageOptions: ImageOptions

    @Option(name: .long, help: ArgumentHelp("The capture's root FDT: also require every block and chunk page to be preserved at its order.",
                                            valueName: "path"))
    var fdt: String?

    @OptionGroup var tracker: TrackerOptions

    @Option(name: .customLong("descriptor-phys"), help: ArgumentHelp("Physical address of the kho_vmalloc descriptor (with --image).",
                                                                     valueName: "address"))
    var descriptorPhys: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The file to write the area's bytes to.", valueName: "path"))
    var output: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        guard let image else {
            printError("restore needs --image: restoring an area from the ledger (--area NAME --at POINT) is not available yet")
            throw ExitCode.failure
        }
        let (area, phys) = try exitOnError { try restoreFromImage(image) }
        switch format {
        case .text:
            print("""
                size \(area.size) bytes (\(ByteSize.format(area.size)))
                sha256 \(area.sha256)
                chunks \(area.chunkPhys.count)
                """)
        case .json:
            print(try JSONOutput.string(RestoreSummary(area: area, descriptorPhys: phys)))
        }
    }

    /// Image mode: restores the area at `--descriptor-phys` from the image at
    /// `path` into `--output`; returns the area and its descriptor address.
    private func restoreFromImage(_ path: String) throws -> (RestoredArea, UInt64) {
        guard let descriptorPhys else { throw InputError("--descriptor-phys is required with --image") }
        let phys = try parseAddress(descriptorPhys, option: "--descriptor-phys")
        let geometry = try imageOptions.geometry()
        let read = try imageOptions.reader(image: path)
        let isPreserved = try fdt.map { fdt -> VmallocRestorer.PreservedCheck in
            let preserved = Set(try tracker.walk(fdt: fdt, geometry: geometry, read: read).preserved)
            return { preserved.contains($0) }
        }
        let file = try OutputFile(path: output)
        let area = try VmallocRestorer(geometry: geometry, read: read, isPreserved: isPreserved)
            .restore(descriptorAt: phys, into: file.append)
        try file.commit()
        return (area, phys)
    }
}

/// The JSON shape of a restore.
private struct RestoreSummary: Encodable {
    var size: UInt64
    var sha256: String
    var chunks: Int
    var totalPages: UInt32
    var order: Int
    var flags: UInt16
    var descriptorPhys: String

    init(area: RestoredArea, descriptorPhys: UInt64) {
        size = area.size
        sha256 = area.sha256
        chunks = area.chunkPhys.count
        totalPages = area.descriptor.totalPages
        order = area.order
        flags = area.descriptor.flags.rawValue
        self.descriptorPhys = hex(descriptorPhys)
    }
}
