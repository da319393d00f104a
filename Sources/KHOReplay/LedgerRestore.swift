import KHOABI
import KHOLedger

/// Restores a vmalloc area from the ledger as of any seq, with the one
/// ``VmallocRestorer`` walking the bytes of a ``MemoryView``.
///
/// The area is the one of that name among the ``AsOfState/areas`` at the
/// seq S (objects of kind `vmalloc` or `restored_vmalloc` valid at S, in
/// the generation S belongs to); when both kinds are valid the preserved one
/// wins, and among several of a kind the latest. Its descriptor is read at
/// `descriptor_phys` and the chunk list is walked through memory: the
/// `chunk` and `object_extent` rows are not trusted for the layout.
///
/// - A preserved area (`vmalloc`) is restored as the next kernel would find
///   it if the machine kexec'd right after S: memory as of S, and every
///   block and chunk page must be in the generation's tracker as of S.
/// - A restored area (`restored_vmalloc`, rebuilt at seq R) is restored as
///   `kho_restore_vmalloc` rebuilt it: the preserved check is the set the
///   previous generation handed over (its tracker at its kexec), and the
///   descriptor and chunk pages are read as of R − 1, as the restoring
///   kernel saw them before it freed the chunk pages for reuse (which pages
///   those are comes from the object's `chunk` rows). The blocks, which the
///   area owns, are read as of S, so the bytes are the area's content at S.
public struct LedgerRestore {
    public let ledger: Ledger

    public init(ledger: Ledger) { self.ledger = ledger }

    /// What a restore found and read.
    public struct Result: Sendable {
        /// The state at the seq the restore was asked for.
        public let state: AsOfState
        /// The area restored.
        public let area: AsOfState.Area
        public let restored: RestoredArea
    }

    /// Restores area `name` as of right after op `seq`, sending its bytes to `sink`.
    public func restore(area name: String, at seq: Int64, into sink: VmallocRestorer.Sink? = nil) throws(LedgerRestoreError) -> Result {
        let (state, area) = try area(named: name, at: seq)
        return Result(state: state, area: area, restored: try restore(area, of: state, into: sink))
    }

    /// The area a restore of `name` as of right after op `seq` reads (the
    /// newest vmalloc area of that name, else the newest restored one), with
    /// the state it is one of; an unknown name lists the known ones.
    public func area(named name: String, at seq: Int64) throws(LedgerRestoreError) -> (state: AsOfState, area: AsOfState.Area) {
        let state: AsOfState
        do {
            state = try AsOfState(ledger: ledger, seq: seq)
        } catch {
            throw .replay(error)
        }
        let candidates = state.areas.filter { $0.name == name }
        guard let area = candidates.max(by: { ($0.kind == .vmalloc ? 1 : 0, $0.fromSeq) < ($1.kind == .vmalloc ? 1 : 0, $1.fromSeq) }) else {
            let names = Set(state.areas.map(\.name)).sorted()
            let known = names.isEmpty ? "it has no vmalloc areas" : "its areas: " + names.joined(separator: ", ")
            throw .replay(.notFound("no vmalloc area \"\(name)\" at seq \(seq) (generation \(state.generation)); \(known)"))
        }
        return (state, area)
    }

    /// Restores `area`, one of `state`'s areas, sending its bytes to `sink`.
    public func restore(_ area: AsOfState.Area, of state: AsOfState, into sink: VmallocRestorer.Sink? = nil) throws(LedgerRestoreError) -> RestoredArea {
        guard area.kind == .restoredVmalloc else {
            return try walk(area, of: state, heads: state.heads, pinned: [:], into: sink)
        }
        let (handover, chunks) = try restoreContext(area, of: state)
        let heads: PreservedHeads
        do {
            heads = try AsOfState(ledger: ledger, seq: handover).heads
        } catch {
            throw .replay(error)
        }
        let mask = UInt64(state.geometry.pageSize - 1)
        let descriptorPages = [area.descriptorPhys, area.descriptorPhys + UInt64(VmallocDescriptor.size) - 1].map { $0 & ~mask }
        var pinned: [UInt64: Int64] = [:]
        for page in chunks + descriptorPages { pinned[page] = area.fromSeq - 1 }
        return try walk(area, of: state, heads: heads, pinned: pinned, into: sink)
    }

    /// Restores every preserved (`vmalloc`) area of `state` as
    /// ``restore(_:of:into:)`` does, building the page metadata once: the
    /// outcome of each, in the state's order. Each restore starts from the
    /// handover's metadata (as if it were the first).
    public func restorePreservedAreas(of state: AsOfState) -> [(area: AsOfState.Area, outcome: Swift.Result<RestoredArea, LedgerRestoreError>)] {
        let heads = state.heads
        return state.areas.filter { $0.kind == .vmalloc }.map { area in
            (area, Swift.Result { () throws(LedgerRestoreError) in try walk(area, of: state, heads: heads, pinned: [:], into: nil) })
        }
    }

    /// The walk over the memory as of `state`'s seq (`pinned` pages as of
    /// their own seq), with the restoring kernel's page metadata `heads`.
    private func walk(_ area: AsOfState.Area, of state: AsOfState, heads: PreservedHeads, pinned: [UInt64: Int64],
                      into sink: VmallocRestorer.Sink?) throws(LedgerRestoreError) -> RestoredArea {
        let view: MemoryView
        do {
            view = try MemoryView(ledger: ledger, lineage: state.lineage, seq: state.seq, pinned: pinned)
        } catch {
            throw .memory(error)
        }
        do {
            return try view.inOneReadTransaction {
                try VmallocRestorer(geometry: state.geometry, read: view.reader, heads: heads)
                    .restore(descriptorAt: area.descriptorPhys, into: sink)
            }
        } catch let error as RestoreError {
            throw .restore(area: area.name, descriptorPhys: area.descriptorPhys, seq: state.seq, error)
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
    }

    /// For an area rebuilt by a restore: the seq of the kexec that handed it
    /// over, and the chunk pages the restore consumed.
    private func restoreContext(_ area: AsOfState.Area, of state: AsOfState) throws(LedgerRestoreError) -> (Int64, [UInt64]) {
        do {
            return try ledger.read { snapshot in
                guard let handover = try ParentKexecs.seq(snapshot, booting: state.generation) else {
                    throw LedgerError.inconsistent("\(ledger.path): area \"\(area.name)\" was restored in generation \(state.generation), which no kexec started")
                }
                return (handover, try ChunkPages.fetchAll(snapshot, objectID: area.objectID))
            }
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
    }
}
