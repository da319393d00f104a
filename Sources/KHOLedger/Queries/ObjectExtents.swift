import GRDB
import KHOABI

/// Where an object's pages lie: its `object_extent` rows, runs and packed blocks.
public enum ObjectExtents {
    /// The byte ranges of the extents of object `objectID`, in object
    /// order (blocks of `geometry`, within `memory`): one primary-key lookup.
    public static func ranges(_ snapshot: LedgerSnapshot, objectID: Int64, geometry: PageGeometry,
                              memory: GenerationMemory) throws -> [Range<UInt64>] {
        var extents: [Range<UInt64>] = []
        try snapshot.db.cachedStatement(sql: """
            SELECT object_id, first_index, phys, ord, count, blocks FROM object_extent WHERE object_id = ? ORDER BY first_index
            """).forEachRow(integers: [objectID]) { columns in
            for run in try LedgerRow(columns, table: "object_extent", key: "object_id, first_index")
                .layout(phys: 2, order: 3, count: 4, blocks: 5, geometry: geometry, memory: memory) {
                extents.append(run.phys ..< run.phys + run.bytes(geometry))
            }
        }
        return extents
    }
}
