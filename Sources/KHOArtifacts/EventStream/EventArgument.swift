import KHOMachine

/// One argument a kind of call takes in an event line's `args`, named as
/// the emulator names it, so recorded and simulated ledgers read alike.
struct EventArgument {
    /// How the value is written in JSON.
    enum ValueType {
        /// A `"0x…"` string.
        case address
        /// A non-negative integer.
        case count
        /// true or false.
        case flag
        /// A non-negative integer, or null when there is none (recorded as `-`).
        case countOrNull
        /// A string.
        case text
    }

    let name: String
    let type: ValueType
    let required: Bool

    private init(_ name: String, _ type: ValueType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }

    /// The arguments of `kind`, in the order the emulator records them.
    static func all(for kind: MachineEvent.Kind) -> [EventArgument] {
        switch kind {
        case .boot:
            return [.init("incoming_fdt", .address), .init("incoming_blocks", .count), .init("previous_release", .text),
                    .init("kexec_count", .count), .init("tracker", .address), .init("fdt", .address)]
        case .vmalloc:
            return [.init("size", .count, required: true), .init("huge", .flag), .init("vmap", .flag), .init("order", .count)]
        case .vfree:
            return []
        case .write:
            return [.init("offset", .count), .init("phys", .address), .init("length", .count, required: true)]
        case .allocPages:
            return [.init("order", .count, required: true), .init("result", .address)]
        case .allocFolios, .preserveFolios, .unpreserveFolios:
            return [.init("order", .count, required: true), .init("nr_folios", .count, required: true)]
        case .freePages, .preserveFolio, .unpreserveFolio:
            return [.init("phys", .address, required: true), .init("order", .count, required: true)]
        case .preservePages, .unpreservePages, .restorePages:
            return [.init("phys", .address, required: true), .init("nr_pages", .count, required: true)]
        case .preserveVmalloc, .unpreserveVmalloc, .restoreVmalloc:
            return [.init("descriptor", .address, required: true)]
        case .allocPreserve:
            return [.init("size", .count, required: true), .init("result", .address)]
        case .unpreserveFree:
            return [.init("phys", .address, required: true), .init("order", .count)]
        case .restoreFree, .restoreFolio, .removeSubtree:
            return [.init("phys", .address, required: true)]
        case .addSubtree:
            return [.init("phys", .address, required: true), .init("size", .count, required: true)]
        case .retrieveSubtree:
            return [.init("result", .address), .init("size", .countOrNull)]
        case .kexec:
            return [.init("fdt", .address), .init("tracker", .address), .init("preserved_blocks", .count), .init("tracker_pages", .count)]
        }
    }
}
