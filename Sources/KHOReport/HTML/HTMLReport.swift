import Foundation

/// A self-contained HTML document: inline CSS and SVG, no script, no
/// network (its Content-Security-Policy forbids loading anything).
public struct HTMLReport {
    /// The document's title (plain text).
    public var title: String
    /// One line under the title (plain text).
    public var subtitle: String
    /// The sections, in order.
    public var sections: [any HTMLSection]

    /// Creates a report.
    public init(title: String, subtitle: String, sections: [any HTMLSection]) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    /// The whole document.
    public func render() -> String {
        let contents = sections.map { "<a href=\"#\(HTML.escape($0.anchor))\">\(HTML.escape($0.title))</a>" }.joined(separator: "\n")
        let bodies = sections.map { section in
            "<section id=\"\(HTML.escape(section.anchor))\">\n<h2>\(HTML.escape(section.title))</h2>\n\(section.body())\n</section>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title))</title>
            <style>
            \(Self.style)
            </style>
            </head>
            <body>
            <header>
            <h1>\(HTML.escape(title))</h1>
            <p>\(HTML.escape(subtitle))</p>
            <nav>
            \(contents)
            </nav>
            </header>
            \(bodies)
            </body>
            </html>

            """
    }

    static let style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0 2em 3em; color: #1d2125; background: #fff; }
        header { border-bottom: 1px solid #ccd; margin-bottom: 1em; }
        nav a { margin-right: 1.2em; }
        h2 { margin-top: 1.6em; border-bottom: 1px solid #e3e6ea; }
        h3 { margin: 1em 0 .3em; font-size: 1em; }
        p.note { color: #555; max-width: 60em; }
        table { border-collapse: collapse; margin: .5em 0; font-variant-numeric: tabular-nums; }
        th, td { white-space: nowrap; border: 1px solid #d5d9de; padding: 2px 8px; text-align: left; }
        td.number { text-align: right; }
        th { background: #f1f3f5; }
        div.scroll { overflow: auto; max-height: 560px; max-width: 100%; border: 1px solid #d5d9de; }
        svg text { font: 11px system-ui, sans-serif; fill: #333; }
        .legend span { display: inline-block; margin-right: 1.2em; }
        .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; border: 1px solid #888; }
        """
}
