import KHOABI

/// How an emulated machine is built: memory, page size, randomness, scratch
/// areas and which kernel behaviour it follows.
public struct MachineConfig: Hashable, Sendable, Codable {
    /// Bytes per page: 4096, 16384 or 65536.
    public var pageSize: Int = 4096
    /// Physical address of the first byte of RAM (default 4 GiB, so that
    /// physical address 0 is never a page).
    public var memoryBase: UInt64 = 0x1_0000_0000
    /// Bytes of RAM.
    public var memorySize: UInt64 = 256 << 20

    /// The largest memory a machine emulates (4 TiB: a frame bitmap of
    /// 128 MiB at 4 KiB pages).
    public static let maximumMemorySize: UInt64 = 4 << 40
    /// Seed of the frame allocator and of random fills.
    public var seed: UInt64 = 1
    /// Scratch areas; `nil` places one area of 1/16 of memory (whole pages) at its top.
    public var scratch: [MemoryRange]? = nil
    /// The kernel release the machine behaves like. `nil` only in
    /// configurations stored before releases were modelled: such a machine
    /// follows its ``abi`` alone and adds no `kexec-metadata` subtree.
    public var kernel: KernelRelease? = .latest
    /// An explicit handover ABI overriding the release's (radix generations:
    /// v2, v3, v4, v4c; a kho-v1 variant only as the release's own); `nil`
    /// follows ``kernel``.
    public var abiOverride: ABIGeneration? = nil
    /// The radix depth formula (the original one is broken at 16 KiB pages).
    public var depthFormula: RadixDepthFormula = .fixed
    /// When set, NUMA node = (phys − base) / numaNodeSize, and preserve and
    /// unpreserve split ranges at node boundaries (7.1+ behaviour).
    public var numaNodeSize: UInt64? = nil
    /// `CONFIG_KEXEC_HANDOVER_DEBUG`: reject preservations overlapping scratch.
    public var scratchOverlapCheck: Bool = true
    /// `MAX_PAGE_ORDER`; `nil` uses the page size's typical value.
    public var maxPageOrder: Int? = nil
    /// The kernel's `liveupdate` boot parameter (off by default, as in the
    /// kernel): every boot then sets up LUO (`luo_late_startup`), which
    /// creates and hands over its `LUO` subtree whether or not anything is
    /// preserved through it, and LUO consumers (memfd) can be used.
    public var liveUpdate: Bool = false

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case pageSize, memoryBase, memorySize, seed, scratch, kernel
        case abiOverride = "abi"
        case depthFormula, numaNodeSize, scratchOverlapCheck, maxPageOrder, liveUpdate
    }

    /// Decodes a stored configuration; keys added later (`liveUpdate`) may be
    /// missing from configurations stored before them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pageSize = try c.decode(Int.self, forKey: .pageSize)
        memoryBase = try c.decode(UInt64.self, forKey: .memoryBase)
        memorySize = try c.decode(UInt64.self, forKey: .memorySize)
        seed = try c.decode(UInt64.self, forKey: .seed)
        scratch = try c.decodeIfPresent([MemoryRange].self, forKey: .scratch)
        kernel = try c.decodeIfPresent(KernelRelease.self, forKey: .kernel)
        abiOverride = try c.decodeIfPresent(ABIGeneration.self, forKey: .abiOverride)
        depthFormula = try c.decode(RadixDepthFormula.self, forKey: .depthFormula)
        numaNodeSize = try c.decodeIfPresent(UInt64.self, forKey: .numaNodeSize)
        scratchOverlapCheck = try c.decode(Bool.self, forKey: .scratchOverlapCheck)
        maxPageOrder = try c.decodeIfPresent(Int.self, forKey: .maxPageOrder)
        liveUpdate = try c.decodeIfPresent(Bool.self, forKey: .liveUpdate) ?? false
    }

    /// The handover ABI generation: the override, else the release's.
    /// Setting it sets the override.
    public var abi: ABIGeneration {
        get { abiOverride ?? kernel?.abi ?? .v3 }
        set { abiOverride = newValue }
    }

    /// True when the root FDT is written whole at the kexec (6.16 – 6.18).
    public var writesRootFDTAtFinalize: Bool { abi.bitmapVariant != nil && kernel?.writesRootFDTAtFinalize == true }

    /// True when every boot adds the `kexec-metadata` subtree (7.1+ kernels
    /// on a kho-v3 or later ABI).
    public var writesKexecMetadata: Bool { kernel != nil && abi.addsKexecMetadata }

    /// What the machine's kernel calls its scratch areas when it hands
    /// them over: ``KernelRelease/bootMemoryName`` ("bootmem" from 7.4); a
    /// configuration without a release predates the rename.
    public var bootMemoryName: String { (kernel ?? .v7_3).bootMemoryName }

    /// The page geometry, validated.
    public func geometry() throws(MachineError) -> PageGeometry {
        do {
            return try PageGeometry(pageSize: pageSize)
        } catch {
            throw .invalidConfiguration(error.description)
        }
    }

    /// The effective `MAX_PAGE_ORDER`.
    public func effectiveMaxPageOrder(_ geometry: PageGeometry) -> Int { maxPageOrder ?? geometry.maxPageOrder }

    /// The effective scratch areas.
    public func scratchAreas(_ geometry: PageGeometry) -> [MemoryRange] {
        if let scratch { return scratch }
        let page = UInt64(geometry.pageSize)
        let size = max(page, memorySize / 16 / page * page)
        return size < memorySize ? [MemoryRange(address: memoryBase + memorySize - size, size: size)] : []
    }

    /// Checks that the machine can be built; throws naming the bad value.
    public func validate() throws(MachineError) {
        let g = try geometry()
        if let abiOverride, abiOverride.bitmapVariant != nil, abiOverride != kernel?.abi {
            throw .invalidConfiguration("ABI \(abiOverride.rawValue) is the kho-v1 bitmap tracker, which a kernel release chooses: "
                + "set machine.kernel to " + KernelRelease.producing(abiOverride).map { "\"\($0)\"" }.joined(separator: " or "))
        }
        let order = effectiveMaxPageOrder(g)
        guard (0...g.order0Log2).contains(order) else {
            throw .invalidConfiguration("max page order \(order) is out of range")
        }
        let granule = g.bytes(order: order)
        guard memoryBase % granule == 0, memoryBase != 0 else {
            throw .invalidConfiguration("memory base \(hex(memoryBase)) must be non-zero and aligned to \(hex(granule)) (a max-order block)")
        }
        guard memorySize > 0, memorySize % UInt64(g.pageSize) == 0, !memoryBase.addingReportingOverflow(memorySize).overflow else {
            throw .invalidConfiguration("memory size \(memorySize) must be a non-zero multiple of the page size")
        }
        guard memorySize <= Self.maximumMemorySize else {
            throw .invalidConfiguration("memory size \(memorySize >> 30) GiB is above the emulator's limit of \(Self.maximumMemorySize >> 40) TiB "
                                        + "(it keeps a bit per page frame and every page written)")
        }
        for area in scratchAreas(g) {
            guard area.size > 0, area.address % UInt64(g.pageSize) == 0, area.size % UInt64(g.pageSize) == 0,
                  area.address >= memoryBase, area.end <= memoryBase + memorySize else {
                throw .invalidConfiguration("scratch area \(area) must be page aligned and inside memory \(MemoryRange(address: memoryBase, size: memorySize))")
            }
        }
        if liveUpdate, let kernel, kernel.liveUpdateFormat != .fdtV1 {
            let emulated = KernelRelease.allCases.filter { $0.liveUpdateFormat == .fdtV1 }.map(\.rawValue)
            throw .invalidConfiguration("liveupdate: Linux \(kernel)'s LUO "
                + (kernel.liveUpdateFormat.map { "(\($0.rawValue)) is not emulated" } ?? "does not exist")
                + "; use kernel " + emulated.joined(separator: " or "))
        }
        if let numaNodeSize, numaNodeSize == 0 || numaNodeSize % UInt64(g.pageSize) != 0 {
            throw .invalidConfiguration("NUMA node size \(numaNodeSize) must be a non-zero multiple of the page size")
        }
    }
}
