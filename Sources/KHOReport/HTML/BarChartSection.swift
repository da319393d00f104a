import KHOMachine

/// A section drawing one horizontal bar per labelled value (an SVG chart,
/// linear scale, the value written after each bar), e.g. preserved bytes
/// per host.
public struct BarChartSection: HTMLSection {
    public var title: String
    public var anchor: String
    /// A paragraph above the chart (plain text).
    public var note: String
    /// The bars, drawn in this order from the top.
    public var bars: [(label: String, value: Int64)]
    /// Whether the values are bytes (written in binary units).
    public var bytes: Bool

    public init(title: String, anchor: String, note: String, bars: [(label: String, value: Int64)], bytes: Bool) {
        self.title = title
        self.anchor = anchor
        self.note = note
        self.bars = bars
        self.bytes = bytes
    }

    public func body() -> String {
        let note = "<p class=\"note\">\(HTML.escape(note))</p>"
        guard let most = bars.map(\.value).max(), most > 0 else { return note + "\n<p class=\"note\">Nothing to draw.</p>" }
        let rowHeight = 16.0, labelWidth = 180.0, valueWidth = 110.0, width = 960.0
        let plot = width - labelWidth - valueWidth
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(HTML.number(width))\" "
                   + "height=\"\(HTML.number(rowHeight * Double(bars.count) + 8))\" role=\"img\">"]
        for (row, bar) in bars.enumerated() {
            let y = 4 + Double(row) * rowHeight
            let length = Double(max(bar.value, 0)) / Double(most) * plot
            let value = bytes ? ByteSize.format(UInt64(max(bar.value, 0))) : String(bar.value)
            svg.append("<text x=\"\(HTML.number(labelWidth - 6))\" y=\"\(HTML.number(y + rowHeight / 2))\" text-anchor=\"end\" "
                       + "dominant-baseline=\"middle\">\(HTML.escape(bar.label))</text>")
            svg.append("<rect x=\"\(HTML.number(labelWidth))\" y=\"\(HTML.number(y + 2))\" width=\"\(HTML.number(length))\" "
                       + "height=\"\(HTML.number(rowHeight - 4))\" fill=\"\(ChartFrame.colour(0))\"><title>\(HTML.escape(bar.label)): "
                       + "\(HTML.escape(value))</title></rect>")
            svg.append("<text x=\"\(HTML.number(labelWidth + length + 6))\" y=\"\(HTML.number(y + rowHeight / 2))\" "
                       + "dominant-baseline=\"middle\">\(HTML.escape(value))</text>")
        }
        svg.append("</svg>")
        return note + "\n<div class=\"scroll\">" + svg.joined(separator: "\n") + "</div>"
    }
}
