import Foundation
import KHOABI
import KHOImage
import KHOLedger
import KHOMachine
import KHOReplay

/// Writes what a ledger says was handed over at a point as real artifacts:
/// an ELF64 core with one `PT_LOAD` (`p_paddr` set) per contiguous run of
/// handed-over pages, the root FDT, optionally a flat raw image and a
/// manifest.
///
/// The handed-over pages are the preserved blocks as of the point, the
/// tracker's node pages, the root FDT page, the subtree blobs and the vmalloc
/// descriptors; their bytes come from the ledger's ``MemoryView`` as of the
/// point. At a kexec the tracker's pages are the ones the kexec recorded
/// (radix nodes, or kho-v1 chunks and bitmaps), so the export is the
/// handover byte for byte; otherwise (or for a ledger without them, such as
/// an import) the tracker is rebuilt (``RebuiltTracker``) with its root where
/// the root FDT's `preserved-memory-map` points. A kho-v1 generation hands
/// over only at its kexec (its tracker is serialized there). The root FDT
/// is the one handed over at a kexec, else the FDT page as of the point.
/// `walk` and `restore --image` on the result agree with the ledger.
///
/// Every file is written as an ``OutputFile`` and committed only when all of
/// them are complete: a failed export leaves none.
public struct HandoverExport {
    /// Where the artifacts go.
    public struct Destination: Sendable {
        /// The ELF core.
        public var image: String
        /// The root FDT (dtb).
        public var fdt: String
        /// A flat raw image, if wanted: byte `n` is physical address `rawBase + n`.
        public var raw: String?
        /// The raw image's base; nil uses the machine's memory base.
        public var rawBase: UInt64?
        /// The manifest (JSON), if wanted.
        public var manifest: String?

        public init(image: String, fdt: String, raw: String? = nil, rawBase: UInt64? = nil, manifest: String? = nil) {
            self.image = image
            self.fdt = fdt
            self.raw = raw
            self.rawBase = rawBase
            self.manifest = manifest
        }
    }

    public let ledger: Ledger

    public init(ledger: Ledger) { self.ledger = ledger }

