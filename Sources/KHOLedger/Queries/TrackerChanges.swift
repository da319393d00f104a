import GRDB
import KHOABI

/// One row of `op_change` that adds blocks to the tracker or removes them.
public struct TrackerChange: Equatable, Sendable {
    public let seq: Int64
    public let generation: Int64
    /// True for `add`, false for `remove`.
    public let added: Bool
    /// The blocks.
    public let run: BlockRun

    /// Calls `body` with every tracker change of the generations in
    /// `layouts` (each run bound by its generation's layout), in seq and
    /// part order; rows of other generations are skipped unread.
    public static func forEach(_ snapshot: LedgerSnapshot, layouts: [Int64: GenerationLayout], _ body: (TrackerChange) throws -> Void) throws {
        let changes = try Row.fetchCursor(snapshot.db, sql: """
            SELECT c.seq, o.generation, c.part, c.action, c.phys, c.ord, c.count FROM op_change c JOIN op o ON o.seq = c.seq
            WHERE c.action IN ('add', 'remove') ORDER BY c.seq, c.part
            """)
        while let columns = try changes.next() {
            let row = LedgerRow(columns, table: "op_change", key: "seq, part")
            let seq = try row.integer("seq"), generation = try row.integer("generation")
            guard let layout = layouts[generation] else { continue }
            let run = try row.run(geometry: layout.geometry, memory: layout.memory)
            try body(TrackerChange(seq: seq, generation: generation, added: try row.text("action") == "add", run: run))
        }
    }
}
