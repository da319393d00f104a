import Foundation
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

/// What the emulator itself says right after one operation, in the terms
/// of ``AsOfState``, so the two can be compared.
struct EmulatorView: Equatable, CustomStringConvertible {
    struct Area: Hashable {
        var kind: ObjectKind
        var name: String
        var descriptorPhys: UInt64
        var firstChunk: UInt64
        var totalPages: UInt64
        var order: Int
        var flags: UInt16
    }

    struct Object: Hashable {
        var kind: ObjectKind
        var phys: UInt64
        var totalPages: UInt64
    }

    struct Subtree: Hashable {
        var direction: AsOfState.Subtree.Direction
        var name: String
        var phys: UInt64
        var size: UInt64?
    }

    var seq: Int64
    var generation: Int64
    var memorySize: UInt64
    var preserved: Set<PreservedBlock>
    var areas: Set<Area>
    var objects: Set<Object>
    var subtrees: Set<Subtree>
    /// Captured at a kexec, before the next generation boots.
    var isHandover = false

    var description: String {
        "seq \(seq) gen \(generation): \(preserved.count) blocks, areas \(areas.map(\.name).sorted()), "
            + "\(objects.count) objects, subtrees \(subtrees.map(\.name).sorted())"
    }
}

extension EmulatorView {
    /// The same facts, as the ledger answers them.
    init(_ state: AsOfState, isHandover: Bool) {
        seq = state.seq
        generation = state.generation
        memorySize = state.memorySize
        preserved = Set(state.preserved)
        areas = Set(state.areas.map {
            Area(kind: $0.kind, name: $0.name, descriptorPhys: $0.descriptorPhys, firstChunk: $0.firstChunk,
                 totalPages: $0.totalPages, order: $0.order, flags: $0.flags)
        })
        objects = Set(state.objects.map { Object(kind: $0.kind, phys: $0.phys, totalPages: $0.totalPages) })
        subtrees = Set(state.subtrees.map { Subtree(direction: $0.direction, name: $0.name, phys: $0.phys, size: $0.size) })
        self.isHandover = isHandover
    }
}

/// A seeded random run of an emulated machine across several kexecs,
/// recorded into a ledger, with the emulator's view captured after random
/// calls, at every kexec and right after it. Every random step makes at
/// least one call, so the picked calls all happen.
///
/// The machine knows its tracker, areas and root FDT; which calls preserved
/// which object (descriptor addresses, folios, page ranges, blobs) is
/// bookkeeping of this driver, as it is of a real kernel's callers.
final class RandomLedgerRun {
    let ledger: Ledger
    let machine: KHOMachine
    /// The captured views, in seq order.
    private(set) var views: [EmulatorView] = []

    private let recorder: LedgerRecorder
    private let events: EventCounter
    private var captureFailure: Error?
    private var random: SplitMix64
    private var names = 0
    /// Calls made so far, and after which of them to capture the view.
    private var calls = 0
    private var capturePoints: Set<Int> = []
    private var preservedAreas: [String: UInt64] = [:]
    private var restoredAreas: [String: UInt64] = [:]
    private var objects: [EmulatorView.Object] = []
    private var subtrees: [UInt64] = []
    /// What the previous generation handed over: descriptors, folios.
    private var handedAreas: [UInt64] = []
    private var handedFolios: [UInt64] = []

