import GRDB
import KHOABI

/// One row of `preserved_run`: blocks preserved from `fromSeq` until
/// `toSeq` (nil while still preserved).
public struct PreservedRunRow: Equatable, Sendable {
    public let id: Int64
    public let generation: Int64
    public let run: BlockRun
    public let fromSeq: Int64
    public let toSeq: Int64?

    /// Calls `body` with every row of the generations in `layouts` (each
    /// run bound by its generation's layout), in id order; rows of other
    /// generations are skipped unread.
    public static func forEach(_ snapshot: LedgerSnapshot, layouts: [Int64: GenerationLayout], _ body: (PreservedRunRow) throws -> Void) throws {
        let runs = try Row.fetchCursor(snapshot.db, sql: "SELECT id, generation, phys, ord, count, from_seq, to_seq FROM preserved_run ORDER BY id")
        while let columns = try runs.next() {
            let row = LedgerRow(columns, table: "preserved_run")
            let id = try row.integer("id"), generation = try row.integer("generation")
            guard let layout = layouts[generation] else { continue }
            let run = try row.run(geometry: layout.geometry, memory: layout.memory)
            try body(PreservedRunRow(id: id, generation: generation, run: run,
                                     fromSeq: try row.integer("from_seq"), toSeq: try row.optionalInteger("to_seq")))
        }
    }
}
