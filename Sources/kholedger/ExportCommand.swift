import ArgumentParser
import KHOArtifacts
import KHOMachine

/// `kholedger export`: a point's handover as an ELF core, root FDT, raw image and manifest.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the handover as of a point as an ELF core and root FDT that real tools read.",
        discussion: """
            Writes what the ledger says was handed over at --at POINT (usually gen:G, \
            generation G's kexec; default: the last operation): an ELF64 core (--image) \
            with one PT_LOAD per contiguous run of handed-over pages (p_paddr = physical \
            address) and the root FDT (--fdt), which readelf, dtc, crash and \
            `kholedger walk` / `restore --image` read. The handed-over pages are the \
            preserved blocks, the tracker's node pages, the root FDT page, the subtree \
            blobs and the vmalloc descriptors, with their contents as of the point. At a \
            kexec of a simulated generation the tracker's pages are the ones handed over \
            (radix nodes, or kho-v1 chunks and bitmaps); elsewhere, or for an import, the \
            tracker is rebuilt from the preserved set: its root (first chunk) where the \
            root FDT's preserved-memory-map points, its other pages in the lowest free \
            pages of memory.

            --raw also writes a flat image (byte n = physical address base + n, base = \
            --base or the machine's memory base; gaps are holes of a sparse file). \
            --manifest writes {"page_size", "compat", "fdt_phys", "tracker_root", "areas": \
            [{"name", "descriptor_phys", "total_pages", "order", "flags", "sha256"}], \
            "preserved_count", "tracker_pages", "segments": [{"phys", "size"}], "seq", \
            "generation"}, each area's sha256 restored from the ledger; --format json \
            prints the same. Files appear only when all are complete (a character \
            device or FIFO is written through, never replaced; one of the files may be \
            `-`, standard output, and the report then goes to standard error). A kho-v1 \
            generation (6.16 – 7.0, bitmap tracker) hands over only at its kexec, where its \
            chunks and bitmaps are serialized; read its export back with --v1-variant \
            (v1a for 6.16 and 6.17).

            Examples:
              kholedger export --at gen:1 --image gen1.elf --fdt gen1.dtb
              kholedger export --at gen:0 --image g0.elf --fdt g0.dtb --manifest g0.json
              kholedger export --at gen:2 --image g2.elf --fdt g2.dtb --raw g2.raw
              readelf -lW gen1.elf; dtc -I dtb -O dts gen1.dtb
              kholedger walk --fdt gen1.dtb --image gen1.elf
            """
    )

    @OptionGroup var point: PointOption

    @OptionGroup var ledger: LedgerOptions

    @Option(name: .long, help: ArgumentHelp("The ELF core to write.", valueName: "path"))
    var image: String

    @Option(name: .long, help: ArgumentHelp("The root FDT (dtb) to write.", valueName: "path"))
    var fdt: String

    @Option(name: .long, help: ArgumentHelp("Also write a flat raw image.", valueName: "path"))
    var raw: String?

    @Option(name: .long, help: ArgumentHelp("Physical address of the raw image's first byte (default: the memory base).",
                                            valueName: "address"))
    var base: String?

    @Option(name: .long, help: ArgumentHelp("Also write the manifest (JSON).", valueName: "path"))
    var manifest: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let stream = try exitOnError { try SummaryStream(besides: [image, fdt, raw, manifest]) }
        let (written, notes) = try exitOnError {
            if base != nil, raw == nil { throw InputError("--base goes with --raw: it is the raw image's base") }
            let rawBase = try base.map { try parseAddress($0, option: "--base") }
            let ledger = try ledger.openForReading()
            let resolved = try point.resolve(in: ledger, default: .lastOperation)
            let progress = ProgressLine("export", total: 0, unit: .bytes)
            defer { progress.clear() }
            return (try HandoverExport(ledger: ledger).export(
                at: resolved.seq, to: .init(image: image, fdt: fdt, raw: raw, rawBase: rawBase, manifest: manifest),
                progress: progress.report), PointNotes(resolved))
        }
        switch format {
        case .text:
            let bytes = written.segments.reduce(UInt64(0)) { $0 + $1.size }
            var lines = [
                "exported seq \(written.seq) (generation \(written.generation), \(written.compat), \(written.pageSize / 1024) KiB pages)",
                "\(image): \(written.segments.count) PT_LOAD segments, \(ByteSize.format(bytes)): \(written.preservedCount) preserved blocks, "
                    + "\(written.trackerPages) tracker pages (root \(written.trackerRoot))",
                "\(fdt): root FDT" + (written.fdtPhys.map { " (page \($0))" } ?? ""),
            ]
            lines += [raw.map { "\($0): raw image" }, manifest.map { "\($0): manifest" }].compactMap { $0 }
            if !written.areas.isEmpty {
                var table = TextTable(header: ["AREA", "DESCRIPTOR", "PAGES", "ORDER", "SHA256"])
                table.rows = written.areas.map { [$0.name, $0.descriptorPhys, "\($0.totalPages)", "\($0.order)", $0.sha256 ?? "error: \($0.error ?? "?")"] }
                lines += ["", "areas:", table.rendered]
            }
            stream.print(notes.text(lines.joined(separator: "\n")))
        case .json:
            stream.print(try notes.json(written))
        }
    }
}
