import KHOABI
import KHOMachine

/// The physical-memory map of each generation: one SVG grid per
/// generation, cells coloured by who preserved the frames, with a tooltip
/// (`<title>`) on every run of equal cells.
struct MemoryMapSection: HTMLSection {
    let title = "Physical memory"
    let anchor = "memory"
    let maps: [MemoryMap]

    /// Cells per grid row.
    static let columns: Int64 = 128
    /// Cell edge in pixels.
    static let cell = 7
    /// Width of the address labels.
    static let labelWidth = 92

    func body() -> String {
        let legend = ([("not preserved", FrameKind.freeColour)] + FrameKind.allCases.map { ($0.label, $0.colour) }
                      + [(FrameKind.leakedLabel, FrameKind.leakedColour)])
            .map { "<span><i style=\"background:\($1)\"></i>\(HTML.escape($0))</span>" }.joined()
        let note = """
            Each generation as its last operation left it (for a generation that kexec'd: what it handed over). \
            A cell is a fixed number of pages; it takes the colour of the owner with the most preserved pages in it, \
            red when any of its blocks was never claimed by the next generation. Hover a cell for its addresses and owner.
            """
        return "<p class=\"note\">\(HTML.escape(note))</p>\n<p class=\"legend\">\(legend)</p>\n"
            + maps.map(grid).joined(separator: "\n")
    }

    private func grid(_ map: MemoryMap) -> String {
        let rows = (map.cellCount + Self.columns - 1) / Self.columns
        let width = Self.labelWidth + Int(Self.columns) * Self.cell, height = Int(rows) * Self.cell
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">"]
        for row in 0..<rows {
            let y = Int(row) * Self.cell
            let cells = min(Self.columns, map.cellCount - row * Self.columns)
            svg.append("<rect x=\"\(Self.labelWidth)\" y=\"\(y)\" width=\"\(Int(cells) * Self.cell)\" height=\"\(Self.cell)\" fill=\"\(FrameKind.freeColour)\"/>")
            if row % 8 == 0 {
                svg.append("<text x=\"0\" y=\"\(y + 9)\">\(hex(UInt64(bitPattern: map.phys(ofCell: row * Self.columns))))</text>")
            }
            svg += runs(in: map, row: row, cells: cells)
        }
        svg.append("</svg>")
        let caption = "Generation \(map.generation): \(ByteSize.format(UInt64(map.pages * map.pageSize))) at \(hex(UInt64(bitPattern: map.memoryBase))), "
            + "\(map.pagesPerCell) page\(map.pagesPerCell == 1 ? "" : "s") (\(ByteSize.format(UInt64(map.pagesPerCell * map.pageSize)))) per cell"
        return "<h3 id=\"memory-\(map.generation)\">\(HTML.escape(caption))</h3>\n<div class=\"scroll\">\n"
            + svg.joined(separator: "\n") + "\n</div>"
    }

    /// One rect per run of adjacent cells drawn as the same owner.
    private func runs(in map: MemoryMap, row: Int64, cells: Int64) -> [String] {
        var out: [String] = []
        var column: Int64 = 0
        while column < cells {
            guard let (owner, pages) = map.dominant(row * Self.columns + column) else {
                column += 1
                continue
            }
            var end = column + 1, preserved = pages
            while end < cells, let next = map.dominant(row * Self.columns + end), next.owner == owner {
                preserved += next.preserved
                end += 1
            }
            let first = map.phys(ofCell: row * Self.columns + column), last = map.phys(ofCell: row * Self.columns + end) - 1
            let tip = "\(hex(UInt64(bitPattern: first)))–\(hex(UInt64(bitPattern: last))): \(owner.label); "
                + "\(ByteSize.format(UInt64(preserved * map.pageSize))) preserved of \(ByteSize.format(UInt64(last - first + 1)))"
            out.append("<rect x=\"\(Self.labelWidth + Int(column) * Self.cell)\" y=\"\(Int(row) * Self.cell)\" "
                + "width=\"\(Int(end - column) * Self.cell - 1)\" height=\"\(Self.cell - 1)\" fill=\"\(owner.colour)\">"
                + "<title>\(HTML.escape(tip))</title></rect>")
            column = end
        }
        return out
    }
}
