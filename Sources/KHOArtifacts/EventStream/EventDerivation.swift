import KHOABI
import KHOMachine

/// Fills in what a line leaves out but its arguments and nested calls
/// determine, so that a trace that only sees arguments (a bpftrace script)
/// records the same tracker changes, frames and chunk pages as the emulator.
///
/// A list the line gives itself is never replaced. Otherwise:
/// - tracker changes and restored blocks are those of the nested calls, in
///   order, or without nested calls follow from the call's own arguments
///   (preserve/unpreserve of a folio or page range, alloc_preserve,
///   unpreserve_free with an order, restore_pages);
/// - a successful preserve_vmalloc or restore_vmalloc with a `descriptor`
///   and nested kho_preserve_pages / kho_restore_pages calls gets its
///   blocks and chunk pages from the order of those calls (chunk 0, then
///   blocks with a new chunk after every full chunk; restores list each
///   chunk's blocks before the chunk page); the chunk pages' bytes follow
///   exactly (next pointer, zero-terminated block list), and the
///   descriptor's 16 bytes become a write at its address;
/// - frames (the object's layout) follow from the arguments or the blocks;
///   alloc_preserve zero-fills its folio.
struct EventDerivation {
    let machine: StreamMachine

    private var geometry: PageGeometry { machine.geometry }

    /// Completes `line`, whose nested calls are already complete.
    func derive(_ line: inout EventLine) throws(FieldError) {
        let ok = line.isOK
        if !line.given.contains(.tracker) {
            line.event.tracker = line.nested.isEmpty ? (ok ? try ownTracker(line) : []) : line.nested.flatMap(\.event.tracker)
        }
        if !line.given.contains(.restored) {
            line.event.restored = line.nested.isEmpty ? (ok ? try ownRestored(line) : []) : line.nested.flatMap(\.event.restored)
        }
        guard ok else { return }
        if [.preserveVmalloc, .restoreVmalloc].contains(line.event.kind), line.event.descriptor == nil {
            throw FieldError("descriptor: a successful \(line.event.kind.rawValue) needs its descriptor (first, total_pages, flags, order)")
        }
        if line.event.kind == .allocPreserve, line.argument("result") == nil,
           let phys = line.nested.lazy.compactMap({ $0.argument("phys") }).first {
            line.event.arguments.insert(("result", .address(phys)), at: min(1, line.event.arguments.count))
        }
        if [.preserveVmalloc, .restoreVmalloc].contains(line.event.kind), let (phys, descriptor) = line.event.descriptor {
            if !line.nested.isEmpty { try vmallocLayout(&line, descriptor: descriptor) }
            if !line.given.contains(.writes) { line.writes = [.init(phys: phys, bytes: descriptor.encode())] }
        }
        if !line.given.contains(.frames), line.event.extents.isEmpty {
            let blocks = try ownFrames(line) ?? line.nested.flatMap { $0.event.extents }.flatMap(expand)
            line.event.extents = BlockRun.runs(of: blocks, geometry: geometry)
        }
        if !line.given.contains(.zeroed), line.event.kind == .allocPreserve, let block = try allocatedFolio(line) {
            line.event.zeroed = [block]
        }
    }

    // MARK: from the call's own arguments

    private func ownTracker(_ line: EventLine) throws(FieldError) -> [MachineEvent.TrackerChange] {
        let kind = line.event.kind
        switch kind {
        case .preserveFolio, .unpreserveFolio:
            guard let block = folio(line) else { return [] }
            return [.init(block: block, added: kind == .preserveFolio)]
        case .preservePages, .unpreservePages:
            return try pageRange(line).map { .init(block: $0, added: kind == .preservePages) }
        case .allocPreserve:
            return try allocatedFolio(line).map { [.init(block: $0, added: true)] } ?? []
        case .unpreserveFree:
            return folio(line).map { [.init(block: $0, added: false)] } ?? []
        default:
            return []
        }
    }

    private func ownRestored(_ line: EventLine) throws(FieldError) -> [PreservedBlock] {
        switch line.event.kind {
        case .restorePages: return try pageRange(line)
        case .restoreFolio, .restoreFree: return line.event.extents.flatMap(expand)
        default: return []
        }
    }

    private func ownFrames(_ line: EventLine) throws(FieldError) -> [PreservedBlock]? {
        switch line.event.kind {
        case .preserveFolio: return folio(line).map { [$0] }
        case .preservePages: return try pageRange(line)
        case .allocPreserve: return try allocatedFolio(line).map { [$0] }
        case .allocPages:
            guard let phys = line.argument("result"), let order = line.argument("order") else { return nil }
            return [PreservedBlock(phys: phys, order: Int(order))]
        case .restorePages, .restoreFolio: return line.event.restored
        default: return nil
        }
    }

    private func folio(_ line: EventLine) -> PreservedBlock? {
        guard let phys = line.argument("phys"), let order = line.argument("order") else { return nil }
        return PreservedBlock(phys: phys, order: Int(order))
    }

