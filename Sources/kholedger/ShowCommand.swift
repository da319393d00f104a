import ArgumentParser
import KHOABI
import KHOLedger

/// `kholedger show SEQ`: one operation in full.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one operation with its tracker changes, frame layout and chunk pages.",
        discussion: """
            A subtree the operation added or found is listed with its blob decoded \
            when kholedger knows its format: the kernel's kexec-metadata \
            (previous_release, kexec_count) and the test module's FDTs (`kho_test`, \
            `kho_test0` … `kho_test3`: magic, nr_folios, csum).

            Example:
              kholedger show 12
              kholedger show 12 --format json
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The operation's seq (see `kholedger log`).")
    var seq: Int64

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let detail = try ledger.openForReading().operation(seq)
        switch format {
        case .json: print(try JSONOutput.string(detail))
        case .text: print(text(detail))
        }
    }

    private func text(_ detail: OpDetail) -> String {
        let op = detail.op
        var lines = ["seq \(op.seq)  generation \(op.generation)  \(op.time)",
                     "\(op.kind)\(op.subject.map { " \($0)" } ?? "")  -> \(op.result)",
                     "args \(op.args)"]
        if let reason = op.detail { lines.append("detail \(reason)") }
        lines.append("hash \(op.hash)")
        if !detail.changes.isEmpty {
            lines.append("tracker changes:")
            lines += Self.indented(TextTable(header: ["ACTION", "PHYS", "ORDER", "BLOCKS"],
                                             rows: detail.changes.map { [$0.action, $0.phys, "\($0.order)", "\($0.count)"] }))
        }
        for object in detail.objects {
            var header = "\(object.kind) \(object.name)"
            if let phys = object.descriptorPhys { header += " descriptor \(phys)" }
            if let pages = object.totalPages { header += " total_pages \(pages)" }
            if let order = object.order { header += " order \(order)" }
            if let flags = object.flags { header += " flags \(hex(flags)) (\(VmallocFlags(rawValue: UInt16(truncatingIfNeeded: flags))))" }
            lines.append(header)
            if !object.extents.isEmpty {
                lines += Self.indented(TextTable(header: ["FRAMES", "PHYS", "ORDER"], rows: object.extents.map { e in
                    [e.count == 1 ? "\(e.firstIndex)" : "\(e.firstIndex)–\(e.firstIndex + e.count - 1)", e.phys, "\(e.order)"]
                }))
            }
            if !object.chunks.isEmpty {
                lines += Self.indented(TextTable(header: ["CHUNK", "PHYS", "NEXT", "ENTRIES", "SHA256"], rows: object.chunks.map { c in
                    ["\(c.index)", c.phys, c.next, "\(c.entries)", c.sha256]
                }))
            }
        }
        for s in detail.subtrees {
            lines.append("subtree \(s.direction) \(s.name) \(s.phys)\(s.size.map { " size \($0)" } ?? "")")
            if let metadata = s.kexecMetadata {
                lines.append("  kexec-metadata: previous_release \(metadata.previousRelease), kexec_count \(metadata.kexecCount)")
            }
            if let test = s.testKho {
                lines.append("  test_kho: magic \(test.magic), nr_folios \(test.nrFolios), csum \(test.csum)")
            }
        }
        if detail.pagesWritten > 0 { lines.append("pages written: \(detail.pagesWritten)") }
        return lines.joined(separator: "\n")
    }

    /// A table's lines, indented under the line that introduces them.
    private static func indented(_ table: TextTable) -> [String] {
        table.rendered.split(separator: "\n").map { "  " + $0 }
    }
}
