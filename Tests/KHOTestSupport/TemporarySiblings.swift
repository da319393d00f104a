import Foundation

/// The temporary files an unfinished write of `path` would leave beside it
/// (`<name>.partial-XXXXXX`): empty after every write, finished or failed.
public func temporarySiblings(of path: String) -> [String] {
    let url = URL(fileURLWithPath: path)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? []
    return names.filter { $0.hasPrefix(url.lastPathComponent + ".partial") }
}
