import GRDB
import KHOABI

/// Blocks one row of `op_change` adds to the tracker or removes from it: a
/// run, or one block of a packed row (``PackedBlocks``).
public struct TrackerChange: Equatable, Sendable {
    public let seq: Int64
    public let generation: Int64
    /// True for `add`, false for `remove`.
    public let added: Bool
    /// The blocks.
    public let run: BlockRun

    /// Calls `body` with every tracker change of the generations in
    /// `layouts` (each run bound by its generation's layout), in seq and
    /// part order, a packed row's blocks in its order; rows of other
    /// generations are skipped unread.
    public static func forEach(_ snapshot: LedgerSnapshot, layouts: [Int64: GenerationLayout], _ body: (TrackerChange) throws -> Void) throws {
        let changes = try Row.fetchCursor(snapshot.db, sql: """
            SELECT c.seq, o.generation, c.part, c.action, c.phys, c.ord, c.count, c.blocks FROM op_change c JOIN op o ON o.seq = c.seq
            WHERE c.action IN ('add', 'remove') ORDER BY c.seq, c.part
            """)
        while let columns = try changes.next() {
            let row = LedgerRow(columns, table: "op_change", key: "seq, part")
            let seq = try row.integer("seq"), generation = try row.integer("generation")
            guard let layout = layouts[generation] else { continue }
            let added = try row.text("action") == "add"
            for run in try row.layout(geometry: layout.geometry, memory: layout.memory) {
                try body(TrackerChange(seq: seq, generation: generation, added: added, run: run))
            }
        }
    }
}
