import GRDB

/// Why SQLite (through GRDB) failed on a ledger, with the error it raised:
/// a `DatabaseError` keeps its result code, message, statement and
/// arguments for callers that look at them; ``description`` is the one
/// line a person reads.
public struct DatabaseFailure: Error, Equatable, CustomStringConvertible {
    /// What kholedger was doing, if it says (`creating the ledger`).
    public let doing: String?
    /// The error raised.
    public let cause: any Error

    public init(_ cause: any Error, doing: String? = nil) {
        self.cause = cause
        self.doing = doing
    }

    /// GRDB's error, when SQLite raised one.
    public var databaseError: DatabaseError? { cause as? DatabaseError }

    public var description: String { (doing.map { "\($0): " } ?? "") + "\(cause)" }

    public static func == (lhs: DatabaseFailure, rhs: DatabaseFailure) -> Bool { lhs.description == rhs.description }
}
