import Foundation
import KHOLedger

/// A fleet store: a PostgreSQL database holding many hosts' ledgers, each
/// host's operations with every row their hashes cover, the host's chain
/// head, and what the host's own rules derive from its ledger (the
/// `summary` report, the audit's findings).
public final class FleetStore {
    let connection: PostgresConnection
    /// The store's URL without its password.
    public var location: String { connection.location }

    /// Connects to the store at `url` (``FleetURL``).
    public init(url: String) throws(FleetError) {
        connection = try PostgresConnection(url: try FleetURL.checked(url))
    }

    /// Applies the schema migrations the store lacks (``FleetSchema``) and
    /// returns their identifiers; none when it is up to date.
    @discardableResult
    public func migrate() throws(FleetError) -> [String] {
        try fleetErrors { try FleetSchema.migrate(connection) }
    }

    /// Throws unless the store's schema is this build's (reads only).
    func requireSchema() throws(FleetError) {
        try fleetErrors { try FleetSchema.requireCurrent(connection) }
    }

    /// The hosts in the store, by name.
    public func hosts() throws(FleetError) -> [FleetHostState] {
        try requireSchema()
        return try connection.execute("SELECT * FROM host ORDER BY name").map(FleetHostState.init)
    }

    /// The host called `name`.
    func host(named name: String) throws(FleetError) -> FleetHostState? {
        try connection.execute("SELECT * FROM host WHERE name = $1", [name]).first.map(FleetHostState.init)
    }
}

/// A host as the store holds it: its chain head and what was pushed.
public struct FleetHostState: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var content: FleetContent
    /// The last op stored (seq 0 and no hash: none yet).
    public var headSeq: Int64
    public var headHash: Data?
    /// Whether the next op may carry a v1 hash (``ChainLink``).
    public var legacyAllowed: Bool
    public var ops: Int64

    /// The head as a ``ChainHead`` (nil when no op is stored).
    public var head: ChainHead? { headHash.map { ChainHead(seq: headSeq, hash: $0) } }

    init(_ row: PostgresRow) {
        id = row.integer("host_id") ?? 0
        name = row.text("name") ?? ""
        content = row.text("content").flatMap(FleetContent.init) ?? .hashes
        headSeq = row.integer("head_seq") ?? 0
        headHash = row.bytes("head_hash")
        legacyAllowed = row.integer("legacy_allowed") == 1
        ops = row.integer("ops") ?? 0
    }
}

/// Runs `body`, turning what it throws into a ``FleetError``: a ledger's
/// error as ``FleetError/ledger(_:)``, a fleet error unchanged, anything
/// else as an inconsistency naming it.
func fleetErrors<T>(_ body: () throws -> T) throws(FleetError) -> T {
    do {
        return try body()
    } catch let error as FleetError {
        throw error
    } catch let error as LedgerError {
        throw .ledger(error)
    } catch {
        throw .inconsistent(String(describing: error))
    }
}
