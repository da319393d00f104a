import KHOLedger

/// Why a fleet command failed, in one line that names the bad value.
public enum FleetError: Error, CustomStringConvertible {
    /// The URL is not one kholedger connects to.
    case badURL(String, reason: String)
    /// The server could not be reached or refused the connection.
    case unreachable(String, String)
    /// The connection failed or was lost during the work (the server's
    /// transaction was rolled back by the server).
    case server(String, String)
    /// The server refused a statement.
    case statement(PostgresFailure)
    /// The store lacks the fleet schema or some of its migrations.
    case noSchema(missing: [String])
    /// The store's schema is newer than this kholedger.
    case newerStore(unknown: [String])
    /// A host name that is not one.
    case badHost(String, reason: String)
    /// The push was refused: the ledger does not extend the host's chain in
    /// the store (a rewritten or forked history), or it is broken.
    case refused(host: String, reason: String)
    /// The host was pushed with another `--content` before.
    case contentMismatch(host: String, stored: String, asked: String)
    /// A query or report parameter that is not one.
    case badParameter(String, reason: String)
    /// No fleet report of that name.
    case unknownReport(String, known: [String])
    /// No host of that name in the store.
    case unknownHost(String)
    /// Reading the ledger failed.
    case ledger(LedgerError)
    /// The store's rows contradict themselves.
    case inconsistent(String)
    /// The host's summary report or audit could not run on its ledger.
    case derivation(String)

    public var description: String {
        switch self {
        case let .badURL(url, reason): return "\(url) is not a fleet store URL: \(reason)"
        case let .unreachable(location, message): return "cannot connect to the fleet store \(location): \(message)"
        case let .server(location, message): return "fleet store \(location): \(message); nothing of the unfinished batch was stored"
        case .statement(let failure): return "fleet store refused a statement: \(failure)"
        case .noSchema(let missing):
            return "the fleet store lacks the schema migrations \(missing.joined(separator: ", ")): "
                + "run `kholedger fleet migrate` (or a push) as a role that may create tables"
        case .newerStore(let unknown):
            return "the fleet store was set up by a newer kholedger (unknown migrations: \(unknown.joined(separator: ", "))); upgrade kholedger"
        case let .badHost(name, reason): return "host name \"\(name)\" is not usable: \(reason)"
        case let .refused(host, reason): return "push of host \"\(host)\" refused: \(reason)"
        case let .contentMismatch(host, stored, asked):
            return "host \"\(host)\" was pushed with --content \(stored), not \(asked): push it with --content \(stored)"
        case let .badParameter(name, reason): return "--param \(name): \(reason)"
        case let .unknownReport(name, known): return "no fleet report \"\(name)\" (the reports: \(known.joined(separator: ", ")))"
        case .unknownHost(let name): return "the fleet store has no host \"\(name)\""
        case .ledger(let error): return error.description
        case .inconsistent(let message): return "the fleet store is inconsistent: \(message)"
        case .derivation(let message): return "the host's summary or audit could not be made for the store: \(message)"
        }
    }
}

/// An error the server reported for a statement: its SQLSTATE, message
/// and detail.
public struct PostgresFailure: Error, CustomStringConvertible, Sendable {
    public var sqlState: String
    public var message: String
    public var detail: String?
    /// The statement it refused.
    public var statement: String

    public var description: String {
        "\(message)" + (detail.map { " (\($0))" } ?? "") + (sqlState.isEmpty ? "" : " [SQLSTATE \(sqlState)]")
    }
}
