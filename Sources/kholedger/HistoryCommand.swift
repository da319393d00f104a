import ArgumentParser
import KHOABI
import KHOReplay

/// `kholedger history --area NAME`: one area's life across generations.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Follow one vmalloc area across generations: each preserve and restore.",
        discussion: """
            One row per preserve_vmalloc and restore_vmalloc of areas with that name, in \
            seq order (a *hop*): its seq and generation, the call's result, the \
            descriptor it left (address, total_pages, order, flags), the chunk pages, \
            the SHA-256 of the area's bytes in restore order right after the call, and \
            how many pages differ from the previous hop's area (by page index and \
            content; "-" for the first hop). A failed call has its result and no area. \
            Each area is restored from the ledger as `restore --area` would, so a hop \
            whose area the kernel could not restore says why.

            --format json prints {"area", "hops": [{"seq", "generation", "kind", \
            "result", "descriptor_phys", "total_pages", "order", "flags", "chunks": \
            ["0x…"], "sha256", "restore_error", "changed_pages"}]}; fields a hop lacks \
            are null.

            Examples:
              kholedger history --area journal
              kholedger history --area state --format json
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Option(name: .long, help: ArgumentHelp("The area's name (as preserve_vmalloc and restore_vmalloc record it).", valueName: "name"))
    var area: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let history = try exitOnError { try AreaHistory(ledger: ledger.openForReading(), area: area) }
        switch format {
        case .text: print(text(history))
        case .json: print(try JSONOutput.string(HistoryDocument(history)))
        }
    }

    private func text(_ history: AreaHistory) -> String {
        let generations = Set(history.hops.map(\.generation)).sorted()
        let span = generations.count == 1 ? "generation \(generations[0])" : "generations \(generations.first!)…\(generations.last!)"
        var table = TextTable(header: ["SEQ", "GEN", "OP", "RESULT", "DESCRIPTOR", "PAGES", "ORDER", "FLAGS", "CHUNKS", "SHA256", "CHANGED"])
        table.rows = history.hops.map { hop in
            let area = hop.area
            return ["\(hop.seq)", "\(hop.generation)", hop.kind == .preserveVmalloc ? "preserve" : "restore", hop.result,
                    area.map { hex($0.descriptorPhys) } ?? "-", area.map { "\($0.totalPages)" } ?? "-",
                    area.map { "\($0.order)" } ?? "-", area.map { hex($0.flags) } ?? "-",
                    hop.restored.map { Self.chunks($0.chunkPhys) } ?? area.map { "\($0.chunks)" } ?? "-",
                    hop.restored?.sha256 ?? (hop.restoreError == nil ? "-" : "not restorable"),
                    hop.changedPages.map { "\($0)" } ?? "-"]
        }
        var lines = ["area \(history.name.escapingControlCharacters): \(history.hops.count) hop\(history.hops.count == 1 ? "" : "s") over \(span)",
                     table.rendered]
        lines += history.hops.compactMap { hop in hop.restoreError.map { "seq \(hop.seq): \($0)" } }
        return lines.joined(separator: "\n")
    }

    /// Up to three chunk addresses, else the count and the first (JSON lists all).
    private static func chunks(_ phys: [UInt64]) -> String {
        phys.count <= 3 ? phys.map(hex).joined(separator: ",") : "\(phys.count): \(hex(phys[0])),…"
    }
}

/// The JSON shape of `kholedger history`.
private struct HistoryDocument: Encodable {
    struct Hop: Encodable {
        var seq: Int64
        var generation: Int64
        var kind: String
        var result: String
        @NullWhenAbsent var descriptorPhys: String?
        @NullWhenAbsent var totalPages: UInt64?
        @NullWhenAbsent var order: Int?
        @NullWhenAbsent var flags: UInt16?
        @NullWhenAbsent var chunks: [String]?
        @NullWhenAbsent var sha256: String?
        @NullWhenAbsent var restoreError: String?
        @NullWhenAbsent var changedPages: Int?
    }

    var area: String
    var hops: [Hop]

    init(_ history: AreaHistory) {
        area = history.name
        hops = history.hops.map { hop in
            Hop(seq: hop.seq, generation: hop.generation, kind: hop.kind.rawValue, result: hop.result,
                descriptorPhys: hop.area.map { hex($0.descriptorPhys) }, totalPages: hop.area?.totalPages, order: hop.area?.order,
                flags: hop.area?.flags, chunks: hop.restored?.chunkPhys.map(hex), sha256: hop.restored?.sha256,
                restoreError: hop.restoreError, changedPages: hop.changedPages)
        }
    }
}
