import GRDB

/// A value as SQLite stores it in a ledger row, kept so that an error about
/// a row that no recording writes can name what it found (text where an
/// integer belongs, NULL where a value is required, a blob of the wrong
/// length).
public enum StoredValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    /// Text, cut to its first ``shownCharacters`` characters (`count` is its length in bytes).
    case text(String, count: Int)
    /// A blob, known by its length only.
    case blob(count: Int)

    /// The characters of a text value an error shows.
    static let shownCharacters = 40

    /// The value of a GRDB database value.
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .double(let real): self = .real(real)
        case .string(let text): self = .text(String(text.prefix(Self.shownCharacters)), count: text.utf8.count)
        case .blob(let bytes): self = .blob(count: bytes.count)
        }
    }

    /// The value as an SQL literal (text quoted).
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let integer): return "\(integer)"
        case .real(let real): return "\(real) (a real)"
        case let .text(text, count):
            let shown = text.replacingOccurrences(of: "'", with: "''")
            return "'\(shown)\(count > text.utf8.count ? "…" : "")' (text)"
        case .blob(let count): return "a blob of \(count) bytes"
        }
    }
}
