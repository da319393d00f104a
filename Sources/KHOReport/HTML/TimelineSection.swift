/// Preserved bytes after every operation, as a step chart with one line per
/// generation and a dashed marker at each boot.
struct TimelineSection: HTMLSection {
    let title = "Preserved bytes over time"
    let anchor = "timeline"

    /// One operation: its seq, generation and the bytes preserved after it.
    struct Point {
        var seq: Int64
        var generation: Int64
        var bytes: Int64
    }

    /// In seq order.
    let points: [Point]

    func body() -> String {
        let note = "Bytes in the tracker of each operation's generation right after the operation (report timeline). "
            + "A dashed line marks each boot; a generation's line ends at its kexec."
        guard let first = points.first, let last = points.last else { return "<p class=\"note\">No operations.</p>" }
        let frame = ChartFrame()
        let maxBytes = Double(max(points.map(\.bytes).max() ?? 1, 1))
        let span = Double(max(last.seq - first.seq + 1, 1))
        func x(_ seq: Int64) -> Double { frame.plotLeft + Double(seq - first.seq) / span * (frame.plotRight - frame.plotLeft) }
        func y(_ bytes: Int64) -> Double { frame.baseline - Double(bytes) / maxBytes * frame.plotHeight }

        var svg = frame.open(ticks: [0, 0.5, 1].map { ($0, ByteLabel.short($0 * maxBytes)) }, yTitle: "preserved")
        let generations = Dictionary(grouping: points, by: \.generation).sorted { $0.key < $1.key }
        for (generation, series) in generations {
            let start = series[0].seq, end = series[series.count - 1].seq + 1
            if start != first.seq {
                svg.append("<line x1=\"\(HTML.number(x(start)))\" x2=\"\(HTML.number(x(start)))\" y1=\"\(HTML.number(frame.plotTop))\" "
                    + "y2=\"\(HTML.number(frame.baseline))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>")
            }
            svg.append("<text x=\"\(HTML.number(x(start) + 3))\" y=\"\(HTML.number(frame.plotTop - 8))\">gen \(generation)</text>")
            var path = "M\(HTML.number(x(start))),\(HTML.number(y(series[0].bytes)))"
            var previous = series[0].bytes
            for point in series.dropFirst() where point.bytes != previous {
                path += " H\(HTML.number(x(point.seq))) V\(HTML.number(y(point.bytes)))"
                previous = point.bytes
            }
            path += " H\(HTML.number(x(end)))"
            svg.append("<path d=\"\(path)\" fill=\"none\" stroke=\"\(ChartFrame.colour(Int(generation)))\" stroke-width=\"2\">"
                + "<title>generation \(generation): seq \(start)–\(end - 1), at most \(ByteLabel.short(Double(series.map(\.bytes).max() ?? 0)))</title></path>")
        }
        svg.append("<text x=\"\(HTML.number(frame.plotLeft))\" y=\"\(HTML.number(frame.baseline + 16))\">seq \(first.seq)</text>")
        svg.append("<text x=\"\(HTML.number(frame.plotRight))\" y=\"\(HTML.number(frame.baseline + 16))\" text-anchor=\"end\">seq \(last.seq)</text>")
        svg.append("</svg>")
        return "<p class=\"note\">\(HTML.escape(note))</p>\n" + svg.joined(separator: "\n")
    }
}
