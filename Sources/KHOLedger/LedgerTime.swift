import Foundation

/// An instant of a ledger's clock, to the millisecond: the time of an
/// operation.
///
/// Ledgers store it as ISO-8601 UTC text with milliseconds
/// (`2026-11-25T10:42:00.123Z`), which sorts as text in time order. The
/// value is whole milliseconds since 1970-01-01T00:00:00Z, kept as an
/// integer so that parsing and printing never lose one (a `Date` is a
/// binary fraction: `.833` is stored as `.83299…`).
public struct LedgerTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Whole milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSince1970: Int64

    /// The instant `millisecondsSince1970` milliseconds after the epoch.
    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// `date` to the nearest millisecond.
    public init(_ date: Date) {
        millisecondsSince1970 = Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The instant `text` names, or nil when it is not one of these forms:
    ///
    /// - `2026-11-25T10:42:00.123Z` — UTC (`Z`), any number of fraction
    ///   digits (optional), seconds optional;
    /// - `2026-11-25T12:42:00+02:00` — an offset from UTC (`+0200` and
    ///   `+02` too);
    /// - `2026-11-25 10:42:00.123` — a space instead of `T`, and no zone:
    ///   UTC, the clock ledgers print;
    /// - `2026-11-25` — a date alone: its start (midnight UTC).
    ///
    /// Digits past the millisecond are cut: `10:42:00.1239Z` is
    /// `10:42:00.123Z`, so "at or before it" still includes operations at
    /// `.123`. With `requiringZone`, only a time of day with `Z` or an
    /// offset is accepted (a stream's timestamps, whose zone cannot be
    /// guessed). Years run from 0001 to 9999.
    public init?(parsing text: String, requiringZone: Bool = false) {
        let pattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?)?$/
        guard let match = text.wholeMatch(of: pattern) else { return nil }
        let out = match.output
        guard let year = Int64(out.1), let month = Int64(out.2), let day = Int64(out.3),
              (1 ... 12).contains(month), (1 ... 31).contains(day) else { return nil }
        let days = Self.days(year: year, month: month, day: day)
        guard Self.civil(days: days) == (year, month, day) else { return nil }
        let hour = out.4.flatMap { Int64($0) } ?? 0, minute = out.5.flatMap { Int64($0) } ?? 0
        let second = out.6.flatMap { Int64($0) } ?? 0
        guard hour < 24, minute < 60, second <= 60 else { return nil }
        if requiringZone, out.8 == nil { return nil }
        var offsetMinutes: Int64 = 0
        if let sign = out.9, let hours = out.10.flatMap({ Int64($0) }) {
            let minutes = out.11.flatMap { Int64($0) } ?? 0
            guard hours < 24, minutes < 60 else { return nil }
            offsetMinutes = (sign == "-" ? -1 : 1) * (hours * 60 + minutes)
        }
        let millis = out.7.map { Int64($0.prefix(3).padding(toLength: 3, withPad: "0", startingAt: 0))! } ?? 0
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        self.init(millisecondsSince1970: seconds * 1000 + millis)
        guard (1 ... 9999).contains(components.year) else { return nil }
    }

    /// The current time.
    static func now() -> String { LedgerTime(Date()).description }

    /// `date` in the ledger's format, to the nearest millisecond, e.g.
    /// `2026-11-25T10:42:00.123Z`.
    public static func format(_ date: Date) -> String { LedgerTime(date).description }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }

    /// The ledger's text form, e.g. `2026-11-25T10:42:00.123Z`.
    public var description: String {
        let c = components
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(repeating: "0", count: max(0, 4 - "\(c.year)".count)) + "\(c.year)"
        let millis = "\(c.millisecond)"
        return "\(year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))."
            + String(repeating: "0", count: 3 - millis.count) + millis + "Z"
    }

    public static func < (lhs: LedgerTime, rhs: LedgerTime) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    private var components: (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, millisecond: Int64) {
        let (days, millisOfDay) = Self.floorDivision(millisecondsSince1970, 86_400_000)
        let (year, month, day) = Self.civil(days: days)
        return (year, month, day, millisOfDay / 3_600_000, millisOfDay / 60000 % 60, millisOfDay / 1000 % 60, millisOfDay % 1000)
    }

    private static func floorDivision(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = (a % b + b) % b
        return ((a - remainder) / b, remainder)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivision(y, 400).quotient
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` days after 1970-01-01.
    private static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let (era, dayOfEra) = floorDivision(days + 719_468, 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
