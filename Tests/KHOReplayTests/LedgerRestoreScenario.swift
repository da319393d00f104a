import Foundation
import KHOABI
import GRDB
@testable import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// One random handover story: a seed and a page size.
struct HandoverCase: Sendable, CustomTestStringConvertible {
    let seed: UInt64
    let pageSize: Int

    var testDescription: String { "seed \(seed), \(pageSize / 1024) KiB pages" }

    /// 21 seeds, seven per page size.
    static let all = (1...21).map { HandoverCase(seed: UInt64($0), pageSize: PageGeometry.supportedPageSizes[$0 % 3]) }
}

/// A seeded random KHO story recorded into a fresh ledger, with what the
/// emulator held along the way.
///
/// Every generation restores each area the previous one handed over (and
/// sometimes writes into it, gives its descriptor blob back, preserves it
/// again), creates a few new areas with random content (some crossing a
/// chunk boundary at 4 KiB, some huge), preserves most of them (one in six
/// is unpreserved again, half are written after preserving), and
/// preserves a few folios; then it kexecs. Right before each kexec (and at
/// the end) the bytes of every area the ledger lists at that point are
/// captured; at every `snapshotEvery`-th operation a sample of the area
/// pages is captured too.
final class RandomHandover {
    /// What the emulator held at one generation's handover point.
    struct Handover {
        let generation: Int64
        /// The bytes of each area the ledger lists at that point (preserved
        /// in the generation, or restored in it), by name.
        var areas: [String: [UInt8]] = [:]
        /// Names of areas only restored, not preserved again.
        var restoredOnly: Set<String> = []
    }

    let directory: TemporaryDirectory
    let ledger: Ledger
    let config: MachineConfig
    private(set) var handovers: [Handover] = []
    /// Bytes of sampled area pages, by seq and physical address.
    private(set) var snapshots: [Int64: [UInt64: [UInt8]]] = [:]
    /// Operations recorded.
    private(set) var operations: Int64 = 0

    private var random: SplitMix64
    /// Picks snapshot pages, apart from `random` so snapshots do not change the story.
    private var sampler: SplitMix64
    private var machine: KHOMachine!
    /// Descriptor blob of each area preserved in the current generation.
    private var preserved: [String: UInt64] = [:]

    init(_ scenario: HandoverCase, generations: Int = 3, snapshotEvery: Int64 = 0) throws {
        directory = try TemporaryDirectory("ledger-restore")
        var config = MachineConfig()
        config.pageSize = scenario.pageSize
        config.memorySize = scenario.pageSize == 65536 ? 64 << 20 : 32 << 20
        config.seed = scenario.seed
        self.config = config
        random = SplitMix64(seed: scenario.seed &* 0x9E37_79B9)
        sampler = SplitMix64(seed: ~scenario.seed)
        ledger = try Ledger(path: directory.path("ledger.db"))
        let recorder = try LedgerRecorder(ledger: ledger, config: config, batchSize: 64)
        let sink = recorder.eventSink
        machine = try KHOMachine(config: config) { [unowned self] event in
            sink(event)
            operations += 1
            if snapshotEvery > 0, operations % snapshotEvery == 0, let machine { snapshot(machine) }
        }
        for generation in 0..<generations {
            try run(generation: Int64(generation))
            if generation + 1 < generations { try machine.kexec() }
        }
        try recorder.flush()
        if let failure = recorder.failure { throw failure }
    }

    var geometry: PageGeometry { machine.geometry }

    private func chance(_ oneIn: UInt64) -> Bool { random.next() % oneIn == 0 }

    private func number(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }

    private func run(generation: Int64) throws {
        var handover = Handover(generation: generation)
        let incoming = preserved
        preserved = [:]
        for (name, descriptor) in incoming.sorted(by: { $0.key < $1.key }) {
            try machine.restoreVmalloc(descriptorPhys: descriptor, name: name)
            if chance(2) { try writeRandom(into: name) }
            if chance(2) { try machine.restoreFree(descriptor) }
            if chance(2) { try preserve(name) } else { handover.restoredOnly.insert(name) }
        }
        for index in 0..<number(1...3) {
            let name = "g\(generation)a\(index)"
            try createArea(name, huge: generation == 0 && index == 0 && geometry.pageSize == 4096 && chance(2))
            guard chance(4) == false else { continue }
            try preserve(name)
            if chance(6), let descriptor = preserved.removeValue(forKey: name) {
                try machine.unpreserveVmalloc(descriptorPhys: descriptor, name: name)
            } else if chance(2) {
                try writeRandom(into: name)
            }
        }
        for _ in 0..<number(0...2) {
            let order = number(0...2)
            let folio = try machine.allocPages(order: order)
            if chance(2) { try machine.preserveFolio(folio, order: order) }
        }
        for name in Set(preserved.keys).union(handover.restoredOnly) {
            handover.areas[name] = try machine.read(area: name)
        }
        handovers.append(handover)
    }

