import KHOABI
import KHOImage
import KHOLedger
import KHOMachine
import KHOReplay

/// Adds a captured handover to a ledger as a new generation: a root FDT (as
/// read from `/sys/kernel/debug/kho/out/fdt`) plus a physical memory image.
///
/// The capture is walked like the next kernel would (``HandoverWalker``);
/// every subtree's blob is read; the vmalloc areas that known consumer
/// formats point to (``ConsumerAreas``) and those the caller names are
/// restored with the one ``VmallocRestorer``, requiring every block and
/// chunk page to be preserved at its order. Then the capture becomes the
/// machine events of one generation (``CaptureEvents``), recorded by the
/// ``LedgerRecorder`` with source `import` in ONE transaction: a failed
/// import leaves the ledger as it was.
///
/// ``prepare()`` checks everything before any ledger is touched;
/// ``PreparedImport/record(into:)`` then writes. The generation is
/// first-class: its handover (`gen:G`) is the capture, so `state`,
/// `restore --area` and `diff` answer for it. Its memory spans the image's
/// mapped addresses. Memory stays bounded whatever the image size: the
/// image is mapped, and page contents go to the ledger in pieces.
public struct CaptureImport {
    /// The root FDT's bytes.
    public let fdt: [UInt8]
    /// The physical memory of the capture, read through a ``BoundedImage``.
    public let image: any PhysicalMemoryImage
    /// The captured kernel's page size (nothing in a capture records it).
    public let geometry: PageGeometry
    /// The kho-v1 bitmap layout (the compatible string cannot tell).
    public let bitmapVariant: BitmapVariant
    /// The radix depth formula of the captured kernel.
    public let depthFormula: RadixDepthFormula
    /// The generation's label in the ledger.
    public let label: String?
    /// Areas to import besides the consumer-found ones (`--vmalloc` names and
    /// a manifest's); at one descriptor a `--vmalloc` name replaces a
    /// manifest's, which replaces a consumer's.
    public let namedAreas: [NamedArea]
    /// The debugfs folder the capture was copied from, held against the
    /// handover; its boot memory is recorded with the kexec.
    public let debugfs: DebugfsCapture?
    /// The release the user says made the capture (a debugfs capture's layout is checked against it).
    public let kernel: KernelRelease?
    /// What reading the root FDT from the debugfs folder found (the file
    /// was shorter than the FDT), if anything.
    public let fdtNote: String?

    public init(fdt: [UInt8], image: any PhysicalMemoryImage, geometry: PageGeometry, bitmapVariant: BitmapVariant = .v1b,
                depthFormula: RadixDepthFormula = .fixed, label: String? = nil, namedAreas: [NamedArea] = []) {
        self.init(fdt: fdt, image: image, geometry: geometry, bitmapVariant: bitmapVariant, depthFormula: depthFormula, label: label,
                  namedAreas: namedAreas, debugfs: nil, kernel: nil, fdtNote: nil)
    }

    /// The import of a copied `/sys/kernel/debug/kho/` folder and a memory
    /// image. The root FDT is the folder's `fdt`, read whole from the image
    /// when the file is shorter than the FDT (a note says so); `kernel`,
    /// when given, picks the kho-v1 bitmap layout and is held against the
    /// folder's layout.
    public init(debugfs: DebugfsCapture, image: any PhysicalMemoryImage, geometry: PageGeometry, kernel: KernelRelease? = nil,
                bitmapVariant: BitmapVariant = .v1b, depthFormula: RadixDepthFormula = .fixed, label: String? = nil,
                namedAreas: [NamedArea] = []) throws(ImportError) {
        let bounded = BoundedImage(image)
        let root: (bytes: [UInt8], note: String?)
        do {
            root = try debugfs.rootFDT(in: bounded, geometry: geometry)
        } catch {
            throw .debugfs(error)
        }
        bounded.releaseResidentPages()
        self.init(fdt: root.bytes, image: image, geometry: geometry, bitmapVariant: kernel?.abi.bitmapVariant ?? bitmapVariant,
                  depthFormula: depthFormula, label: label, namedAreas: namedAreas, debugfs: debugfs, kernel: kernel, fdtNote: root.note)
    }

    private init(fdt: [UInt8], image: any PhysicalMemoryImage, geometry: PageGeometry, bitmapVariant: BitmapVariant,
                 depthFormula: RadixDepthFormula, label: String?, namedAreas: [NamedArea], debugfs: DebugfsCapture?,
                 kernel: KernelRelease?, fdtNote: String?) {
        self.fdt = fdt
        self.image = BoundedImage(image)
        self.geometry = geometry
        self.bitmapVariant = bitmapVariant
        self.depthFormula = depthFormula
        self.label = label
        self.namedAreas = namedAreas
        self.debugfs = debugfs
        self.kernel = kernel
        self.fdtNote = fdtNote
    }

