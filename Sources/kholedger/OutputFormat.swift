import ArgumentParser

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Aligned text for people.
    case text
    /// One JSON document for tools.
    case json
}

/// How a command prints rows.
enum TabularFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv

    /// Reads a format name; `table` is another name for `text`.
    init?(argument: String) {
        self.init(rawValue: argument == "table" ? "text" : argument)
    }
}
