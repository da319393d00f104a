/// The plot area of an SVG chart: its size, margins and axes.
struct ChartFrame {
    var width = 960.0, height = 280.0
    var left = 80.0, right = 20.0, top = 24.0, bottom = 40.0

    /// The plot's x range in pixels.
    var plotLeft: Double { left }
    var plotRight: Double { width - right }
    /// The plot's baseline and top in pixels.
    var baseline: Double { height - bottom }
    var plotTop: Double { top }
    var plotHeight: Double { baseline - plotTop }

    /// Colours told apart by generation (no red: the memory map uses it for leaks).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#bcbd22", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The colour of the `index`th series.
    static func colour(_ index: Int) -> String { palette[index % palette.count] }

    /// The opening tag, the axes and horizontal grid lines at `ticks`
    /// (fractions of the plot height, labelled).
    func open(ticks: [(fraction: Double, label: String)], yTitle: String) -> [String] {
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(HTML.number(width))\" height=\"\(HTML.number(height))\" role=\"img\">"]
        for tick in ticks {
            let y = HTML.number(baseline - tick.fraction * plotHeight)
            svg.append("<line x1=\"\(HTML.number(plotLeft))\" x2=\"\(HTML.number(plotRight))\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#e3e6ea\"/>")
            svg.append("<text x=\"\(HTML.number(plotLeft - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(HTML.escape(tick.label))</text>")
        }
        svg.append("<line x1=\"\(HTML.number(plotLeft))\" x2=\"\(HTML.number(plotRight))\" y1=\"\(HTML.number(baseline))\" y2=\"\(HTML.number(baseline))\" stroke=\"#555\"/>")
        svg.append("<line x1=\"\(HTML.number(plotLeft))\" x2=\"\(HTML.number(plotLeft))\" y1=\"\(HTML.number(plotTop))\" y2=\"\(HTML.number(baseline))\" stroke=\"#555\"/>")
        svg.append("<text x=\"4\" y=\"12\">\(HTML.escape(yTitle))</text>")
        return svg
    }
}
