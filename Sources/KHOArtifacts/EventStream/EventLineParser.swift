import Foundation
import KHOABI
import KHOLedger
import KHOMachine

/// Turns one line of JSON into a validated ``EventLine``: known kind and
/// fields, the right JSON types, `"0x…"` addresses, orders the page size
/// allows, aligned blocks inside the machine's RAM, base64 bytes of the
/// right length. Every failure names the field and the bad value.
struct EventLineParser {
    let machine: StreamMachine

    /// Blocks (expanded runs) and zero-filled pages one line may list.
    static let maxBlocksPerLine = 1 << 22

    static let topFields = ["kind", "generation", "time", "tid", "depth", "name", "args", "result", "error", "warnings",
                            "tracker", "restored", "frames", "zeroed", "writes", "descriptor", "chunks", "fdt", "blob", "machine"]

    private var geometry: PageGeometry { machine.geometry }

    /// The kind a line names, read before the rest (a boot line's `machine`
    /// decides how the rest is validated).
    static func kind(of fields: EventFields) throws(FieldError) -> MachineEvent.Kind {
        let name = try fields.require("kind", fields.string)
        guard let kind = MachineEvent.Kind(rawValue: name) else {
            throw FieldError("unknown kind \(name.debugDescription) (known: \(MachineEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return kind
    }

    /// The JSON object of a line.
    static func fields(of bytes: [UInt8], terminated: Bool) throws(FieldError) -> EventFields {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw FieldError(terminated ? error.description
                             : error.description.replacingOccurrences(of: " (cut off?)", with: "") + " (the stream ends without a newline: the line is cut off)")
        }
        return try EventFields(value, path: "")
    }

    /// Validates a line's fields.
    func parse(_ fields: EventFields, number: Int) throws(FieldError) -> EventLine {
        try fields.checkKnown(Self.topFields, what: "an event line")
        let kind = try Self.kind(of: fields)
        var event = MachineEvent(generation: 0, kind: kind, subject: try fields.kernelName("name"))
        if let text = try fields.string("time") {
            guard let time = LedgerTime(parsing: text, requiringZone: true) else {
                throw FieldError("time: \(text.debugDescription) is not an ISO-8601 time such as 2026-11-25T10:42:00.123Z")
            }
            event.time = time.date
        }
        let generation = try fields.integer("generation", in: 0 ... Int64(Int32.max)).map(Int.init)
        event.generation = generation ?? 0
        event.arguments = try arguments(kind, fields.object("args"))
        try outcome(fields, into: &event)

        var line = EventLine(number: number, event: event, generation: generation,
                             tid: try fields.integer("tid") ?? 0, depth: Int(try fields.integer("depth", in: 0 ... 16) ?? 0),
                             machine: nil, given: Set(EventLine.List.allCases.filter { fields.has($0.rawValue) }), writes: [])
        try lists(fields, into: &line)
        try attachments(fields, into: &line)
        return line
    }

    // MARK: arguments and outcome

    private func arguments(_ kind: MachineEvent.Kind, _ args: EventFields?) throws(FieldError) -> [(name: String, value: MachineEvent.Value)] {
        let specs = EventArgument.all(for: kind)
        guard let args else {
            if let missing = specs.first(where: \.required) { throw FieldError("missing field \"args.\(missing.name)\"") }
            return []
        }
        try args.checkKnown(specs.map(\.name), what: kind.rawValue)
        var result: [(name: String, value: MachineEvent.Value)] = []
        for spec in specs {
            let value: MachineEvent.Value?
            switch spec.type {
            case .address: value = try args.address(spec.name).map { .address($0) }
            case .count: value = try args.integer(spec.name).map { .count($0) }
            case .flag: value = try args.bool(spec.name).map { .flag($0) }
            case .countOrNull: value = args.fields[spec.name] == .null ? MachineEvent.Value.none : try args.integer(spec.name).map { .count($0) }
            case .text: value = try args.string(spec.name).map { .text($0) }
            }
            if let value { result.append((spec.name, value)) } else if spec.required { throw FieldError("missing field \"args.\(spec.name)\"") }
        }
        try checkArguments(kind, args)
        return result
    }

    /// Alignment and range of the arguments a tracker change is derived from.
    private func checkArguments(_ kind: MachineEvent.Kind, _ args: EventFields) throws(FieldError) {
        switch kind {
        case .preserveFolio, .unpreserveFolio, .freePages:
            let order = try orderValue(args, "order")
            _ = try block(phys: args.require("phys", args.address), order: order, path: "args.")
        case .unpreserveFree:
            if let order = try args.integer("order") {
                let phys = try args.require("phys", args.address)
                _ = try block(phys: phys, order: try orderValue(args, "order", value: order), path: "args.")
            }
        case .allocPages:
            _ = try orderValue(args, "order")
        case .preservePages, .unpreservePages, .restorePages:
            let phys = try args.require("phys", args.address)
            let pages = try args.require("nr_pages", { (name: String) throws(FieldError) in try args.integer(name, in: 1 ... Int64.max) })
            guard geometry.isAligned(phys, order: 0) else {
                throw FieldError("args.phys: \(hex(phys)) is not aligned to a \(geometry.pageSize)-byte page")
            }
            let (bytes, overflow) = UInt64(pages).multipliedReportingOverflow(by: UInt64(geometry.pageSize))
            guard !overflow, machine.contains(phys, bytes: bytes) else {
                throw FieldError("args: \(pages) pages at \(hex(phys)) lie outside RAM \(machine.rangeText)")
            }
        case .preserveVmalloc, .unpreserveVmalloc, .restoreVmalloc:
            let phys = try args.require("descriptor", args.address)
            guard machine.contains(phys, bytes: UInt64(VmallocDescriptor.size)) else {
                throw FieldError("args.descriptor: \(hex(phys)) lies outside RAM \(machine.rangeText)")
            }
        default:
            break
        }
    }

    private func outcome(_ fields: EventFields, into event: inout MachineEvent) throws(FieldError) {
        guard let value = fields.fields["result"] else { throw FieldError("missing field \"result\"") }
        let error = try fields.string("error")
        for warning in try fields.list("warnings", { (value: JSONValue, path: String) throws(FieldError) -> String in
            guard case .string(let text) = value else {
                throw FieldError("\(path.dropLast()): expected a string, found \(value.typeName) \(value.shown)")
            }
            return text
        }) ?? [] {
            event.arguments.append(("warning", .text(warning)))
        }
        let restores: Set<MachineEvent.Kind> = [.restoreFolio, .restorePages, .restoreVmalloc]
        switch value {
        case .string("ok"), .integer(0):
            guard error == nil else { throw FieldError("error: a call with result ok has no error") }
            return
        case .string("NULL"):
            guard restores.contains(event.kind) else {
                throw FieldError("result: NULL, but only restore_folio, restore_pages and restore_vmalloc return NULL")
            }
            event.outcome = .null(error ?? "NULL")
            return
        case .string(let name):
            guard name.hasPrefix("-") || name.hasPrefix("E"), let errno = KernelErrno(name: name) else {
                throw FieldError("result: \(name.debugDescription) is not ok, NULL or an errno KHO returns (\(Self.errnoNames))")
            }
            event.outcome = .errno(errno)
        case .integer(let number):
            guard number < 0, number >= Int64(Int32.min), let errno = KernelErrno(rawValue: Int32(-number)) else {
                throw FieldError("result: \(number) is not 0 or a negative errno KHO returns (\(Self.errnoNames))")
            }
            event.outcome = .errno(errno)
        default:
            throw FieldError("result: expected \"ok\", 0, \"NULL\" or an errno such as \"-EINVAL\" or -22, found \(value.typeName) \(value.shown)")
        }
        if let error { event.arguments.append(("error", .text(error))) }
    }

    private static var errnoNames: String { KernelErrno.allCases.map { "-\($0.name)" }.joined(separator: ", ") }

    // MARK: lists

    private func lists(_ fields: EventFields, into line: inout EventLine) throws(FieldError) {
        var budget = Self.maxBlocksPerLine
        if let changes = try fields.list("tracker", { (value: JSONValue, path: String) throws(FieldError) in
            let entry = try EventFields(value, path: path)
            try entry.checkKnown(["action", "phys", "order", "count"], what: "a tracker change")
            let action = try entry.require("action", entry.string)
            guard action == "add" || action == "remove" else {
                throw FieldError("\(path)action: \(action.debugDescription) is not \"add\" or \"remove\"")
            }
            return try run(entry, budget: &budget).map { MachineEvent.TrackerChange(block: $0, added: action == "add") }
        }) {
            line.event.tracker = changes.flatMap { $0 }
        }
        if let blocks = try fields.list("restored", { (value: JSONValue, path: String) throws(FieldError) in
            let entry = try EventFields(value, path: path)
            try entry.checkKnown(["phys", "order", "count"], what: "a restored block run")
            return try run(entry, budget: &budget)
        }) {
            line.event.restored = blocks.flatMap { $0 }
        }
        if let extents = try fields.list("frames", { (value: JSONValue, path: String) throws(FieldError) in
            let entry = try EventFields(value, path: path)
            try entry.checkKnown(["phys", "order", "count"], what: "a frame run")
            let blocks = try run(entry, budget: &budget)
            return BlockRun(phys: blocks[0].phys, order: blocks[0].order, count: blocks.count)
        }) {
            line.event.extents = extents
        }
        var pages = Self.maxBlocksPerLine
        if let zeroed = try fields.list("zeroed", { (value: JSONValue, path: String) throws(FieldError) in
            let entry = try EventFields(value, path: path)
            try entry.checkKnown(["phys", "order"], what: "a zero-filled block")
            let block = try block(phys: entry.require("phys", entry.address), order: orderValue(entry, "order"), path: path)
            pages -= 1 << min(block.order, 40)
            guard pages >= 0 else { throw FieldError("zeroed: more than \(Self.maxBlocksPerLine) pages on one line") }
            return block
        }) {
            line.event.zeroed = zeroed
        }
        if let writes = try fields.list("writes", { (value: JSONValue, path: String) throws(FieldError) in
            let entry = try EventFields(value, path: path)
            try entry.checkKnown(["phys", "bytes"], what: "a write")
            let phys = try entry.require("phys", entry.address)
            let bytes = try entry.require("bytes", entry.bytes)
            guard !bytes.isEmpty, machine.contains(phys, bytes: UInt64(bytes.count)) else {
                throw FieldError("\(path)bytes: \(bytes.count) bytes at \(hex(phys)) are empty or lie outside RAM \(machine.rangeText)")
            }
            return EventLine.Write(phys: phys, bytes: bytes)
        }) {
            line.writes = writes
        }
    }

    /// A run of `count` (default 1) contiguous blocks of `order` from `phys`, expanded.
    private func run(_ entry: EventFields, budget: inout Int) throws(FieldError) -> [PreservedBlock] {
        let phys = try entry.require("phys", entry.address)
        let order = try orderValue(entry, "order")
        let count = Int(try entry.integer("count", in: 1 ... Int64(Self.maxBlocksPerLine)) ?? 1)
        budget -= count
        guard budget >= 0 else { throw FieldError("\(entry.path)count: more than \(Self.maxBlocksPerLine) blocks on one line") }
        let size = geometry.bytes(order: order)
        let (bytes, overflow) = UInt64(count).multipliedReportingOverflow(by: size)
        guard !overflow, size > 0 else { throw FieldError("\(entry.path)count: \(count) blocks of order \(order) overflow 64-bit addresses") }
        let first = try block(phys: phys, order: order, path: entry.path, bytes: bytes)
        return (0 ..< UInt64(count)).map { PreservedBlock(phys: first.phys + $0 * size, order: order) }
    }

    /// An order field: 0 … the largest order the page size's tracker encodes.
    private func orderValue(_ fields: EventFields, _ name: String, value: Int64? = nil) throws(FieldError) -> Int {
        let order: Int64
        if let value {
            order = value
        } else {
            order = try fields.require(name) { (n: String) throws(FieldError) in try fields.integer(n, in: Int64.min ... Int64.max) }
        }
        guard (0 ... Int64(geometry.order0Log2)).contains(order) else {
            throw FieldError("\(fields.path)\(name): \(order) is outside 0…\(geometry.order0Log2), the orders of \(geometry.pageSize)-byte pages")
        }
        return Int(order)
    }

    /// A naturally aligned block inside RAM (`bytes` long, default one block).
    private func block(phys: UInt64, order: Int, path: String, bytes: UInt64? = nil) throws(FieldError) -> PreservedBlock {
        let size = geometry.bytes(order: order)
        guard size > 0, geometry.isAligned(phys, order: order) else {
            throw FieldError("\(path)phys: \(hex(phys)) is not aligned to an order-\(order) block of \(geometry.pageSize)-byte pages")
        }
        guard machine.contains(phys, bytes: bytes ?? size) else {
            throw FieldError("\(path)phys: the order-\(order) block at \(hex(phys)) lies outside RAM \(machine.rangeText)")
        }
        return PreservedBlock(phys: phys, order: order)
    }

    // MARK: descriptor, chunks, blobs

    private func attachments(_ fields: EventFields, into line: inout EventLine) throws(FieldError) {
        let kind = line.event.kind
        let vmallocKinds: Set<MachineEvent.Kind> = [.preserveVmalloc, .unpreserveVmalloc, .restoreVmalloc]
        func only(_ name: String, _ allowed: Bool, _ kinds: String) throws(FieldError) {
            if fields.has(name), !allowed { throw FieldError("\(name): only \(kinds) lines carry it, not \(kind.rawValue)") }
        }
        try only("descriptor", vmallocKinds.contains(kind), "preserve_vmalloc, unpreserve_vmalloc and restore_vmalloc")
        try only("chunks", vmallocKinds.contains(kind), "preserve_vmalloc, unpreserve_vmalloc and restore_vmalloc")
        try only("fdt", kind == .kexec, "kexec")
        try only("blob", kind == .addSubtree, "add_subtree")
        try only("machine", kind == .boot, "boot")
        if let descriptor = try fields.object("descriptor") {
            try descriptor.checkKnown(["phys", "first", "total_pages", "flags", "order"], what: "a descriptor")
            let phys: UInt64
            if let argument = line.argument("descriptor") {
                phys = argument
            } else {
                phys = try descriptor.require("phys", descriptor.address)
            }
            if let given = try descriptor.address("phys"), given != phys {
                throw FieldError("descriptor.phys: \(hex(given)) differs from args.descriptor \(hex(phys))")
            }
            let value = VmallocDescriptor(
                first: try descriptor.require("first", descriptor.address),
                totalPages: UInt32(try descriptor.require("total_pages", { (n: String) throws(FieldError) in try descriptor.integer(n, in: 0 ... Int64(UInt32.max)) })),
                flags: VmallocFlags(rawValue: UInt16(try descriptor.require("flags", { (n: String) throws(FieldError) in try descriptor.integer(n, in: 0 ... Int64(UInt16.max)) }))),
                order: UInt16(try orderValue(descriptor, "order")))
            guard kind != .preserveVmalloc || value.flags.isSubset(of: .supported) else {
                throw FieldError("descriptor.flags: \(hex(value.flags.rawValue)) has bits outside KHO_VMALLOC_ALLOC | KHO_VMALLOC_HUGE_VMAP (\(hex(VmallocFlags.supported.rawValue))), which kho_preserve_vmalloc never writes")
            }
            line.event.descriptor = (phys, value)
        }
        if let chunks = try fields.list("chunks", { (value: JSONValue, path: String) throws(FieldError) in
            let entry = try EventFields(value, path: path)
            try entry.checkKnown(["phys", "bytes"], what: "a chunk page")
            let phys = try entry.require("phys", entry.address)
            _ = try block(phys: phys, order: 0, path: path)
            let bytes = try entry.require("bytes", entry.bytes)
            guard bytes.count == geometry.pageSize else {
                throw FieldError("\(path)bytes: \(bytes.count) bytes, a chunk page has \(geometry.pageSize)")
            }
            return (phys, bytes)
        }) {
            line.event.chunks = chunks.enumerated().map { MachineEvent.Chunk(index: $0.offset, phys: $0.element.0, bytes: $0.element.1) }
            line.given.insert(.chunks)
        }
        if let fdt = try fields.bytes("fdt") {
            do {
                _ = try FlattenedDeviceTree(bytes: fdt)
            } catch {
                throw FieldError("fdt: not a flattened device tree: \(error)")
            }
            line.event.fdt = fdt
        }
        line.event.blob = try fields.bytes("blob")
        line.machine = try fields.object("machine")
    }
}
