import KHOABI
import KHOMachine

/// The machine a stream was captured on: page size, ABI, RAM, and
/// MAX_PAGE_ORDER. It comes from the `machine` object of the stream's first
/// boot line, else from the command line, else the defaults (4 KiB pages,
/// kho-v3, 52-bit physical addresses from 0).
public struct StreamMachine: Equatable, Sendable {
    /// Page size and the layouts that follow from it.
    public var geometry: PageGeometry
    /// The handover ABI generation.
    public var abi: ABIGeneration
    /// Physical address of the first byte of RAM.
    public var memoryBase: UInt64
    /// Bytes of RAM.
    public var memorySize: UInt64
    /// `MAX_PAGE_ORDER`, nil for the page size's typical value.
    public var maxPageOrder: Int?

    /// RAM when the stream does not say: every 52-bit physical address.
    public static let defaultMemorySize: UInt64 = 1 << 52

    /// A machine; the defaults are those of a stream that does not say.
    public init(geometry: PageGeometry = .kib4, abi: ABIGeneration = .v3, memoryBase: UInt64 = 0,
                memorySize: UInt64 = defaultMemorySize, maxPageOrder: Int? = nil) {
        self.geometry = geometry
        self.abi = abi
        self.memoryBase = memoryBase
        self.memorySize = memorySize
        self.maxPageOrder = maxPageOrder
    }

    /// Bytes per page.
    public var pageSize: Int { geometry.pageSize }

    /// The configuration the ledger stores for recorded generations.
    var config: MachineConfig {
        var config = MachineConfig()
        config.pageSize = pageSize
        config.abi = abi
        config.memoryBase = memoryBase
        config.memorySize = memorySize
        config.maxPageOrder = maxPageOrder
        return config
    }

    /// Reads a line's `machine` object over `defaults`.
    init(_ fields: EventFields, defaults: StreamMachine) throws(FieldError) {
        try fields.checkKnown(["page_size", "abi", "memory_base", "memory_size", "max_page_order"], what: "machine")
        self = defaults
        if let size = try fields.integer("page_size") {
            guard let geometry = try? PageGeometry(pageSize: Int(size)) else {
                throw FieldError("\(fields.path)page_size: \(size) is not 4096, 16384 or 65536")
            }
            self.geometry = geometry
        }
        if let name = try fields.string("abi") {
            guard let abi = ABIGeneration(rawValue: name) else {
                throw FieldError("\(fields.path)abi: \(name.debugDescription) is not one of \(ABIGeneration.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.abi = abi
        }
        memoryBase = try fields.address("memory_base") ?? memoryBase
        memorySize = try fields.integer("memory_size", in: 1 ... Int64.max).map(UInt64.init) ?? memorySize
        guard memoryBase % UInt64(pageSize) == 0, memorySize % UInt64(pageSize) == 0,
              !memoryBase.addingReportingOverflow(memorySize).overflow else {
            throw FieldError("\(fields.path)memory_base \(hex(memoryBase)) and memory_size \(memorySize) must be whole pages below 2^64")
        }
        maxPageOrder = try fields.integer("max_page_order", in: 0 ... Int64(geometry.order0Log2)).map(Int.init) ?? maxPageOrder
    }

    /// `MAX_PAGE_ORDER` in force.
    var effectiveMaxPageOrder: Int { maxPageOrder ?? geometry.maxPageOrder }

    /// True when [phys, phys + bytes) lies in RAM.
    func contains(_ phys: UInt64, bytes: UInt64) -> Bool {
        let (end, overflow) = phys.addingReportingOverflow(bytes)
        return !overflow && phys >= memoryBase && end <= memoryBase + memorySize
    }

    /// `[0x…, 0x…)`, for messages.
    var rangeText: String { "[\(hex(memoryBase)), \(hex(memoryBase + memorySize)))" }
}
