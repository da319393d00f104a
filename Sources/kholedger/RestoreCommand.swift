import ArgumentParser
import KHOABI
import KHOImage
import KHOLedger
import KHOMachine
import KHOReplay

/// `kholedger restore`: a vmalloc area's bytes, restored the way
/// `kho_restore_vmalloc` does.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a vmalloc area's bytes, as kho_restore_vmalloc would.",
        discussion: """
            From the ledger (--area): the vmalloc area NAME as of --at POINT (default: \
            the ledger's last operation), preserved or rebuilt by a restore in the \
            point's generation (the preserved one when both exist). The descriptor \
            and the chunk list are read through the memory as of the point, with \
            every check below; blocks and chunk pages must be in the generation's \
            tracker as of the point (for an area rebuilt by a restore: in what the \
            previous generation handed over, with its descriptor and chunk pages as \
            the restore read them).

            From a memory image (--image): reads the 16-byte kho_vmalloc descriptor at \
            --descriptor-phys and walks its chunk list through the image with every \
            check the kernel makes (pages listed vs total_pages, in the kernel's order) \
            plus those it cannot make safely (chunk-list cycles, pointers outside the \
            image or in holes, misaligned chunks and blocks, absurd orders, a page \
            listed twice). With --fdt, every block and chunk page must also be in the capture's preserved \
            tracker at the right order, as the next kernel requires.

            The bytes go to a new temporary file beside <output>, renamed to <output> \
            only when the whole area was restored: a failure leaves no file. A \
            character device or FIFO given as <output> (/dev/null, a named pipe) is \
            written through, never replaced; `-o -` writes to standard output, and \
            the text or JSON report then goes to standard error. Text output gives the size, \
            SHA-256 and chunk count (from the ledger after a line naming the area, its \
            kind, seq, generation and descriptor); --format json prints {"size", "sha256", "chunks", \
            "total_pages", "order", "flags", "descriptor_phys"}, and from the ledger \
            also "area", "kind", "seq" and "generation".

            Examples:
              kholedger restore --area journal --at gen:1 -o journal.bin
              kholedger restore --area state --at 2026-11-25T10:42:00Z -o state.bin
              kholedger restore --area journal --at gen:1 -o - | sha256sum
              kholedger restore --image memory.elf --fdt kho.dtb -o area.bin \\
                  --descriptor-phys 0x104880010
              kholedger restore --image ram.raw --base 0x100000000 -o area.bin \\
                  --descriptor-phys 0x104880010 --format json
            """
    )

    @Option(name: .long, help: ArgumentHelp("Restore the vmalloc area of this name from the ledger.", valueName: "name"))
    var area: String?

    @OptionGroup var point: PointOption

    @OptionGroup var ledger: LedgerOptions

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
        let stream = try exitOnError { try SummaryStream(besides: [output]) }
        let (summary, notes) = try exitOnError {
            switch (area, image) {
            case let (area?, nil): return try restoreFromLedger(area)
            case let (nil, image?): return (try restoreFromImage(image), PointNotes())
            case (.some, .some): throw InputError("give either --area (restore from the ledger) or --image (from a memory image), not both")
            case (nil, nil): throw InputError("restore needs --area NAME [--at POINT] to restore from the ledger, or --image PATH --descriptor-phys ADDRESS")
            }
        }
        switch format {
        case .text:
            stream.print(notes.text(([summary.heading?.escapingControlCharacters].compactMap { $0 } + [
                "size \(summary.size) bytes (\(ByteSize.format(summary.size)))",
                "sha256 \(summary.sha256)",
                "chunks \(summary.chunks)",
            ]).joined(separator: "\n")))
        case .json:
            stream.print(try notes.json(summary))
        }
    }

    /// Ledger mode: restores area `name` as of `--at` into `--output`.
    private func restoreFromLedger(_ name: String) throws -> (RestoreSummary, PointNotes) {
        if descriptorPhys != nil || fdt != nil { throw InputError("--descriptor-phys and --fdt go with --image; the ledger knows the area's descriptor") }
        let ledger = try ledger.openForReading()
        let resolved = try point.resolve(in: ledger, default: .lastOperation)
        let restore = LedgerRestore(ledger: ledger)
        let (state, area) = try restore.area(named: name, at: resolved.seq)
        let file = try OutputFile(path: output)
        let progress = ProgressLine("restore", total: Int(clamping: area.totalPages) * state.geometry.pageSize, unit: .bytes)
        defer { progress.clear() }
        let restored = try restore.restore(area, of: state) { bytes in
            try file.append(bytes)
            progress.advance(by: bytes.count)
        }
        try file.commit()
        var summary = RestoreSummary(restored: restored, descriptorPhys: area.descriptorPhys)
        summary.area = area.name
        summary.kind = area.kind.rawValue
        summary.seq = state.seq
        summary.generation = state.generation
        return (summary, PointNotes(resolved))
    }

    /// Image mode: restores the area at `--descriptor-phys` from the image at
    /// `path` into `--output`.
    private func restoreFromImage(_ path: String) throws -> RestoreSummary {
        guard let descriptorPhys else { throw InputError("--descriptor-phys is required with --image") }
        let phys = try parseAddress(descriptorPhys, option: "--descriptor-phys")
        let geometry = try imageOptions.geometry()
        let read = try imageOptions.reader(image: path)
        let heads = try fdt.map { try tracker.walk(fdt: $0, geometry: geometry, read: read).heads(geometry) }
        let file = try OutputFile(path: output)
        let area = try VmallocRestorer(geometry: geometry, read: read, heads: heads)
            .restore(descriptorAt: phys, into: file.append)
        try file.commit()
        return RestoreSummary(restored: area, descriptorPhys: phys)
    }
}

/// The JSON shape of a restore; the area's name, kind and point only from the ledger.
private struct RestoreSummary: Encodable {
    var size: UInt64
    var sha256: String
    var chunks: Int
    var totalPages: UInt32
    var order: Int
    var flags: UInt16
    var descriptorPhys: String
    var area: String?
    var kind: String?
    var seq: Int64?
    var generation: Int64?

    init(restored: RestoredArea, descriptorPhys: UInt64) {
        size = restored.size
        sha256 = restored.sha256
        chunks = restored.chunkPhys.count
        totalPages = restored.descriptor.totalPages
        order = restored.order
        flags = restored.descriptor.flags.rawValue
        self.descriptorPhys = hex(descriptorPhys)
    }

    /// `area NAME (KIND) at seq S, generation G, descriptor 0x…` for a ledger restore.
    var heading: String? {
        guard let area, let kind, let seq, let generation else { return nil }
        return "area \(area) (\(kind)) at seq \(seq), generation \(generation), descriptor \(descriptorPhys)"
    }
}
