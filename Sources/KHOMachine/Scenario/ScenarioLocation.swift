/// Where in a scenario file something is: a field path such as
/// `steps[3].vmalloc.size` (steps are numbered from 1) and its line.
public struct ScenarioLocation: Hashable, Sendable, CustomStringConvertible {
    /// Dotted path of the field; steps are `steps[N]`, numbered from 1.
    public var path: String
    /// 1-based line of the field in the file, when known.
    public var line: Int?

    public init(path: String, line: Int? = nil) {
        self.path = path
        self.line = line
    }

    /// `line 12, steps[3].vmalloc.size` (or just the path without a line).
    public var description: String {
        guard let line else { return path }
        return path.isEmpty ? "line \(line)" : "line \(line), \(path)"
    }
}
