import Foundation

/// Byte counts with binary units, as scenario files write them and as the
/// tool prints them.
///
/// Accepted: a plain integer (`4096`, `0x1000`) or a decimal number followed
/// by a unit, with or without a space: `B`, `KiB`/`K`, `MiB`/`M`,
/// `GiB`/`G`, `TiB`/`T` (all powers of 1024, case-insensitive), or
/// `page`/`pages` (multiples of the machine's page size).
public enum ByteSize {
    /// Units: printed name, accepted spellings (lowercase), log2 of the multiplier.
    private static let units: [(name: String, spellings: [String], shift: UInt64)] = [
        ("B", ["b"], 0), ("KiB", ["k", "kib"], 10), ("MiB", ["m", "mib"], 20),
        ("GiB", ["g", "gib"], 30), ("TiB", ["t", "tib"], 40),
    ]

    /// Why a size text was refused.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notANumber
        case unknownUnit(String)
        case overflow

        public var description: String {
            switch self {
            case .notANumber: return "not a size (write e.g. 4096, 0x1000, 64KiB, 256MiB, 3 pages)"
            case .unknownUnit(let unit):
                return "unknown unit \"\(unit)\" (use B, KiB, MiB, GiB, TiB or pages; K, M, G, T are binary too)"
            case .overflow: return "too large for 64 bits"
            }
        }
    }

    /// Parses `text`; `pageSize` resolves the `pages` unit.
    public static func parse(_ text: String, pageSize: Int) throws(ParseError) -> UInt64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let plain = ScenarioNumber.parse(trimmed) { return plain }
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == "_")) } ?? trimmed.endIndex
        guard numberEnd > trimmed.startIndex, !trimmed.lowercased().hasPrefix("0x"),
              let number = ScenarioNumber.parse(trimmed[..<numberEnd]) else {
            throw .notANumber
        }
        let unit = trimmed[numberEnd...].trimmingCharacters(in: .whitespaces)
        guard unit.first?.isLetter == true else { throw .notANumber }
        let multiplier: UInt64
        if ["page", "pages"].contains(unit.lowercased()) {
            multiplier = UInt64(pageSize)
        } else if let entry = units.first(where: { $0.spellings.contains(unit.lowercased()) }) {
            multiplier = 1 << entry.shift
        } else {
            throw .unknownUnit(unit)
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw .overflow }
        return value
    }

    /// `4 KiB`, `256 MiB`: the largest unit that divides `bytes` exactly,
    /// else plain bytes (`5000 B`).
    public static func format(_ bytes: UInt64) -> String {
        let unit = units.last { bytes != 0 && bytes % (1 << $0.shift) == 0 } ?? units[0]
        return "\(bytes >> unit.shift) \(unit.name)"
    }

    /// `1.5 GiB`, `310.2 MiB`, `900 B`: `bytes` in the largest unit it
    /// reaches, to one decimal (for rates and progress, where
    /// ``format(_:)``'s exact form would be long).
    public static func approximate(_ bytes: UInt64) -> String {
        guard let unit = units.last(where: { bytes >= 1 << $0.shift }), unit.shift > 0 else { return "\(bytes) B" }
        let value = Double(bytes) / Double(UInt64(1) << unit.shift)
        return String(format: "%.1f", value) + " " + unit.name
    }
}
