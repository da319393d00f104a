import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

/// The text form of `kholedger diff`: a summary, then changed, added and
/// removed areas, preserved blocks per order, subtrees and the preserved
/// pages whose content differs. Long lists are cut unless `--all`.
enum DiffText {
    /// `owners`: what holds, at B, the first page of each listed range of
    /// changed content (``contentRangesShown(_:all:)``).
    static func render(_ diff: GenerationDiff, from fromText: String, to toText: String, all: Bool,
                       owners: [UInt64: PageOwner] = [:]) -> String {
        let (a, b) = (diff.from, diff.to)
        var lines = [
            "diff \(fromText) → \(toText): seq \(a.seq) (generation \(a.generation)) → seq \(b.seq) (generation \(b.generation))",
            "areas: \(diff.changedAreas.count) changed, \(diff.addedAreas.count) added, \(diff.removedAreas.count) removed, "
                + "\(diff.unchangedAreas.count) unchanged",
            "preserved: +\(diff.addedBlocks.count) blocks (\(ByteSize.format(diff.addedBytes))), "
                + "-\(diff.removedBlocks.count) blocks (\(ByteSize.format(diff.removedBytes))); "
                + "\(ByteSize.format(a.preservedBytes)) → \(ByteSize.format(b.preservedBytes))",
            "subtrees: \(diff.changedSubtrees.count) changed, \(diff.addedSubtrees.count) added, \(diff.removedSubtrees.count) removed",
            "content: \(diff.changedContentPages) preserved pages differ (\(ByteSize.format(diff.changedContentBytes)))",
        ]
        if !diff.changedAreas.isEmpty {
            let (shown, note) = ListLimit.cut(diff.changedAreas, all: all, noun: "changed areas")
            lines += ["", "changed areas:"] + shown.flatMap { areaLines($0, all: all) } + [note].compactMap { $0 }
        }
        if !diff.addedAreas.isEmpty {
            lines += ["", "added areas:"] + StateText.areaTable(diff.addedAreas, pageSize: b.geometry.pageSize, all: all)
        }
        if !diff.removedAreas.isEmpty {
            lines += ["", "removed areas:"] + StateText.areaTable(diff.removedAreas, pageSize: a.geometry.pageSize, all: all)
        }
        if !diff.orderTotals.isEmpty {
            var table = TextTable(header: ["ORDER", "ADDED", "REMOVED", "ADDED_BYTES", "REMOVED_BYTES"])
            table.rows = diff.orderTotals.map {
                ["\($0.order)", "\($0.added)", "\($0.removed)", ByteSize.format($0.addedBytes), ByteSize.format($0.removedBytes)]
            }
            lines += ["", "preserved blocks by order:", table.rendered]
            lines += blockSection("added", diff.addedBlocks, geometry: b.geometry, all: all)
            lines += blockSection("removed", diff.removedBlocks, geometry: a.geometry, all: all)
        }
        if !diff.addedSubtrees.isEmpty || !diff.removedSubtrees.isEmpty || !diff.changedSubtrees.isEmpty {
            lines += ["", "subtrees:"]
            lines += diff.changedSubtrees.map { "  changed \(subtree($0.from)) → \(subtree($0.to))" + blobNote($0) }
            lines += diff.addedSubtrees.map { "  added \(subtree($0))" }
            lines += diff.removedSubtrees.map { "  removed \(subtree($0))" }
        }
        if !diff.changedContent.isEmpty {
            let (shown, note) = ListLimit.cut(diff.changedContent, all: all, noun: "ranges")
            let pageSize = UInt64(b.geometry.pageSize)
            var table = TextTable(header: ["PHYS", "PAGES", "BYTES", "OWNER"])
            table.rows = shown.map {
                let phys = UInt64($0.first) * pageSize
                return [hex(phys), "\($0.count)", ByteSize.format(UInt64($0.count) * pageSize),
                        owners[phys].map { $0.description.escapingControlCharacters } ?? "-"]
            }
            lines += ["", "preserved pages whose content differs:", table.rendered] + [note].compactMap { $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// The first page of each changed-content range a text listing shows.
    static func contentRangesShown(_ diff: GenerationDiff, all: Bool) -> [UInt64] {
        ListLimit.cut(diff.changedContent, all: all, noun: "ranges").shown.map { UInt64($0.first) * UInt64(diff.to.geometry.pageSize) }
    }

    /// A changed area: its name, kind and descriptor fields (`old → new`
    /// where they differ), then changed and moved pages and moved frames.
    private static func areaLines(_ change: AreaChange, all: Bool) -> [String] {
        let (old, new) = (change.from, change.to)
        func field(_ name: String, _ a: String, _ b: String) -> String { a == b ? "\(name) \(a)" : "\(name) \(a) → \(b)" }
        let name = old.name == new.name ? new.name : "\(old.name) → \(new.name)"
        var lines = ["  \(name) " + field("(kind", old.kind.rawValue, new.kind.rawValue) + "): " + [
            field("descriptor", hex(old.descriptorPhys), hex(new.descriptorPhys)),
            field("total_pages", "\(old.totalPages)", "\(new.totalPages)"),
            field("order", "\(old.order)", "\(new.order)"),
            field("flags", hex(old.flags), hex(new.flags)),
            field("chunks", "\(old.chunks)", "\(new.chunks)"),
        ].joined(separator: ", ")]
        lines.append(indexLine("changed pages", change.changedPages, all: all))
        lines.append(indexLine("moved pages", change.movedPages, all: all))
        let (moves, note) = ListLimit.cut(change.movedFrames, all: all, noun: "moves")
        lines.append("    moved frames (\(change.movedFrames.reduce(0) { $0 + $1.count }))" + (moves.isEmpty ? "" : ":"))
        lines += moves.map { move in
            "      " + IndexRange(first: move.index, count: move.count).description + ": \(hex(move.from)) → \(hex(move.to))"
        }
        lines += [note].compactMap { $0.map { "      " + $0 } }
        return lines
    }

    /// `    changed pages (17): 0, 768-783`.
    private static func indexLine(_ label: String, _ ranges: [IndexRange], all: Bool) -> String {
        let (shown, note) = ListLimit.cut(ranges, all: all, noun: "ranges")
        let list = (shown.map(\.description) + [note].compactMap { $0 }).joined(separator: ", ")
        return "    \(label) (\(IndexRange.total(ranges)))" + (list.isEmpty ? "" : ": " + list)
    }

    /// Added or removed blocks: every block with `--all`, else their runs.
    private static func blockSection(_ label: String, _ blocks: [PreservedBlock], geometry: PageGeometry, all: Bool) -> [String] {
        guard !blocks.isEmpty else { return [] }
        return all
            ? ["", "\(label) blocks:", StateText.blockTable(blocks)]
            : ["", "\(label) runs:", StateText.runLines(BlockRun.runs(of: blocks, geometry: geometry), geometry: geometry)]
    }

    private static func subtree(_ s: AsOfState.Subtree) -> String {
        "\(s.direction.rawValue) \(s.name) \(hex(s.phys))" + (s.size.map { " size \($0)" } ?? "")
    }

    private static func blobNote(_ change: GenerationDiff.SubtreeChange) -> String {
        change.from.blobSHA256 == change.to.blobSHA256 ? "" : " (blob bytes differ)"
    }
}