    private func pageRange(_ line: EventLine) throws(FieldError) -> [PreservedBlock] {
        guard let phys = line.argument("phys"), let pages = line.argument("nr_pages") else { return [] }
        do {
            return try PageRangeSplitter.blocks(phys: phys, pages: pages, geometry: geometry)
        } catch {
            throw FieldError("args: \(error)")
        }
    }

    /// The folio a successful alloc_preserve returned: order get_order(size),
    /// which the kernel caps at MAX_PAGE_ORDER.
    private func allocatedFolio(_ line: EventLine) throws(FieldError) -> PreservedBlock? {
        guard let phys = line.argument("result"), let size = line.argument("size") else { return nil }
        let order = geometry.order(forSize: size)
        guard order <= machine.effectiveMaxPageOrder else {
            throw FieldError("args.size: \(size) bytes need order \(order), above MAX_PAGE_ORDER \(machine.effectiveMaxPageOrder): kho_alloc_preserve returns -E2BIG for it, not ok")
        }
        guard geometry.isAligned(phys, order: order), machine.contains(phys, bytes: geometry.bytes(order: order)) else {
            throw FieldError("args.result: \(hex(phys)) is not an order-\(order) folio inside RAM \(machine.rangeText)")
        }
        return PreservedBlock(phys: phys, order: order)
    }

    private func expand(_ extent: BlockRun) -> [PreservedBlock] {
        (0 ..< UInt64(extent.count)).map { PreservedBlock(phys: extent.phys + $0 * geometry.bytes(order: extent.order), order: extent.order) }
    }

    // MARK: vmalloc layout from nested calls

    /// Splits the nested page-range calls of a vmalloc preserve or restore
    /// into chunk pages and blocks, and rebuilds the chunk pages' bytes.
    private func vmallocLayout(_ line: inout EventLine, descriptor: VmallocDescriptor) throws(FieldError) {
        let isPreserve = line.event.kind == .preserveVmalloc
        let callKind: MachineEvent.Kind = isPreserve ? .preservePages : .restorePages
        var calls: [(phys: UInt64, pages: UInt64)] = []
        for call in line.nested {
            guard call.event.kind == callKind, call.isOK, let phys = call.argument("phys"), let pages = call.argument("nr_pages") else {
                throw FieldError("nested call on line \(call.number) is \(call.event.kind.rawValue) (\(call.event.outcome)); a successful \(line.event.kind.rawValue) makes only successful \(callKind.rawValue) calls")
            }
            calls.append((phys, pages))
        }
        let k = geometry.vmallocChunkEntries
        let blockCount = descriptor.blockCount
        let contig = UInt64(1) << UInt64(descriptor.order)
        let mismatch = FieldError("the \(calls.count) nested \(callKind.rawValue) calls do not fit descriptor total_pages \(descriptor.totalPages) order \(descriptor.order): expected \(blockCount) blocks of \(contig) pages and \(blockCount / k + 1) chunk pages")
        var cursor = 0
        func take(_ pages: UInt64) throws(FieldError) -> UInt64 {
            guard cursor < calls.count, calls[cursor].pages == pages else { throw mismatch }
            cursor += 1
            return calls[cursor - 1].phys
        }
        var chunks: [UInt64] = []
        var groups: [[UInt64]] = []
        if isPreserve {
            // Chunk 0, then the blocks, with a new chunk as soon as one is full.
            chunks.append(try take(1))
            groups.append([])
            for index in 0 ..< blockCount {
                groups[groups.count - 1].append(try take(contig))
                if (index + 1) % k == 0 {
                    chunks.append(try take(1))
                    groups.append([])
                }
            }
        } else {
            // Each chunk's blocks, then the chunk page itself, to the end of the chain.
            var remaining = blockCount
            repeat {
                var group: [UInt64] = []
                for _ in 0 ..< min(k, remaining) { group.append(try take(contig)) }
                remaining -= group.count
                groups.append(group)
                chunks.append(try take(1))
            } while cursor < calls.count
            guard remaining == 0 else { throw mismatch }
        }
        guard cursor == calls.count else { throw mismatch }
        guard chunks[0] == descriptor.first else {
            throw FieldError("descriptor.first \(hex(descriptor.first)) is not the first chunk page \(hex(chunks[0])) the nested calls name")
        }
        if !line.given.contains(.chunks) {
            line.event.chunks = []
            for (index, phys) in chunks.enumerated() {
                let next = index + 1 < chunks.count ? chunks[index + 1] : 0
                do {
                    let bytes = try VmallocChunk(next: next, entries: groups[index]).encode(geometry: geometry)
                    line.event.chunks.append(.init(index: index, phys: phys, bytes: bytes))
                } catch {
                    throw FieldError("chunk \(index) at \(hex(phys)): \(error)")
                }
            }
        }
        if !line.given.contains(.frames) {
            let blocks = groups.flatMap { $0 }.map { PreservedBlock(phys: $0, order: Int(descriptor.order)) }
            line.event.extents = BlockRun.runs(of: blocks, geometry: geometry)
        }
    }
}
