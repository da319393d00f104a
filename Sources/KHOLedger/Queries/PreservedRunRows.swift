import GRDB
import KHOABI

/// One row of `preserved_run`: blocks preserved from `fromSeq` until
/// `toSeq` (nil while still preserved).
public struct PreservedRunRow: Equatable, Sendable {
    public let id: Int64
    public let generation: Int64
    /// The row's blocks: its run, or one run per block of a packed row (``PackedBlocks``).
    public let runs: [BlockRun]
    public let fromSeq: Int64
    public let toSeq: Int64?

    /// Calls `body` with every row of the generations in `layouts` (each
    /// run bound by its generation's layout), in id order; rows of other
    /// generations are skipped unread.
    public static func forEach(_ snapshot: LedgerSnapshot, layouts: [Int64: GenerationLayout], _ body: (PreservedRunRow) throws -> Void) throws {
        let rows = try Row.fetchCursor(snapshot.db, sql: "SELECT id, generation, phys, ord, count, blocks, from_seq, to_seq FROM preserved_run ORDER BY id")
        while let columns = try rows.next() {
            let row = LedgerRow(columns, table: "preserved_run")
            let id = try row.integer("id"), generation = try row.integer("generation")
            guard let layout = layouts[generation] else { continue }
            let runs = try row.layout(geometry: layout.geometry, memory: layout.memory)
            try body(PreservedRunRow(id: id, generation: generation, runs: runs,
                                     fromSeq: try row.integer("from_seq"), toSeq: try row.optionalInteger("to_seq")))
        }
    }
}
