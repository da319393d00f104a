import KHOABI

/// An emulated KHO machine: physical memory, a page allocator, vmalloc, the
/// KHO preservation API with the kernel's semantics and errno values, the
/// radix tracker in emulated pages, the root FDT, and `kexec` into the next
/// generation.
///
/// Every call emits one ``MachineEvent`` to `onEvent`, whether it succeeds or
/// not. The machine never stores events itself.
public final class KHOMachine {
    public let config: MachineConfig
    public let geometry: PageGeometry
    /// `MAX_PAGE_ORDER` of the emulated kernel.
    public let maxPageOrder: Int
    public let scratch: [MemoryRange]
    /// Boot number: 0 for the cold boot, +1 per kexec.
    public internal(set) var generation = 0
    public internal(set) var memory: PhysicalMemory
    public internal(set) var allocator: FrameAllocator
    /// vmalloc areas of this generation, by name.
    public internal(set) var areas: [String: VmallocArea] = [:]
    /// Orders of folios allocated (or restored) in this generation, by phys.
    public internal(set) var folios: PageOrderTable
    /// Folio sets of this generation (the folios of a file, allocated
    /// together by ``allocFolios(count:order:name:)``), by name.
    public internal(set) var folioSets: [String: FolioSet] = [:]
    /// Physical address of this generation's tracker: the radix root, or
    /// (kho-v1) the first `khoser_mem_chunk` once the kexec serialized it.
    public internal(set) var trackerRoot: UInt64 = 0
    /// The kho-v1 bitmap bookkeeping of this generation (nil for radix ABIs).
    public internal(set) var bitmaps: BitmapTracker?
    /// The slab page v1a bitmaps (512-byte objects) are carved from, and
    /// how many objects it already holds.
    var bitmapSlab: (page: UInt64, objects: Int)?
    /// 6.16 – 6.18: the subtrees consumers add in the finalize notifier, in
    /// call order; the root FDT is written whole at the kexec.
    public internal(set) var finalizeSubtrees: [KHOSubtree] = []
    /// Physical address of this generation's root FDT page.
    public internal(set) var fdtPhys: UInt64 = 0
    /// The outgoing root FDT.
    public internal(set) var rootFDT: KHORootFDTPage
    /// What the previous generation handed over; nil after a cold boot.
    public internal(set) var incoming: IncomingHandover?
    /// The `liveupdate-number` this generation's LUO writes (`luo_fdt_setup`):
    /// the incoming LUO FDT's number + 1, 1 after a cold boot.
    public internal(set) var liveUpdateNumber: UInt64 = 1
    /// This generation's LUO, when the machine boots with `liveupdate`.
    var liveUpdate: LiveUpdateState?
    /// Receives every event.
    public var onEvent: (MachineEvent) -> Void
    /// Blocks zero-filled by allocations during the current call.
    var zeroedInCall: [PreservedBlock] = []

    /// Builds and cold-boots a machine.
    public init(config: MachineConfig, onEvent: @escaping (MachineEvent) -> Void = { _ in }) throws(MachineError) {
        try config.validate()
        self.config = config
        geometry = try config.geometry()
        maxPageOrder = config.effectiveMaxPageOrder(geometry)
        scratch = config.scratchAreas(geometry)
        let ram = MemoryRange(address: config.memoryBase, size: config.memorySize)
        memory = PhysicalMemory(geometry: geometry, range: ram)
        allocator = FrameAllocator(geometry: geometry, range: ram, scratch: scratch, seed: config.seed)
        folios = PageOrderTable(geometry: geometry)
        rootFDT = try Self.emptyRoot(config.abi, geometry: geometry)
        self.onEvent = onEvent
        try boot(incoming: nil)
    }

    static func emptyRoot(_ abi: ABIGeneration, geometry: PageGeometry, map: UInt64 = 0) throws(MachineError) -> KHORootFDTPage {
        do {
            return try KHORootFDTPage(generation: abi, preservedMemoryMap: map, pageSize: geometry.pageSize)
        } catch {
            throw .abi(error.description)
        }
    }

    // MARK: helpers shared by the call implementations

    /// Allocates a zero-filled block.
    func allocateZeroed(order: Int) -> UInt64? {
        guard let phys = allocator.allocate(order: order) else { return nil }
        memory.zero(phys, pageCount: 1 << UInt64(order))
        zeroedInCall.append(PreservedBlock(phys: phys, order: order))
        return phys
    }

    /// The radix tracker of this generation.
    var tracker: RadixTracker {
        RadixTracker(geometry: geometry, rootPhys: trackerRoot, depthFormula: config.depthFormula)
    }

    /// NUMA node of a pfn, when NUMA is modelled.
    var numaNode: ((UInt64) -> Int)? {
        guard let size = config.numaNodeSize else { return nil }
        let basePfn = config.memoryBase >> UInt64(geometry.pageShift)
        let pagesPerNode = size >> UInt64(geometry.pageShift)
        return { pfn in Int((pfn &- basePfn) / pagesPerNode) }
    }

    /// Emits `event` to the sink.
    func emit(_ event: MachineEvent) { onEvent(event) }

    /// The walk of this generation's tracker as the next kernel will see it.
    public func preservedBlocks() throws(MachineError) -> [PreservedBlock] {
        var blocks: [PreservedBlock] = []
        try forEachPreservedBlock { blocks.append($0) }
        return blocks
    }

    /// ``preservedBlocks()`` one block at a time, in walk order, without the list.
    func forEachPreservedBlock(_ visit: (PreservedBlock) -> Void) throws(MachineError) {
        do {
            if let bitmaps {
                for block in try bitmaps.blocks(read: memory.reader) { visit(block) }
            } else {
                try RadixTrackerWalker(geometry: geometry, rootPhys: trackerRoot, depthFormula: config.depthFormula)
                    .forEachBlock(read: memory.reader, visit)
            }
        } catch {
            throw .abi("tracker walk failed: \(error)")
        }
    }
}