    /// Exports the handover as of right after operation `seq`; `progress`
    /// is told the bytes read from the ledger for the image (and again for
    /// the raw image), of all it will read.
    public func export(at seq: Int64, to destination: Destination,
                       progress: @escaping WorkProgress = { _, _ in }) throws(ExportError) -> ExportManifest {
        let state: AsOfState
        let view: MemoryView
        do {
            state = try AsOfState(ledger: ledger, seq: seq)
        } catch {
            throw .replay(error)
        }
        do {
            view = try MemoryView(ledger: ledger, lineage: state.lineage, seq: seq)
        } catch {
            throw .memory(error)
        }
        let record = try handoverRecord(state.generation)
        func requireSerialized(_ bitmapTracker: Bool) throws(ExportError) {
            if bitmapTracker, state.seq != record.kexecSeq { throw .bitmapTrackerNotSerialized(generation: state.generation, seq: seq) }
        }
        try requireSerialized(record.bitmapVariant != nil)
        let fdt = try rootFDT(record, state: state, view: view)
        let root: KHORootFDT
        do {
            root = try KHORootFDT(bytes: fdt)
        } catch {
            throw .rootFDT(generation: state.generation, seq: seq, error)
        }
        let bitmapVariant = root.generation.usesRadixTracker ? nil : record.bitmapVariant ?? .v1b
        try requireSerialized(bitmapVariant != nil)
        guard !state.preserved.isEmpty else { throw .nothingHandedOver(generation: state.generation, seq: seq) }

        let geometry = state.geometry
        let pageSize = UInt64(geometry.pageSize)
        let memory = state.memoryBase ..< state.memoryBase + state.memorySize
        let trackerRoot = root.preservedMemoryMap
        guard geometry.isAligned(trackerRoot, order: 0), memory.contains(trackerRoot) else { throw .badTrackerRoot(trackerRoot) }
        let handedOver = AddressRuns.ranges(of: state.preserved, geometry: geometry)
            + [trackerRoot ..< trackerRoot + pageSize]
            + (record.fdtPhys.map { [$0 ..< $0 + UInt64(fdt.count)] } ?? [])
            + root.subtrees.map { blobRange($0, view: view) }
            + state.areas.filter { $0.kind == .vmalloc }.map { $0.descriptorPhys ..< $0.descriptorPhys + UInt64(VmallocDescriptor.size) }
        let used = AddressRuns(handedOver.map { $0.clamped(to: memory) }, alignment: pageSize)
        let tracker: [UInt64: [UInt8]]
        if state.seq == record.kexecSeq,
           let recorded = recordedTracker(root: trackerRoot, bitmapVariant: bitmapVariant, state: state, record: record, view: view) {
            tracker = recorded
        } else {
            tracker = try RebuiltTracker(blocks: state.preserved, root: trackerRoot, geometry: geometry,
                                         depthFormula: record.depthFormula, bitmapVariant: bitmapVariant,
                                         free: FreePages(memory: memory, used: used.runs, pageSize: geometry.pageSize)).pages
        }
        let segments = AddressRuns(used.runs + tracker.keys.map { $0 ..< $0 + pageSize }).runs
        let bytes = segments.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) }
        let image = LedgerHandoverImage(view: view, overlay: tracker, segments: segments,
                                        total: bytes * (destination.raw == nil ? 1 : 2), progress: progress)

        let manifest = ExportManifest(
            pageSize: geometry.pageSize, compat: root.generation.compatible, fdtPhys: record.fdtPhys.map { hex($0) },
            trackerRoot: hex(trackerRoot), areas: areas(of: state), preservedCount: state.preserved.count,
            trackerPages: tracker.count, segments: segments.map { .init(phys: hex($0.lowerBound), size: $0.upperBound - $0.lowerBound) },
            seq: seq, generation: state.generation)
        do {
            try write(fdt: fdt, image: image, segments: segments, manifest: manifest, geometry: geometry,
                      rawBase: destination.rawBase ?? state.memoryBase, to: destination)
        } catch let error as ExportError {
            throw error
        } catch let error as ImageError {
            throw .output(error)
        } catch {
            throw .output(.cannotWrite(path: destination.image, reason: "\(error)"))
        }
        return manifest
    }

    /// The tracker's pages as the kexec recorded them (the emulator hands
    /// their bytes over with the kexec: radix nodes, or kho-v1 chunks and
    /// the pages holding bitmaps), when they walk to exactly the preserved
    /// set; nil when the ledger does not hold them (an import, a trace, a
    /// ledger recorded before), and the tracker is rebuilt instead.
    private func recordedTracker(root: UInt64, bitmapVariant: BitmapVariant?, state: AsOfState, record: HandoverRecord,
                                 view: MemoryView) -> [UInt64: [UInt8]]? {
        let nodes: [UInt64]?
        let blocks: [PreservedBlock]?
        if let bitmapVariant {
            let walker = BitmapTrackerWalker(geometry: state.geometry, variant: bitmapVariant, firstChunkPhys: root)
            (nodes, blocks) = (try? walker.trackerPages(read: view.reader), try? walker.blocks(read: view.reader))
        } else {
            let walker = RadixTrackerWalker(geometry: state.geometry, rootPhys: root, depthFormula: record.depthFormula)
            (nodes, blocks) = (try? walker.nodePages(read: view.reader), try? walker.blocks(read: view.reader))
        }
        guard let nodes, let blocks, Set(blocks) == Set(state.preserved) else { return nil }
        var pages: [UInt64: [UInt8]] = [:]
        for node in nodes {
            guard let bytes = try? view.read(node, count: state.geometry.pageSize) else { return nil }
            pages[node] = bytes
        }
        return pages
    }

    /// The record of the exported generation.
    private func handoverRecord(_ generation: Int64) throws(ExportError) -> HandoverRecord {
        let record: HandoverRecord?
        do {
            record = try ledger.read { try HandoverRecord.fetchOne($0, generation: generation) }
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
        guard let record else { throw .ledger(.inconsistent("\(ledger.path): generation \(generation) is missing")) }
        return record
    }

    /// The FDT handed over at the generation's kexec, or else its FDT page
    /// as of the point.
    private func rootFDT(_ record: HandoverRecord, state: AsOfState, view: MemoryView) throws(ExportError) -> [UInt8] {
        guard let phys = record.fdtPhys else {
            if state.seq == record.kexecSeq, let fdt = record.rootFDT { return fdt }
            throw .noRootFDT(generation: state.generation, seq: state.seq)
        }
        do {
            if state.seq == record.kexecSeq, let fdt = record.rootFDT {
                guard try view.read(phys, count: fdt.count) == fdt else { throw ExportError.alteredRootFDT(generation: state.generation, phys: phys) }
                return fdt
            }
            let header = try FDTHeader(bytes: view.read(phys, count: FDTHeader.size))
            guard header.magic == FDTHeader.magicValue else { throw FDTError.badMagic(header.magic) }
            guard Int(header.totalSize) <= state.geometry.pageSize else {
                throw FDTError.totalSizeExceedsBuffer(totalSize: header.totalSize, bufferSize: state.geometry.pageSize)
            }
            return try view.read(phys, count: Int(header.totalSize))
        } catch let error as ExportError {
            throw error
        } catch let error as FDTError {
            throw .rootFDT(generation: state.generation, seq: state.seq, error)
        } catch let error as MemoryViewError {
            throw .memory(error)
        } catch {
            throw .noRootFDT(generation: state.generation, seq: state.seq)
        }
    }

    /// The bytes of a subtree's blob: `blob-size`, or for kho-v1/v2 blobs
    /// (FDTs) the `totalsize` read at its address (one page when unreadable).
    private func blobRange(_ subtree: KHOSubtree, view: MemoryView) -> Range<UInt64> {
        let size = subtree.size
            ?? (try? FDTHeader(bytes: view.read(subtree.phys, count: FDTHeader.size))).map { UInt64($0.totalSize) }
            ?? UInt64(view.geometry.pageSize)
        let (end, overflow) = subtree.phys.addingReportingOverflow(size)
        return subtree.phys ..< (overflow ? UInt64.max : end)
    }

    /// The preserved vmalloc areas at the point, each restored from the ledger.
    private func areas(of state: AsOfState) -> [ExportManifest.Area] {
        state.areas.filter { $0.kind == .vmalloc }.map { area in
            var entry = ExportManifest.Area(name: area.name, descriptorPhys: hex(area.descriptorPhys), totalPages: area.totalPages,
                                            order: area.order, flags: area.flags)
            do {
                entry.sha256 = try LedgerRestore(ledger: ledger).restore(area, of: state).sha256
            } catch {
                entry.error = "\(error)"
            }
            return entry
        }
    }

    /// Writes every file, then publishes them together.
    private func write(fdt: [UInt8], image: LedgerHandoverImage, segments: [Range<UInt64>], manifest: ExportManifest,
                       geometry: PageGeometry, rawBase: UInt64, to destination: Destination) throws {
        var outputs: [OutputFile] = []
        let elf = try OutputFile(path: destination.image)
        outputs.append(elf)
        try ElfCoreWriter(machine: geometry.pageSize == 4096 ? .x86_64 : .aarch64, alignment: geometry.pageSize)
            .write(ranges: segments, from: image, to: elf)
        let dtb = try OutputFile(path: destination.fdt)
        outputs.append(dtb)
        try dtb.append(fdt)
        if let path = destination.raw {
            guard let first = segments.first, rawBase <= first.lowerBound else {
                throw ExportError.rawBaseAboveMemory(base: rawBase, first: segments.first?.lowerBound ?? 0)
            }
            let raw = try OutputFile(path: path)
            outputs.append(raw)
            for segment in segments {
                try raw.pad(to: segment.lowerBound - rawBase)
                try raw.append(segment, from: image)
            }
        }
        if let path = destination.manifest {
            let file = try OutputFile(path: path)
            outputs.append(file)
            try file.append(manifest.json())
        }
        for output in outputs { try output.commit() }
    }
}

extension HandoverRecord {
    /// The radix tree depth rule of the generation's machine (fixed for
    /// ledgers without a machine).
    fileprivate var depthFormula: RadixDepthFormula { machine?.depthFormula ?? .fixed }

    /// The kho-v1 layout the generation's kernel wrote, as its machine says
    /// (nil for radix machines and for ledgers without a machine, e.g. an
    /// import, whose kho-v1 handovers are taken as v1b).
    fileprivate var bitmapVariant: BitmapVariant? { machine?.abi.bitmapVariant }
}
