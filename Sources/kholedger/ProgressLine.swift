import Foundation
import KHOLedger
import KHOMachine

/// A progress line on standard error while long work runs: how much is done
/// of the total, the rate and the time left —
/// `import: 41,000 of 98,304 operations (41%), 12,300/s, 5 s left`.
///
/// Shown only when standard error is a terminal, and only once the work has
/// run for a second (quick work prints nothing); rewritten in place at most
/// ten times a second and erased by ``clear()``, before the command prints
/// its answer.
final class ProgressLine {
    /// What the work counts.
    enum Unit: Equatable {
        /// Things counted, named in the plural (`operations`, `steps`, `checks`).
        case count(String)
        case bytes

        static let operations = Unit.count("operations")

        /// `41,000 operations`, `1.5 GiB`.
        func amount(_ value: Int) -> String {
            switch self {
            case .count(let things): return "\(grouped(value)) \(things)"
            case .bytes: return ByteSize.approximate(UInt64(max(value, 0)))
            }
        }

        /// `12,300/s`, `310.2 MiB/s`.
        func rate(_ perSecond: Double) -> String {
            self == .bytes ? ByteSize.approximate(UInt64(perSecond)) + "/s" : grouped(Int(perSecond)) + "/s"
        }
    }

    private let task: String
    private let unit: Unit
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private var total: Int
    private var done = 0
    private var shownAt: UInt64?
    /// When the work first reported, and how much was done then: the rate
    /// counts from there (work may start with a pause, e.g. export's
    /// restores before it writes).
    private var origin: (time: UInt64, done: Int)?

    /// Progress of `task` (the command's name), counting `unit`s of `total`.
    init(_ task: String, total: Int, unit: Unit = .operations) {
        self.task = task
        self.total = total
        self.unit = unit
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// Counts `count` more units done.
    func advance(by count: Int = 1) {
        update(done: done + count, total: total)
    }

    /// `done` of `total` units are done (a ``WorkProgress``).
    func update(done: Int, total: Int) {
        self.done = done
        self.total = total
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if origin == nil { origin = (now, done) }
        guard now - start >= 1_000_000_000, now - (shownAt ?? 0) >= 100_000_000 else { return }
        shownAt = now
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line(now: now)).utf8))
    }

    /// This line as a ``WorkProgress``.
    var report: WorkProgress { { [self] done, total in update(done: done, total: total) } }

    /// Erases the line if it was shown.
    func clear() {
        guard shownAt != nil else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shownAt = nil
    }

    /// The text of the line at `now`: the rate and time left once the work
    /// has reported for half a second.
    private func line(now: UInt64) -> String {
        var text = "\(task): \(unit.amount(done))"
        if total > 0 {
            text = "\(task): \(unit == .bytes ? unit.amount(done) : grouped(done)) of \(unit.amount(total)) (\(done * 100 / total)%)"
        }
        guard let origin, now - origin.time >= 500_000_000 else { return text }
        let rate = Double(done - origin.done) / (Double(now - origin.time) / 1e9)
        text += ", \(unit.rate(rate))"
        if total > done, rate > 0 { text += ", " + Self.duration(Int((Double(total - done) / rate).rounded(.up))) + " left" }
        return text
    }

    /// `42 s`, `3 min 05 s`, `2 h 10 min`.
    private static func duration(_ seconds: Int) -> String {
        switch seconds {
        case ..<90: return "\(seconds) s"
        case ..<5400: return "\(seconds / 60) min \(String(format: "%02d", seconds % 60)) s"
        default: return "\(seconds / 3600) h \(String(format: "%02d", seconds / 60 % 60)) min"
        }
    }
}

/// `1,234,567`: thousands grouped with commas, as every progress line and
/// table prints counts.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
        text.append(digit)
    }
    return value < 0 ? "-" + text : text
}
