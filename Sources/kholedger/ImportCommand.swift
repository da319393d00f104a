import ArgumentParser
import KHOABI
import KHOArtifacts
import KHOLedger
import KHOMachine

/// `kholedger import`: a captured handover becomes a generation of the ledger.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add a captured handover (root FDT or debugfs folder + memory image) to the ledger as a new generation.",
        discussion: """
            Reads the root FDT (as captured from /sys/kernel/debug/kho/out/fdt) and a \
            physical memory image (an ELF core from kdump or QEMU dump-guest-memory, or \
            a raw image with --base), walks the preserved-memory tracker as the next \
            kernel would, and records one generation: every preserved block with its \
            content, every subtree with its blob, and the vmalloc areas — those a known \
            consumer format points to (the kho_test module's folio array, the folio array \
            of each memfd-v1/v2 file in the LUO sessions) plus those named with \
            --vmalloc NAME=0xDESCRIPTOR_PHYS (a name given for a consumer's descriptor \
            replaces the consumer's name). Each area is restored with the kernel's checks \
            (every block and chunk page preserved at its order) and recorded with its \
            descriptor, chunk pages and frames. --manifest FILE names the areas as an \
            export's manifest does, and checks the capture against it (page size, \
            compatible, tracker root, each area's SHA-256): an export imports back \
            under the same names.

            --debugfs FOLDER reads a copy of /sys/kernel/debug/kho (contrib/capture/ makes \
            one with the memory image) instead of --fdt: its out/ (the handover the kernel \
            makes) or in/ (the one it booted from), or either given directly. Its fdt is the \
            root FDT; a 6.19+ kernel sizes out/fdt when it makes the file, so when the file \
            is shorter than its FDT header says, the whole FDT is read from the page of the \
            image that starts with it (a note says so). Every file of sub_fdts/ must be \
            the blob its subtree points to in the image (sized by blob-size from kho-v3 on, \
            by the FDT's totalsize before): a missing, extra, shorter or different file is \
            an error naming it. out/ lists the boot memory in scratch_phys and scratch_len \
            (bootmem_phys and bootmem_len from 7.4), one 0x… line per range; the ranges are \
            recorded with the generation's kexec (SQL view v_boot_memory). out/finalize \
            (6.16 – 7.0) must read 1. The release is told from the files and the FDT's \
            compatible; --kernel R says it when they leave it open (a kho-v1 bitmap is \
            512-byte in 6.16 and 6.17) and is checked against the files.

            The generation is like any other: `gen:G` is the capture (its handover), so \
            state, restore --area and diff answer for it. The whole import is one \
            transaction: a capture that fails a check (an FDT that does not decode, an \
            image that does not cover the tracker or a preserved block, an area that does \
            not restore) leaves the ledger unchanged, with one error line.

            Text output names the generation, its seqs, the preserved blocks, subtrees and \
            areas (with SHA-256); --format json prints {"generation", "boot_seq", \
            "kexec_seq", "compat", "page_size", "tracker_root", "fdt_phys", \
            "preserved_count", "preserved_bytes", "subtrees": [{"name", "phys", "size"}], \
            "areas": [{"name", "origin", "descriptor_phys", "total_pages", "order", \
            "flags", "chunks", "sha256"}], "debugfs": {"path", "side", "releases", \
            "boot_memory": {"name", "ranges": [{"phys", "size"}]}}, "notes"} with addresses as "0x…".

            Examples:
              kholedger import --fdt kho.dtb --image memory.elf
              kholedger import --fdt kho.dtb --image ram.raw --base 0x100000000 \\
                  --label host-17
              kholedger import --fdt kho-16k.dtb --image vmcore-16k --page-size 16384 \\
                  --vmalloc exact=0x11c558000
              kholedger import --fdt g0.dtb --image g0.elf --manifest g0.json
              kholedger import --debugfs capture/kho --image capture/memory.elf
              kholedger import --debugfs old/kho/in --image old/vmcore --kernel 6.16
            """
    )

    @OptionGroup var capture: CaptureOptions

    @Option(name: .customLong("vmalloc"), help: ArgumentHelp(
        "Also import the vmalloc area whose descriptor is at this address, under this name (repeatable).",
        valueName: "name=address"))
    var vmalloc: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Name the areas as the manifest of an export (export --manifest) does, and check the capture against it.",
        discussion: "Every area the manifest lists is imported under its name; its page size, compatible, tracker root "
            + "and each area's SHA-256 must match the capture. A --vmalloc at the same descriptor wins.",
        valueName: "path"))
    var manifest: String?

    @Option(name: .long, help: ArgumentHelp("The generation's label (default: the image's file name).", valueName: "text"))
    var label: String?

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var writer: WriterOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let summary = try exitOnError {
            let named = try vmalloc.map(Self.namedArea)
            let manifest = try manifest.map(Self.manifestAreas)
            var prepared = try capture.captureImport(label: label, namedAreas: (manifest?.namedAreas ?? []) + named).prepare()
            if let manifest { prepared = try prepared.checked(against: manifest) }
            let progress = ProgressLine("import", total: prepared.operations)
            defer { progress.clear() }
            return try prepared.record(into: writer.open(ledger.path), progress: progress.report)
        }
        switch format {
        case .text:
            print(Self.text(summary))
            for note in summary.notes { printNote("note: \(note)") }
        case .json:
            print(try JSONOutput.string(ImportDocument(summary)))
        }
    }

    /// Reads an export's manifest.
    private static func manifestAreas(_ path: String) throws -> ManifestAreas {
        try ManifestAreas(path: path, json: inputFileBytes(path, option: "--manifest"))
    }

    /// Parses `NAME=ADDRESS`.
    private static func namedArea(_ text: String) throws -> NamedArea {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw InputError("--vmalloc \(text.debugDescription) is not NAME=ADDRESS (e.g. journal=0x1005a6000)")
        }
        return NamedArea(name: String(parts[0]), descriptorPhys: try parseAddress(String(parts[1]), option: "--vmalloc \(parts[0])="))
    }

    private static func text(_ summary: ImportSummary) -> String {
        var lines = [
            "imported generation \(summary.generation) (\(summary.abi.compatible), \(summary.geometry.pageSize / 1024) KiB pages): "
                + "seqs \(summary.bootSeq)…\(summary.kexecSeq), handover gen:\(summary.generation) = seq \(summary.kexecSeq)",
            "preserved: \(summary.preserved.count) blocks, \(ByteSize.format(summary.preservedBytes)); tracker \(hex(summary.trackerRoot)); "
                + "root FDT page \(summary.fdtPhys.map { hex($0) } ?? "unknown")",
            "subtrees: " + (summary.subtrees.isEmpty ? "none" : summary.subtrees.map(\.name).joined(separator: ", ")),
        ]
        if let metadata = summary.kexecMetadata {
            lines.append("kexec-metadata: handed over by \(metadata.previousRelease), kexec count \(metadata.kexecCount)")
        }
        if let debugfs = summary.debugfs {
            let releases = debugfs.releases.isEmpty ? "" : " as " + debugfs.releases.map(\.rawValue).joined(separator: ", ") + " lay it out"
            lines.append("debugfs: \(debugfs.path) (\(debugfs.side.rawValue)/)\(releases); "
                + (debugfs.bootMemory.map { "\($0.name): " + ($0.ranges.isEmpty ? "no ranges" : $0.ranges.map(\.description).joined(separator: " ")) }
                    ?? "no boot memory listed"))
        }
        if summary.areas.isEmpty {
            lines.append("areas: none")
        } else {
            var table = TextTable(header: ["AREA", "ORIGIN", "DESCRIPTOR", "PAGES", "ORDER", "CHUNKS", "SHA256"])
            table.rows = summary.areas.map { area in
                [area.area.name, area.area.origin.description, hex(area.area.descriptorPhys), "\(area.restored.descriptor.totalPages)",
                 "\(area.restored.order)", "\(area.restored.chunkPhys.count)", area.restored.sha256]
            }
            lines += ["", "areas:", table.rendered]
        }
        return lines.joined(separator: "\n")
    }
}