    /// Checks the capture without touching any ledger: walks it, reads the
    /// subtree blobs, finds and restores the areas.
    public func prepare() throws(ImportError) -> PreparedImport {
        let mapped = AddressRuns(image.mappedRanges)
        guard let first = mapped.runs.first, let last = mapped.runs.last else { throw .emptyImage }
        let walk: HandoverWalk
        do {
            walk = try HandoverWalker(geometry: geometry, bitmapVariant: bitmapVariant, depthFormula: depthFormula)
                .walk(fdt: fdt, read: { phys, count in try image.read(phys: phys, count: count) })
        } catch {
            throw .walk(error)
        }
        for block in walk.preserved {
            guard block.phys >> UInt64(geometry.pageShift) != 0 else { throw .blockAtFrameZero(block) }
            if let gap = mapped.firstGap(in: block.phys ..< block.phys + geometry.bytes(order: block.order)) {
                throw .blockNotInImage(block, missing: gap)
            }
        }
        let blobs = try subtreeBlobs(walk.subtrees)
        let findings = try debugfsFindings(walk: walk, blobs: blobs)
        var (areas, notes) = ConsumerAreas(generation: walk.generation, image: image, mappedBytes: mapped.byteCount).find(in: blobs)
        notes = (fdtNote.map { [$0] } ?? []) + walk.subtreeProblems.map(\.description) + notes
        let imported = try restore(merge(areas, namedAreas), heads: walk.heads(geometry))
        let fdtPhys = locateRootFDT(walk.preserved)
        if fdtPhys == nil {
            notes.append("no preserved block holds the root FDT's bytes: the generation's fdt_phys is unknown")
        }
        let mask = UInt64(geometry.pageSize - 1)
        var config = MachineConfig()
        config.pageSize = geometry.pageSize
        config.memoryBase = first.lowerBound & ~mask
        config.memorySize = ((last.upperBound + mask) & ~mask) - config.memoryBase
        config.abi = walk.generation
        return PreparedImport(events: CaptureEvents(walk: walk, fdt: fdt, fdtPhys: fdtPhys, areas: imported, blobs: blobs,
                                                    bootMemory: findings?.bootMemory, image: image, geometry: geometry),
                              config: config, label: label, notes: notes, debugfs: findings,
                              kexecMetadata: walk.kexecMetadata { phys, count in try image.read(phys: phys, count: count) })
    }

    /// The debugfs folder held against the handover: the releases that lay
    /// it out so, its files against the blobs; nil without a folder.
    private func debugfsFindings(walk: HandoverWalk, blobs: [SubtreeBlob]) throws(ImportError) -> DebugfsFindings? {
        guard let debugfs else { return nil }
        do {
            let releases = try debugfs.releases(handingOver: walk.generation, kernel: kernel)
            try debugfs.check(blobs, abi: walk.generation)
            return DebugfsFindings(path: debugfs.path, side: debugfs.side, releases: releases, bootMemory: debugfs.bootMemory)
        } catch {
            throw .debugfs(error)
        }
    }

    /// Every subtree with its blob's bytes.
    private func subtreeBlobs(_ subtrees: [KHOSubtree]) throws(ImportError) -> [SubtreeBlob] {
        var blobs: [SubtreeBlob] = []
        for subtree in subtrees {
            let size = subtree.size ?? 0
            guard size <= UInt64(Int.max) else {
                throw .subtreeBlob(name: subtree.name, phys: subtree.phys, size: size, reason: "the size is beyond any image")
            }
            do {
                blobs.append(SubtreeBlob(subtree: subtree, bytes: try image.read(phys: subtree.phys, count: Int(size))))
            } catch {
                throw .subtreeBlob(name: subtree.name, phys: subtree.phys, size: size, reason: error.description)
            }
        }
        return blobs
    }

    /// The consumer-found areas with the given ones, one per descriptor: a
    /// name the user gave (`--vmalloc`) wins over a manifest's, which wins
    /// over a consumer's; names must be unique.
    private func merge(_ found: [NamedArea], _ named: [NamedArea]) throws(ImportError) -> [NamedArea] {
        func rank(_ area: NamedArea) -> Int {
            switch area.origin {
            case .named: return 2
            case .manifest: return 1
            case .consumer: return 0
            }
        }
        let candidates = found + named
        var winner: [UInt64: NamedArea] = [:]
        for area in candidates where winner[area.descriptorPhys].map({ rank($0) < rank(area) }) ?? true {
            winner[area.descriptorPhys] = area
        }
        // Two of one rank at one descriptor both stay: the restore names them as sharing it.
        let areas = candidates.filter { area in winner[area.descriptorPhys].map { rank($0) == rank(area) } ?? false }
        var names: Set<String> = []
        for area in areas where !names.insert(area.name).inserted { throw .duplicateAreaName(area.name) }
        return areas
    }

    /// Restores every area through the image, as the next kernel would; no
    /// two areas may list the same block or chunk page.
    private func restore(_ areas: [NamedArea], heads: PreservedHeads) throws(ImportError) -> [ImportedArea] {
        let restorer = VmallocRestorer(geometry: geometry, read: { phys, count in try image.read(phys: phys, count: count) },
                                       heads: heads)
        var owners: [UInt64: String] = [:]
        var imported: [ImportedArea] = []
        for area in areas {
            let restored: RestoredArea
            do {
                restored = try restorer.restore(descriptorAt: area.descriptorPhys)
            } catch {
                throw .area(name: area.name, descriptorPhys: area.descriptorPhys, error)
            }
            for phys in restored.chunkPhys + restored.blockPhys {
                if let other = owners.updateValue(area.name, forKey: phys) {
                    throw .sharedBlock(phys: phys, area: area.name, otherArea: other)
                }
            }
            imported.append(ImportedArea(area: area, restored: restored))
        }
        return imported
    }

    /// The preserved block whose first bytes are the root FDT (the page
    /// `kho_alloc_preserve` gave it), if any.
    private func locateRootFDT(_ preserved: [PreservedBlock]) -> UInt64? {
        let header = Array(fdt.prefix(8))
        guard header.count == 8 else { return nil }
        return preserved.first { block in
            UInt64(fdt.count) <= geometry.bytes(order: block.order)
                && (try? image.read(phys: block.phys, count: header.count)) == header
                && (try? image.read(phys: block.phys, count: fdt.count)) == fdt
        }?.phys
    }
}