    /// A new area with random writes: of random size, or of two huge blocks
    /// (which only a fresh machine has room for).
    private func createArea(_ name: String, huge: Bool) throws {
        let pages: Int
        switch geometry.pageSize {
        case 4096: pages = chance(3) ? number(500...600) : number(1...40)
        case 16384: pages = number(1...40)
        default: pages = number(1...12)
        }
        try machine.vmalloc(name: name, size: UInt64(huge ? 1024 : pages) * UInt64(geometry.pageSize), huge: huge)
        for _ in 0..<number(1...3) { try writeRandom(into: name) }
    }

    /// Preserves area `name` into a fresh descriptor blob.
    private func preserve(_ name: String) throws {
        let descriptor = try machine.allocPreserve(size: UInt64(VmallocDescriptor.size))
        try machine.preserveVmalloc(area: name, descriptorPhys: descriptor)
        preserved[name] = descriptor
    }

    /// Writes up to two pages of random bytes at a random offset of area `name`.
    private func writeRandom(into name: String) throws {
        let size = machine.areas[name]!.size(geometry)
        let offset = number(0...size - 1)
        let length = number(1...min(2 * geometry.pageSize, size - offset))
        try machine.write(area: name, offset: offset, bytes: random.bytes(length))
    }

    /// Captures up to 64 pages of the current areas, for the operation just recorded.
    private func snapshot(_ machine: KHOMachine) {
        let pages = machine.areas.keys.sorted().flatMap { machine.areas[$0]!.pages }
        guard !pages.isEmpty else { return }
        var sample: [UInt64: [UInt8]] = [:]
        for _ in 0..<min(64, pages.count) {
            let phys = pages[Int(sampler.next() % UInt64(pages.count))]
            sample[phys] = machine.memory.page(phys)
        }
        snapshots[operations] = sample
    }
}

/// A ledger in a temporary directory recording one machine driven by a test.
struct RecordedMachine {
    let directory: TemporaryDirectory
    let ledger: Ledger
    let machine: KHOMachine
    /// Operations the cold boot made (the boot and, 7.1+, the kernel's
    /// kexec-metadata calls): `body`'s first call is seq `bootOps + 1`.
    let bootOps: Int64

    /// Builds a machine of `memory` bytes, lets `body` drive it, and writes every event.
    init(pageSize: Int = 4096, memory: UInt64 = 8 << 20, _ body: (KHOMachine) throws -> Void) throws {
        directory = try TemporaryDirectory("recorded-machine")
        var config = MachineConfig()
        config.pageSize = pageSize
        config.memorySize = memory
        ledger = try Ledger(path: directory.path("ledger.db"))
        let recorder = try LedgerRecorder(ledger: ledger, config: config)
        var events: Int64 = 0
        let sink = recorder.eventSink
        machine = try KHOMachine(config: config) { event in
            events += 1
            sink(event)
        }
        bootOps = events
        try body(machine)
        try recorder.flush()
        if let failure = recorder.failure { throw failure }
    }

    /// The seq of the last operation.
    var lastSeq: Int64 { get throws { try PointInTime.latest(in: ledger) } }

    /// Crafts the ledger: the page at `phys` as of `seq` gets the bytes
    /// `edit` makes of it (a `page_data` row under their SHA-256, as the
    /// recorder stores pages; the interval covering `seq` points at it, or
    /// a new one from `seq` on).
    func editPage(_ phys: UInt64, at seq: Int64, _ edit: (inout [UInt8]) -> Void) throws {
        var bytes = try MemoryView(ledger: ledger, seq: seq).read(phys, count: machine.geometry.pageSize)
        edit(&bytes)
        try ledger.database.write { db in
            let hash = sha256(bytes)
            try db.execute(sql: "INSERT OR IGNORE INTO page_data (hash, bytes) VALUES (?, ?)", arguments: [hash, Data(bytes)])
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM page_data WHERE hash = ?", arguments: [hash])
            try db.execute(sql: """
                UPDATE page_content SET data_id = ? WHERE lineage = 0 AND phys = ? AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)
                """, arguments: [id, Int64(bitPattern: phys), seq, seq])
            if db.changesCount == 0 {
                try db.execute(sql: "INSERT INTO page_content (lineage, phys, from_seq, data_id) VALUES (0, ?, ?, ?)",
                               arguments: [Int64(bitPattern: phys), seq, id])
            }
        }
    }

    /// Crafts the ledger: the little-endian `value` at `phys` as of `seq`.
    func store<T: FixedWidthInteger>(_ value: T, at phys: UInt64, asOf seq: Int64) throws {
        let mask = UInt64(machine.geometry.pageSize - 1)
        try editPage(phys & ~mask, at: seq) { $0.storeLittleEndian(value, at: Int(phys & mask)) }
    }
}

/// Where two byte arrays first differ (the shorter one's end if one is a
/// prefix of the other), or nil when they are equal. Expectations compare
/// through this, so a failure names an offset instead of diffing megabytes.
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
    let common = min(a.count, b.count)
    let samePrefix = common == 0 || a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, common) == 0 } }
    if samePrefix { return a.count == b.count ? nil : common }
    return (0..<common).first { a[$0] != b[$0] }
}