/// The JSON shape of an import.
private struct ImportDocument: Encodable {
    struct Subtree: Encodable {
        var name: String
        var phys: String
        var size: UInt64?
    }

    struct Debugfs: Encodable {
        struct BootMemory: Encodable {
            var name: String
            var ranges: [Range]
        }

        struct Range: Encodable {
            var phys: String
            var size: UInt64
        }

        var path: String
        var side: String
        var releases: [String]
        var bootMemory: BootMemory?

        init(_ findings: DebugfsFindings) {
            path = findings.path
            side = findings.side.rawValue
            releases = findings.releases.map(\.rawValue)
            bootMemory = findings.bootMemory.map { memory in
                BootMemory(name: memory.name, ranges: memory.ranges.map { Range(phys: hex($0.address), size: $0.size) })
            }
        }
    }

    struct Area: Encodable {
        var name: String
        var origin: String
        var descriptorPhys: String
        var totalPages: UInt32
        var order: Int
        var flags: UInt16
        var chunks: Int
        var sha256: String
    }

    var generation: Int64
    var bootSeq: Int64
    var kexecSeq: Int64
    var compat: String
    var pageSize: Int
    var trackerRoot: String
    var fdtPhys: String?
    var preservedCount: Int
    var preservedBytes: UInt64
    var subtrees: [Subtree]
    var kexecMetadata: KexecMetadata?
    var areas: [Area]
    var debugfs: Debugfs?
    var notes: [String]

    init(_ summary: ImportSummary) {
        generation = summary.generation
        bootSeq = summary.bootSeq
        kexecSeq = summary.kexecSeq
        compat = summary.abi.compatible
        pageSize = summary.geometry.pageSize
        trackerRoot = hex(summary.trackerRoot)
        fdtPhys = summary.fdtPhys.map { hex($0) }
        preservedCount = summary.preserved.count
        preservedBytes = summary.preservedBytes
        subtrees = summary.subtrees.map { Subtree(name: $0.name, phys: hex($0.phys), size: $0.size) }
        kexecMetadata = summary.kexecMetadata
        areas = summary.areas.map {
            Area(name: $0.area.name, origin: $0.area.origin.description, descriptorPhys: hex($0.area.descriptorPhys),
                 totalPages: $0.restored.descriptor.totalPages, order: $0.restored.order, flags: $0.restored.descriptor.flags.rawValue,
                 chunks: $0.restored.chunkPhys.count, sha256: $0.restored.sha256)
        }
        debugfs = summary.debugfs.map(Debugfs.init)
        notes = summary.notes
    }
}
