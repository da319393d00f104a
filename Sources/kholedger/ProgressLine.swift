import Foundation

/// A `step N/M` line on stderr while a long run works, only when stderr is
/// a terminal; rewritten in place and cleared at the end.
final class ProgressLine {
    private let total: Int
    private let enabled = isatty(STDERR_FILENO) == 1
    private var shown = false
    private var done = 0

    init(total: Int) { self.total = total }

    /// Counts one finished step; shows the count every 1,000 steps.
    func step() {
        done += 1
        guard enabled, done % 1000 == 0 else { return }
        FileHandle.standardError.write(Data("\rstep \(done)/\(total)".utf8))
        shown = true
    }

    /// Erases the line if it was shown.
    func clear() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}
