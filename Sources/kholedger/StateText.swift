import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

/// The text form of `kholedger state`: a summary, then areas, objects,
/// subtrees and the preserved blocks (by order, then as runs). Lists are
/// cut to ``ListLimit/count`` rows; `--all` lists everything, every block
/// instead of the runs.
enum StateText {
    /// `owners`: what holds the first page of each listed run (``runsShown(_:)``).
    static func render(_ state: AsOfState, all: Bool, owners: [UInt64: PageOwner] = [:]) -> String {
        let pageSize = state.geometry.pageSize
        var lines = [
            "seq \(state.seq), generation \(state.generation) (lineage \(state.lineage)), \(pageSize / 1024) KiB pages, "
                + "memory \(ByteSize.format(state.memorySize)) at \(hex(state.memoryBase))",
            "preserved: \(state.preserved.count) blocks, \(ByteSize.format(state.preservedBytes)); "
                + "not preserved: \(ByteSize.format(state.unpreservedBytes))",
            "areas: \(state.areas.count) (\(ByteSize.format(state.areaBytes))), objects: \(state.objects.count) "
                + "(\(ByteSize.format(state.objectBytes))), subtrees: \(state.subtrees.count)",
        ]
        if !state.areas.isEmpty {
            lines += ["", "areas:"] + areaTable(state.areas, pageSize: pageSize, all: all)
        }
        if !state.objects.isEmpty {
            let (shown, note) = ListLimit.cut(state.objects, all: all, noun: "objects")
            var table = TextTable(header: ["KIND", "NAME", "PHYS", "PAGES", "SIZE", "SINCE"])
            table.rows = shown.map {
                [$0.kind.rawValue, $0.name, hex($0.phys), "\($0.totalPages)", ByteSize.format($0.totalPages * UInt64(pageSize)), "\($0.fromSeq)"]
            }
            lines += ["", "objects:", table.rendered] + [note].compactMap { $0 }
        }
        if !state.subtrees.isEmpty {
            let (shown, note) = ListLimit.cut(state.subtrees, all: all, noun: "subtrees")
            var table = TextTable(header: ["DIRECTION", "NAME", "PHYS", "SIZE", "SINCE"])
            table.rows = shown.map { [$0.direction.rawValue, $0.name, hex($0.phys), $0.size.map { "\($0)" } ?? "-", "\($0.fromSeq)"] }
            lines += ["", "subtrees:", table.rendered] + [note].compactMap { $0 }
        }
        if !state.preserved.isEmpty {
            lines += ["", "preserved blocks by order:", orderTable(state.preserved, geometry: state.geometry)]
            lines += ["", all ? "preserved blocks:" : "preserved runs (contiguous blocks of one order):"]
            lines.append(all ? blockTable(state.preserved) : runLines(state.preservedRuns, geometry: state.geometry, owners: owners))
        }
        return lines.joined(separator: "\n")
    }

    /// One row per area (cut to ``ListLimit/count`` unless `all`).
    static func areaTable(_ areas: [AsOfState.Area], pageSize: Int, all: Bool) -> [String] {
        let (shown, note) = ListLimit.cut(areas, all: all, noun: "areas")
        var table = TextTable(header: ["KIND", "NAME", "DESCRIPTOR", "PAGES", "ORDER", "FLAGS", "CHUNKS", "SIZE", "SINCE"])
        table.rows = shown.map {
            [$0.kind.rawValue, $0.name, hex($0.descriptorPhys), "\($0.totalPages)", "\($0.order)", hex($0.flags),
             "\($0.chunks)", ByteSize.format($0.totalPages * UInt64(pageSize)), "\($0.fromSeq)"]
        }
        return [table.rendered] + [note].compactMap { $0 }
    }

    /// One row per block.
    static func blockTable(_ blocks: [PreservedBlock]) -> String {
        var table = TextTable(header: ["PHYS", "ORDER"])
        table.rows = blocks.map { [hex($0.phys), "\($0.order)"] }
        return table.rendered
    }

    /// Blocks and bytes per order.
    private static func orderTable(_ blocks: [PreservedBlock], geometry: PageGeometry) -> String {
        let counts = Dictionary(grouping: blocks, by: \.order).mapValues(\.count)
        var table = TextTable(header: ["ORDER", "BLOCKS", "BYTES"])
        table.rows = counts.keys.sorted().map { order in
            ["\(order)", "\(counts[order]!)", ByteSize.format(UInt64(counts[order]!) * geometry.bytes(order: order))]
        }
        return table.rendered
    }

    /// The runs a text listing shows: the first ``ListLimit/count``.
    static func runsShown(_ runs: [BlockRun]) -> [BlockRun] { ListLimit.cut(runs, all: false, noun: "runs").shown }

    /// The runs, cut to ``ListLimit/count``, each with the owner of its
    /// first page when `owners` knows it.
    static func runLines(_ runs: [BlockRun], geometry: PageGeometry, owners: [UInt64: PageOwner] = [:]) -> String {
        let (shown, note) = ListLimit.cut(runs, all: false, noun: "runs")
        var table = TextTable(header: ["PHYS", "ORDER", "BLOCKS", "BYTES", "OWNER"])
        table.rows = shown.map {
            [hex($0.phys), "\($0.order)", "\($0.count)", ByteSize.format($0.bytes(geometry)),
             owners[$0.phys].map { $0.description.escapingControlCharacters } ?? "-"]
        }
        return ([table.rendered] + [note].compactMap { $0 }).joined(separator: "\n")
    }
}
