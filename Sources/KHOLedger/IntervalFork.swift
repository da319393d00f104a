import GRDB

/// Reads "which rows of an interval table (`preserved_run`, `object`,
/// `subtree`) hold at seq S" through the tables' `fork` column, in time that
/// grows with the answer, not with the history before S.
///
/// A row holds over `[from_seq, to_seq)`. Its `fork` (a generated column,
/// migration 0002) is the node of a virtual balanced binary tree over seqs
/// `1 ..< 2^41` (root `2^40`) where the search paths of the seqs it covers
/// part: the value in `[from_seq, to_seq - 1]` with the most trailing zero
/// bits, and the root for an open row. This is the relational interval tree
/// of Kriegel, Pötke and Seidl (VLDB 2000): a row holding at S has its fork
/// on the search path from the root to S; with the fork at or above S it
/// holds iff `from_seq <= S`, below S iff `to_seq > S`. A stabbing query is
/// at most 41 range scans of the `(generation, fork, from_seq)` and
/// `(generation, fork, to_seq)` indexes, each returning only rows that hold.
public enum IntervalFork {
    /// The root of the virtual tree (and the fork of every open row).
    public static let root: Int64 = 1 << 40

    /// The search path from the root to `seq`: the nodes at or above it
    /// (rows forked there hold iff `from_seq <= seq`) and the nodes below it
    /// (rows forked there hold iff `to_seq > seq`).
    public static func path(to seq: Int64) -> (atOrAbove: [Int64], below: [Int64]) {
        var atOrAbove: [Int64] = [], below: [Int64] = []
        var node = root, step = root >> 1
        while true {
            if seq < node { atOrAbove.append(node); node -= step }
            else if seq > node { below.append(node); node += step }
            else { atOrAbove.append(node); break }
            guard step > 0 else { break }
            step >>= 1
        }
        return (atOrAbove, below)
    }

    /// Nodes on a search path at most (from the root `2^40` down to a leaf).
    public static let depth = 41

    /// A compound `SELECT columns FROM table` of the rows of one generation
    /// that hold at `seq` (rows in no particular order), with its arguments.
    ///
    /// The SQL text depends only on `columns` and `table`: the path's nodes
    /// are arguments (unused places bind NULL, which matches no fork), so a
    /// cached statement serves every seq without compiling again.
    public static func select(_ columns: String, from table: String, generation: Int64,
                              seq: Int64) -> (sql: String, arguments: [Int64?]) {
        let path = path(to: seq)
        let places = Array(repeating: "?", count: depth).joined(separator: ",")
        func padded(_ nodes: [Int64]) -> [Int64?] { nodes + Array(repeating: nil, count: depth - nodes.count) }
        let sql = """
            SELECT \(columns) FROM \(table) WHERE generation = ? AND fork IN (\(places)) AND from_seq <= ?
            UNION ALL
            SELECT \(columns) FROM \(table) WHERE generation = ? AND fork IN (\(places)) AND to_seq > ?
            """
        let arguments: [Int64?] = [generation] + padded(path.atOrAbove) + [seq, generation] + padded(path.below) + [seq]
        return (sql, arguments)
    }

    /// A condition on `table`'s `id` selecting the rows of one generation
    /// that hold at `seq`, with its arguments.
    public static func rowsHolding(in table: String, generation: Int64, seq: Int64) -> (sql: String, arguments: [Int64?]) {
        let ids = select("id", from: table, generation: generation, seq: seq)
        return ("id IN (\(ids.sql))", ids.arguments)
    }
}
