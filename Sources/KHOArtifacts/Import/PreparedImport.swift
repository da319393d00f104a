import KHOABI
import KHOImage
import KHOLedger
import KHOMachine

/// A capture that passed every check of ``CaptureImport/prepare()``, ready
/// to be recorded.
public struct PreparedImport {
    let events: CaptureEvents
    /// The machine the generation is recorded as: page size, ABI, and the
    /// memory span of the image.
    let config: MachineConfig
    let label: String?
    var notes: [String]
    /// What the debugfs folder showed, for a debugfs capture.
    let debugfs: DebugfsFindings?
    /// The capture's kexec-metadata (7.1+ kernels): the release that made it.
    let kexecMetadata: KexecMetadata?

    /// SQLite page cache while importing: the import is one transaction, so
    /// a large cache would only fill with pages already written.
    static let pageCacheBytes = 32 << 20
    /// Page data handed to SQLite at a time.
    static let batchBytes = 16 << 20

    /// Operations the import records.
    public var operations: Int { events.count }

    /// This import, held against an export's manifest
    /// (``ManifestAreas/check(_:)``), with a note for each manifest area
    /// that was not imported.
    public func checked(against manifest: ManifestAreas) throws(ImportError) -> PreparedImport {
        try manifest.check(events)
        var checked = self
        checked.notes += manifest.skipped
        return checked
    }

    /// Records the capture into `ledger` as one generation, in ONE
    /// transaction: on failure the ledger is left as it was. `progress` is
    /// told the operations recorded after each one.
    public func record(into ledger: Ledger, progress: WorkProgress = { _, _ in }) throws(ImportError) -> ImportSummary {
        let recorder: LedgerRecorder
        do {
            try ledger.setPageCache(bytes: Self.pageCacheBytes)
            recorder = try LedgerRecorder(ledger: ledger, config: config, source: "import", label: label,
                                          batchBytes: Self.batchBytes, storesMachine: false)
            try recorder.atomically {
                var done = 0
                try events.emit { event in
                    try recorder.record(event)
                    done += 1
                    progress(done, operations)
                }
            }
        } catch let error as ImageError {
            throw .image(error)
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
        let walk = events.walk
        return ImportSummary(generation: recorder.lastGeneration ?? 0, bootSeq: recorder.lastSeq - Int64(recorder.recorded) + 1,
                             kexecSeq: recorder.lastSeq, abi: walk.generation, geometry: events.geometry, trackerRoot: walk.trackerRoot,
                             fdtPhys: events.fdtPhys, preserved: walk.preserved, subtrees: walk.subtrees, areas: events.areas,
                             kexecMetadata: kexecMetadata, debugfs: debugfs, notes: notes)
    }
}