    init(seed: UInt64, pageSize: Int, path: String) throws {
        var config = MachineConfig()
        config.pageSize = pageSize
        config.memorySize = 64 << 20
        config.seed = seed
        random = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D)
        ledger = try Ledger(path: path)
        let recorder = try LedgerRecorder(ledger: ledger, config: config, batchSize: 16)
        self.recorder = recorder
        let events = EventCounter(recorder.eventSink)
        self.events = events
        machine = try KHOMachine(config: config, onEvent: events.receive)
        events.onKexec = { [unowned self] in
            do { views.append(try capture(isHandover: true)) } catch { captureFailure = captureFailure ?? error }
        }
    }

    /// Runs `generations` generations of `operations` random calls each,
    /// a kexec after each but the last, then flushes the ledger. Captures
    /// the view after `points` calls picked at random.
    func run(generations: Int, operations: Int, points: Int = 6) throws {
        var picks: Set<Int> = []
        while picks.count < min(points, generations * operations) {
            picks.insert(1 + Int(random.next() % UInt64(generations * operations)))
        }
        capturePoints = picks
        for generation in 0..<generations {
            if generation > 0 { try restoreHandover() }
            for _ in 0..<operations {
                let before = calls
                try randomCall()
                if calls == before { try newBlob() }
            }
            if generation < generations - 1 { try kexec() }
        }
        try recorder.flush()
        if let failure = recorder.failure ?? captureFailure { throw failure }
    }

    private var pageSize: Int { machine.geometry.pageSize }

    private func nextName(_ prefix: String) -> String {
        names += 1
        return "\(prefix)\(names)"
    }

    private func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    /// Runs one call and, when it is one of the picked ones, captures the
    /// view after it. Kernel failures (an errno, a NULL restore) are
    /// operations too; they return nil.
    @discardableResult
    private func call<T>(_ body: () throws -> T) throws -> T? {
        let result: T?
        do {
            result = try body()
        } catch MachineError.kernel, MachineError.restoreFailed {
            result = nil
        }
        calls += 1
        if capturePoints.contains(calls) { views.append(try capture(isHandover: false)) }
        return result
    }

    private func randomCall() throws {
        switch random.next() % 12 {
        case 0, 1: try newArea()
        case 2: try writeArea()
        case 3, 4: try preserveArea()
        case 5: try unpreserveArea()
        case 6: try preserveFolio()
        case 7: try preservePages()
        case 8: try newBlob()
        case 9: try unpreserveObject()
        case 10: try addSubtree()
        default: try removeSubtree()
        }
    }

    /// A new area (sometimes huge, two chunks long or `VM_MAP`) with a few pages written.
    private func newArea() throws {
        let name = nextName("a")
        let huge = pageSize == 4096 && chance(10)
        let twoChunks = pageSize == 4096 && chance(10)
        let pages = huge ? 512 * (1 + random.next() % 2) : twoChunks ? UInt64(machine.geometry.vmallocChunkEntries + 1) : 1 + random.next() % 24
        guard let area = try call({ try machine.vmalloc(name: name, size: pages * UInt64(pageSize), huge: huge, vmap: chance(8)) }) else { return }
        for _ in 0..<random.next() % 4 {
            let page = Int(random.next() % UInt64(area.pages.count))
            try call { try machine.write(area: name, offset: page * pageSize, bytes: random.bytes(pageSize)) }
        }
    }

    private func writeArea() throws {
        guard let name = machine.areas.keys.sorted().randomElement(using: &random), let area = machine.areas[name] else { return }
        let offset = Int(random.next() % UInt64(area.size(machine.geometry) - 8))
        try call { try machine.write(area: name, offset: offset, bytes: random.bytes(8)) }
    }

    /// Preserves an area (fresh or restored; a new one when there is none)
    /// into a new descriptor blob.
    private func preserveArea() throws {
        var candidates = machine.areas.keys.filter { preservedAreas[$0] == nil }.sorted()
        if candidates.isEmpty {
            try newArea()
            candidates = machine.areas.keys.filter { preservedAreas[$0] == nil }.sorted()
        }
        guard let name = candidates.randomElement(using: &random), let descriptor = try newBlob(size: 16) else { return }
        try call {
            try machine.preserveVmalloc(area: name, descriptorPhys: descriptor)
            preservedAreas[name] = descriptor
        }
    }

    private func unpreserveArea() throws {
        guard let name = preservedAreas.keys.sorted().randomElement(using: &random), let descriptor = preservedAreas[name] else { return }
        try call {
            try machine.unpreserveVmalloc(descriptorPhys: descriptor, name: name)
            preservedAreas[name] = nil
        }
    }

    private func preserveFolio() throws {
        let order = Int(random.next() % 3)
        guard let phys = try call({ try machine.allocPages(order: order) }) else { return }
        try call { try machine.write(phys: phys, bytes: random.bytes(pageSize)) }
        try call {
            try machine.preserveFolio(phys, order: order)
            objects.append(.init(kind: .folio, phys: phys, totalPages: 1 << UInt64(order)))
        }
    }

    private func preservePages() throws {
        guard let phys = try call({ try machine.allocPages(order: 2) }) else { return }
        let count = 1 + random.next() % 4
        try call {
            try machine.preservePages(phys, count: count)
            objects.append(.init(kind: .pages, phys: phys, totalPages: count))
        }
    }

    /// `kho_alloc_preserve` of `size` bytes; a blob of random size gets a few random bytes.
    @discardableResult
    private func newBlob(size: UInt64? = nil) throws -> UInt64? {
        let bytes = size ?? 1 + random.next() % UInt64(3 * pageSize)
        let blob = try call { () throws -> UInt64 in
            let phys = try machine.allocPreserve(size: bytes)
            objects.append(.init(kind: .blob, phys: phys, totalPages: 1 << UInt64(machine.geometry.order(forSize: bytes))))
            return phys
        }
        guard let phys = blob else { return nil }
        if size == nil { try call { try machine.write(phys: phys, bytes: random.bytes(Int(min(bytes, 64)))) } }
        return phys
    }

    /// Unpreserves a folio, page range or blob that no preserved area or subtree uses.
    private func unpreserveObject() throws {
        let inUse = Set(preservedAreas.values).union(subtrees)
        let candidates = objects.indices.filter { [.folio, .pages, .blob].contains(objects[$0].kind) && !inUse.contains(objects[$0].phys) }
        guard let index = candidates.randomElement(using: &random) else { return }
        let object = objects[index]
        try call {
            switch object.kind {
            case .folio: try machine.unpreserveFolio(object.phys, order: object.totalPages.trailingZeroBitCount)
            case .pages: try machine.unpreservePages(object.phys, count: object.totalPages)
            default: try machine.unpreserveFree(object.phys)
            }
            objects.removeAll { $0 == object }
        }
    }

    private func addSubtree() throws {
        let blobs = objects.filter { $0.kind == .blob && !subtrees.contains($0.phys) }.map(\.phys)
        guard let phys = try blobs.randomElement(using: &random) ?? newBlob() else { return }
        try call {
            try machine.addSubtree(name: nextName("s"), phys: phys, size: UInt64(pageSize))
            subtrees.append(phys)
        }
    }

    private func removeSubtree() throws {
        guard let phys = subtrees.randomElement(using: &random) else { return }
        try call {
            try machine.removeSubtree(phys: phys)
            subtrees.removeAll { $0 == phys }
        }
    }

    private func kexec() throws {
        handedAreas = preservedAreas.values.sorted()
        handedFolios = objects.filter { $0.kind == .folio }.map(\.phys)
        try machine.kexec()
        preservedAreas = [:]
        restoredAreas = [:]
        objects = []
        subtrees = []
        views.append(try capture(isHandover: false))
    }

    /// Restores some handed-over areas (one of them twice, which fails) and folios.
    private func restoreHandover() throws {
        for descriptor in handedAreas where chance(70) {
            let name = nextName("r")
            try call {
                try machine.restoreVmalloc(descriptorPhys: descriptor, name: name)
                restoredAreas[name] = descriptor
            }
        }
        if let again = restoredAreas.values.sorted().first {
            try call { try machine.restoreVmalloc(descriptorPhys: again, name: nextName("twice")) }
        }
        for phys in handedFolios where chance(50) {
            try call {
                let order = try machine.restoreFolio(phys)
                objects.append(.init(kind: .restoredFolio, phys: phys, totalPages: 1 << UInt64(order)))
            }
        }
    }

    /// The emulator's view now: its tracker walk, its areas with the
    /// descriptors in its memory, its root FDT and the incoming one.
    private func capture(isHandover: Bool) throws -> EmulatorView {
        func area(_ kind: ObjectKind, _ name: String, _ descriptor: UInt64) throws -> EmulatorView.Area {
            guard let area = machine.areas[name] else { throw MachineError.unknownObject(kind: "vmalloc area", name: name) }
            let bytes = try machine.memory.read(descriptor, count: VmallocDescriptor.size)
            // The blocks' order is the descriptor's: a restored area itself maps no huge order.
            return .init(kind: kind, name: name, descriptorPhys: descriptor, firstChunk: bytes.loadLittleEndian(UInt64.self, at: 0),
                         totalPages: UInt64(area.pages.count), order: Int(bytes.loadLittleEndian(UInt16.self, at: 14)),
                         flags: area.khoFlags.rawValue)
        }
        let outgoing = try machine.rootFDT.decoded().subtrees
        var subtrees = Set(outgoing.map {
            EmulatorView.Subtree(direction: .outgoing, name: $0.name, phys: $0.phys, size: $0.size)
        })
        // The kernel's own blob (7.1+), which no call of this driver made.
        let kernelObjects = outgoing.filter { $0.name == KexecMetadata.subtreeName }.map {
            EmulatorView.Object(kind: .blob, phys: $0.phys, totalPages: 1)
        }
        if let incoming = machine.incoming {
            subtrees.formUnion(try KHORootFDT(tree: incoming.tree).subtrees.map {
                EmulatorView.Subtree(direction: .incoming, name: $0.name, phys: $0.phys, size: $0.size)
            })
        }
        return EmulatorView(
            seq: events.count, generation: Int64(machine.generation), memorySize: machine.config.memorySize,
            preserved: Set(try machine.preservedBlocks()),
            areas: Set(try preservedAreas.map { try area(.vmalloc, $0, $1) } + restoredAreas.map { try area(.restoredVmalloc, $0, $1) }),
            objects: Set(objects + kernelObjects), subtrees: subtrees, isHandover: isHandover)
    }
}

/// Forwards every machine event to the recorder and counts them (the count
/// is the seq of the last event in a fresh ledger); runs `onKexec` at each kexec.
private final class EventCounter {
    private let forward: (MachineEvent) -> Void
    private(set) var count: Int64 = 0
    var onKexec: () -> Void = {}

    init(_ forward: @escaping (MachineEvent) -> Void) { self.forward = forward }

    func receive(_ event: MachineEvent) {
        forward(event)
        count += 1
        if event.kind == .kexec { onKexec() }
    }
}
