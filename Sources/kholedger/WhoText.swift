import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

/// The text form of `kholedger who`: the page and the point, what held it,
/// the preserved blocks and the content then, the operations per
/// generation and the content over time.
enum WhoText {
    static func render(_ history: PageHistory) -> String {
        let page = "page \(hex(history.page)) (pfn \(history.frame))"
        let point = "as of seq \(history.seq) (generation \(history.generation))"
        guard history.isKnown else {
            return "the ledger never saw \(page) of lineage \(history.lineage): nothing held, preserved, restored or wrote it "
                + "(the point: seq \(history.seq), generation \(history.generation))"
        }
        var lines = [
            "\(page), \(ByteSize.format(UInt64(history.geometry.pageSize))) pages, lineage \(history.lineage), \(point)",
            "held by: " + (history.holders.isEmpty ? "nothing" : history.holders.map(holder).joined(separator: ", ")),
            "preserved: " + (history.preserved.isEmpty ? "no"
                : history.preserved.map { "\(block($0.block)) since seq \($0.fromSeq)" }.joined(separator: ", ")),
            "content: " + content(history.contentAtPoint),
        ]
        for generation in history.generations {
            var table = TextTable(header: ["SEQ", "TIME", "KIND", "SUBJECT", "ACTION", "BLOCK", "SHA256"])
            table.rows = history.operations.filter { $0.generation == generation }.map {
                ["\($0.seq)", $0.time, $0.kind, $0.subject ?? "-", $0.action.rawValue, $0.block.map(block) ?? "-", $0.sha256 ?? "-"]
            }
            lines += ["", "generation \(generation):", table.rendered]
        }
        if !history.contents.isEmpty {
            var table = TextTable(header: ["FROM", "UNTIL", "SHA256"])
            table.rows = history.contents.map { ["\($0.fromSeq)", $0.untilSeq.map { "\($0)" } ?? "-", $0.sha256] }
            lines += ["", "content over time (zero outside these):", table.rendered]
        }
        return lines.joined(separator: "\n")
    }

    /// `journal page 3 (vmalloc)`: the kind of an object, which the
    /// other holders' names already say.
    private static func holder(_ owner: PageOwner) -> String {
        switch owner.role {
        case .page, .chunk: return "\(owner) (\(owner.kind))"
        case .subtreeBlob, .rootFDT, .trackerNode: return owner.description
        }
    }

    /// `0x103800000 order 2`.
    private static func block(_ block: PreservedBlock) -> String { "\(hex(block.phys)) order \(block.order)" }

    /// `zero`, or the SHA-256, the seqs it holds over and the first bytes.
    private static func content(_ content: PageHistory.Content?) -> String {
        guard let content else { return "zero" }
        let until = content.untilSeq.map { " until seq \($0)" } ?? ""
        return "sha256 \(content.sha256) (from seq \(content.fromSeq)\(until)), first bytes \(WhoDocument.firstBytes(content))"
    }
}
