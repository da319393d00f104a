import KHOABI
import KHOReplay

/// The text form of `kholedger diff --bytes`: one header line per run (the
/// area and offset, or the physical address outside areas, and where the
/// bytes lay at each point), then a hexdump of 16 bytes a row, the first
/// point's row (`-`) above the second's (`+`).
enum DiffBytesText {
    static let rowBytes = 16

    static func render(_ bytes: ByteDiff, from fromText: String, to toText: String, all: Bool) -> String {
        let differ = bytes.changedBytes == 1 ? "1 byte differs" : "\(bytes.changedBytes) bytes differ"
        var lines = ["diff --bytes \(fromText) → \(toText): \(differ) in \(bytes.runs.count) run\(bytes.runs.count == 1 ? "" : "s")"]
        let (shown, note) = ListLimit.cut(bytes.runs, all: all, noun: "runs")
        for run in shown {
            lines += [""] + runLines(run)
        }
        return (lines + [note].compactMap { $0 }).joined(separator: "\n")
    }

    private static func runLines(_ run: ByteDiff.Run) -> [String] {
        let place = run.area.map { "\($0.escapingControlCharacters) +\(hex(run.offset ?? 0))" } ?? "memory"
        let header = "\(place) (\(run.fromPhys.map(hex) ?? "no page") → \(run.toPhys.map(hex) ?? "no page")), \(run.length) byte\(run.length == 1 ? "" : "s")"
        let start = run.offset ?? run.toPhys ?? run.fromPhys ?? 0
        let width = hex(start + UInt64(run.length)).count
        var lines = [header]
        for row in stride(from: 0, to: run.length, by: rowBytes) {
            let label = hex(start + UInt64(row))
            let padded = String(repeating: " ", count: max(0, width - label.count)) + label
            lines.append("  - \(padded)  " + dump(run.old, row, "(no page at this index)"))
            lines.append("  + \(padded)  " + dump(run.new, row, "(no page at this index)"))
        }
        return lines
    }

    private static func dump(_ bytes: [UInt8], _ row: Int, _ absent: String) -> String {
        guard !bytes.isEmpty else { return absent }
        return bytes[row ..< min(row + rowBytes, bytes.count)].map { hexDigits([$0]) }.joined(separator: " ")
    }
}

/// The JSON shape of `kholedger diff --bytes`: `{"from", "to",
/// "changed_bytes", "runs": [{"area", "offset", "from_phys", "to_phys",
/// "length", "old", "new"}]}`, addresses as `0x…` strings (null where there
/// is none), bytes as lower-case hex strings.
struct DiffBytesDocument: Encodable {
    struct Run: Encodable {
        @NullWhenAbsent var area: String?
        @NullWhenAbsent var offset: String?
        @NullWhenAbsent var fromPhys: String?
        @NullWhenAbsent var toPhys: String?
        var length: Int
        var old: String
        var new: String
    }

    var from: String
    var to: String
    var changedBytes: Int
    var runs: [Run]

    init(_ bytes: ByteDiff, from: String, to: String) {
        self.from = from
        self.to = to
        changedBytes = bytes.changedBytes
        runs = bytes.runs.map { run in
            Run(area: run.area, offset: run.offset.map(hex), fromPhys: run.fromPhys.map(hex), toPhys: run.toPhys.map(hex),
                length: run.length, old: hexDigits(run.old), new: hexDigits(run.new))
        }
    }
}
