import Foundation
import KHOMachine

/// Preserved blocks by order: a group of bars per order, one bar per
/// generation, on a logarithmic scale with the counts written on the bars.
struct OrderHistogramSection: HTMLSection {
    let title = "Preserved blocks by order"
    let anchor = "orders"

    /// Blocks of one order held by one generation.
    struct Bar {
        var generation: Int64
        var order: Int64
        var blocks: Int64
        var blockBytes: Int64
    }

    let bars: [Bar]

    func body() -> String {
        let note = "Blocks in each generation's tracker at its last operation (report orders). Heights are logarithmic."
        guard let most = bars.map(\.blocks).max(), most > 0 else { return "<p class=\"note\">No preserved blocks.</p>" }
        let orders = Array(Set(bars.map(\.order))).sorted()
        let generations = Array(Set(bars.map(\.generation))).sorted()
        var frame = ChartFrame()
        let barWidth = 28.0, gap = 24.0
        let groupWidth = Double(generations.count) * barWidth + gap
        frame.width = max(360, frame.left + frame.right + Double(orders.count) * groupWidth)
        let scale = log10(Double(most) + 1)
        func height(_ blocks: Int64) -> Double { log10(Double(blocks) + 1) / scale * frame.plotHeight }

        let ticks = [1, 10, 100, 1000, 10000, 100000, 1000000].filter { $0 <= most }
            .map { (log10(Double($0) + 1) / scale, "\($0)") }
        var svg = frame.open(ticks: ticks, yTitle: "blocks")
        for (group, order) in orders.enumerated() {
            let left = frame.plotLeft + gap / 2 + Double(group) * groupWidth
            for (index, generation) in generations.enumerated() {
                guard let bar = bars.first(where: { $0.order == order && $0.generation == generation }) else { continue }
                let x = left + Double(index) * barWidth, h = height(bar.blocks)
                svg.append("<rect x=\"\(HTML.number(x))\" y=\"\(HTML.number(frame.baseline - h))\" width=\"\(HTML.number(barWidth - 2))\" "
                    + "height=\"\(HTML.number(h))\" fill=\"\(ChartFrame.colour(Int(generation)))\"><title>generation \(generation), order \(order): "
                    + "\(bar.blocks) block\(bar.blocks == 1 ? "" : "s") of \(ByteSize.format(UInt64(bar.blockBytes)))</title></rect>")
                svg.append("<text x=\"\(HTML.number(x + barWidth / 2 - 1))\" y=\"\(HTML.number(frame.baseline - h - 3))\" "
                    + "text-anchor=\"middle\">\(bar.blocks)</text>")
            }
            svg.append("<text x=\"\(HTML.number(left + Double(generations.count) * barWidth / 2))\" y=\"\(HTML.number(frame.baseline + 16))\" "
                + "text-anchor=\"middle\">order \(order)</text>")
        }
        svg.append("</svg>")
        let legend = generations.map { generation in
            "<span><i style=\"background:\(ChartFrame.colour(Int(generation)))\"></i>generation \(generation)</span>"
        }.joined()
        return "<p class=\"note\">\(HTML.escape(note))</p>\n<p class=\"legend\">\(legend)</p>\n" + svg.joined(separator: "\n")
    }
}
