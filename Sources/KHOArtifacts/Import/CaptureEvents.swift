import KHOABI
import KHOImage
import KHOMachine

/// A capture as the machine events of one generation, in the order a kernel
/// could have made them: boot; the content of every handed-over page
/// (`write`); each vmalloc area (`preserve_vmalloc`, with its descriptor,
/// chunk pages, frames and tracker entries in the kernel's order); the
/// other preserved blocks, one `preserve_pages` per run of physically
/// contiguous blocks; every subtree (`add_subtree`, oldest first, with its
/// blob); and the handover (`kexec`, with the root FDT and, when known,
/// the boot memory).
///
/// Events are produced one at a time; page contents are read from the image
/// in pieces of ``writeBytes``, so no event holds more than that.
struct CaptureEvents {
    let walk: HandoverWalk
    let fdt: [UInt8]
    let fdtPhys: UInt64?
    let areas: [ImportedArea]
    let blobs: [SubtreeBlob]
    let bootMemory: BootMemory?
    let image: any PhysicalMemoryImage
    let geometry: PageGeometry
    /// The pages whose content is recorded: preserved blocks, the areas'
    /// descriptors and the subtree blobs, as sorted runs.
    private let contentRuns: [Range<UInt64>]
    /// The preserved blocks no area lists, as runs of contiguous blocks.
    private let blockRuns: [[PreservedBlock]]

    /// Bytes of page content read into one `write` event at most.
    static let writeBytes: UInt64 = 4 << 20

    init(walk: HandoverWalk, fdt: [UInt8], fdtPhys: UInt64?, areas: [ImportedArea], blobs: [SubtreeBlob],
         bootMemory: BootMemory?, image: any PhysicalMemoryImage, geometry: PageGeometry) {
        self.walk = walk
        self.fdt = fdt
        self.fdtPhys = fdtPhys
        self.areas = areas
        self.blobs = blobs
        self.bootMemory = bootMemory
        self.image = image
        self.geometry = geometry
        let content = AddressRuns.ranges(of: walk.preserved, geometry: geometry)
            + areas.map { $0.area.descriptorPhys ..< $0.area.descriptorPhys + UInt64(VmallocDescriptor.size) }
            + blobs.map { $0.subtree.phys ..< $0.subtree.phys + UInt64($0.bytes.count) }
        contentRuns = AddressRuns(content, alignment: UInt64(geometry.pageSize)).runs
        let listed = Set(areas.flatMap { area in
            area.restored.chunkPhys.map { PreservedBlock(phys: $0, order: 0) }
                + area.restored.blockPhys.map { PreservedBlock(phys: $0, order: area.restored.order) }
        })
        blockRuns = Self.runs(of: walk.preserved.filter { !listed.contains($0) }, geometry: geometry)
    }

    /// How many events ``emit(_:)`` produces.
    var count: Int {
        let writes = contentRuns.reduce(0) { $0 + Int(($1.upperBound - $1.lowerBound + Self.writeBytes - 1) / Self.writeBytes) }
        return 2 + writes + areas.count + blockRuns.count + blobs.count
    }

    /// Hands every event to `record`, in order.
    func emit(_ record: (MachineEvent) throws -> Void) throws {
        var boot = event(.boot)
        boot.arguments = [("generation", .count(0))] + addresses
        try record(boot)
        try writeContents(record)
        for area in areas { try record(preserveVmalloc(area)) }
        for run in blockRuns { try record(preservePages(run)) }
        for blob in blobs.reversed() {
            var add = event(.addSubtree, subject: blob.subtree.name)
            add.arguments = [("phys", .address(blob.subtree.phys)), ("size", .count(blob.bytes.count))]
            add.blob = blob.bytes
            try record(add)
        }
        var kexec = event(.kexec)
        kexec.arguments = addresses + [("preserved_blocks", .count(walk.preserved.count))]
        kexec.fdt = fdt
        kexec.bootMemory = bootMemory
        try record(kexec)
    }

    private func event(_ kind: MachineEvent.Kind, subject: String? = nil) -> MachineEvent {
        MachineEvent(generation: 0, kind: kind, subject: subject)
    }

    /// The tracker root and, when known, the root FDT page.
    private var addresses: [(name: String, value: MachineEvent.Value)] {
        [("tracker", .address(walk.trackerRoot))] + (fdtPhys.map { [("fdt", .address($0))] } ?? [])
    }

    /// `write` events for every non-zero page of the preserved blocks, the
    /// areas' descriptors and the subtree blobs.
    private func writeContents(_ record: (MachineEvent) throws -> Void) throws {
        for run in contentRuns {
            for start in stride(from: run.lowerBound, to: run.upperBound, by: Int(Self.writeBytes)) {
                let count = Int(min(Self.writeBytes, run.upperBound - start))
                let bytes = try image.read(phys: start, count: count)
                var write = event(.write)
                write.arguments = [("phys", .address(start)), ("length", .count(count))]
                for offset in stride(from: 0, to: count, by: geometry.pageSize) {
                    let page = bytes[offset ..< offset + geometry.pageSize]
                    if !page.isAllZero { write.pages.append(.init(phys: start + UInt64(offset), bytes: Array(page))) }
                }
                try record(write)
            }
        }
    }

    /// `preserve_vmalloc` of an area: chunk 0, then each block, and after
    /// every K-th block the next chunk page, as the kernel adds them.
    private func preserveVmalloc(_ imported: ImportedArea) throws -> MachineEvent {
        let restored = imported.restored
        var preserve = event(.preserveVmalloc, subject: imported.area.name)
        preserve.arguments = [("descriptor", .address(imported.area.descriptorPhys))]
        preserve.descriptor = (imported.area.descriptorPhys, restored.descriptor)
        preserve.chunks = try restored.chunkPhys.enumerated().map { index, phys in
            MachineEvent.Chunk(index: index, phys: phys, bytes: try image.readPage(phys, geometry: geometry))
        }
        let blocks = restored.blockPhys.map { PreservedBlock(phys: $0, order: restored.order) }
        preserve.extents = BlockRun.runs(of: blocks, geometry: geometry)
        var chunks = restored.chunkPhys.map { PreservedBlock(phys: $0, order: 0) }[...]
        var added = chunks.popFirst().map { [$0] } ?? []
        for (index, block) in blocks.enumerated() {
            added.append(block)
            if (index + 1) % geometry.vmallocChunkEntries == 0, let next = chunks.popFirst() { added.append(next) }
        }
        preserve.tracker = (added + chunks).map { .init(block: $0, added: true) }
        return preserve
    }

    /// Blocks in address order, split wherever the next block does not
    /// start where the previous one ends.
    private static func runs(of blocks: [PreservedBlock], geometry: PageGeometry) -> [[PreservedBlock]] {
        var runs: [[PreservedBlock]] = []
        for block in blocks {
            if let last = runs.last?.last, last.phys + geometry.bytes(order: last.order) == block.phys {
                runs[runs.count - 1].append(block)
            } else {
                runs.append([block])
            }
        }
        return runs
    }

    /// `preserve_pages` of a run of contiguous blocks.
    private func preservePages(_ run: [PreservedBlock]) -> MachineEvent {
        let pages = run.reduce(UInt64(0)) { $0 + (UInt64(1) << UInt64($1.order)) }
        var preserve = event(.preservePages)
        preserve.arguments = [("phys", .address(run[0].phys)), ("nr_pages", .count(pages))]
        preserve.extents = BlockRun.runs(of: run, geometry: geometry)
        preserve.tracker = run.map { .init(block: $0, added: true) }
        return preserve
    }
}
