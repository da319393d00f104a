import Foundation
import KHOABI
import KHOMachine

/// The events of one emulated run, captured in memory so that only the
/// recording is timed, plus the same data in the shape a baseline writes.
struct Workload {
    let config: MachineConfig
    let events: [MachineEvent]
    /// The area's bytes, for the raw-blobs baseline.
    var data: [UInt8] = []
    /// (pfn, order, index) of every frame, for the raw-rows baseline.
    var frames: [(pfn: UInt64, order: Int, index: Int)] = []

    /// A vmalloc area of `bytes` random bytes, preserved.
    static func randomContent(bytes: UInt64) throws -> Workload {
        let (config, events, machine) = try run(memory: bytes * 2 + (256 << 20)) { m in
            try m.vmalloc(name: "data", size: bytes)
            var random = SplitMix64(seed: 1)
            try m.write(area: "data", offset: 0, bytes: random.bytes(Int(bytes)))
            try m.preserveVmalloc(area: "data", descriptorPhys: m.allocPreserve(size: 16))
        }
        var workload = Workload(config: config, events: events)
        workload.data = try machine.read(area: "data")
        return workload
    }

    /// A zero-filled vmalloc area of `count` page frames, preserved.
    static func zeroFrames(count: Int) throws -> Workload {
        let bytes = UInt64(count) * 4096
        let (config, events, machine) = try run(memory: bytes + bytes / 4 + (256 << 20)) { m in
            try m.vmalloc(name: "frames", size: bytes)
            try m.preserveVmalloc(area: "frames", descriptorPhys: m.allocPreserve(size: 16))
        }
        var workload = Workload(config: config, events: events)
        let pages = machine.areas["frames"]?.pages ?? []
        workload.frames = pages.enumerated().map { (pfn: $0.element >> 12, order: 0, index: $0.offset) }
        return workload
    }

    /// A machine that boots and does nothing: the ledger's fixed size.
    static var emptyLedger: Workload {
        get throws {
            let (config, events, _) = try run(memory: 64 << 20) { _ in }
            return Workload(config: config, events: events)
        }
    }

    /// `bytes` of content of which a quarter are zero pages, a quarter unique
    /// random pages and half copies of those unique pages, preserved.
    static func duplicateContent(bytes: UInt64) throws -> Workload {
        let pages = Int(bytes / 4096)
        var random = SplitMix64(seed: 5)
        let unique = (0..<pages / 4).map { _ in random.bytes(4096) }
        var data: [UInt8] = []
        data.reserveCapacity(Int(bytes))
        for page in 0..<pages {
            switch page % 4 {
            case 0: data += [UInt8](repeating: 0, count: 4096)
            case 1: data += unique[page / 4]
            default: data += unique[Int(random.next() % UInt64(unique.count))]
            }
        }
        let (config, events, _) = try run(memory: bytes * 2 + (256 << 20)) { m in
            try m.vmalloc(name: "data", size: bytes)
            try m.write(area: "data", offset: 0, bytes: data)
            try m.preserveVmalloc(area: "data", descriptorPhys: m.allocPreserve(size: 16))
        }
        var workload = Workload(config: config, events: events)
        workload.data = data
        return workload
    }

    /// `bytes` of random content preserved, then its first half overwritten
    /// with new random bytes: the preserved content is in the past.
    static func overwrittenContent(bytes: UInt64) throws -> Workload {
        var preserved: [UInt8] = []
        let (config, events, _) = try run(memory: bytes * 2 + (256 << 20)) { m in
            try m.vmalloc(name: "data", size: bytes)
            var random = SplitMix64(seed: 6)
            try m.write(area: "data", offset: 0, bytes: random.bytes(Int(bytes)))
            try m.preserveVmalloc(area: "data", descriptorPhys: m.allocPreserve(size: 16))
            preserved = try m.read(area: "data")
            try m.write(area: "data", offset: 0, bytes: random.bytes(Int(bytes / 2)))
        }
        var workload = Workload(config: config, events: events)
        workload.data = preserved
        return workload
    }

    /// `count` physically contiguous zero pages preserved with one
    /// `kho_preserve_pages`: the layout is a single run.
    static func contiguousFrames(count: Int) throws -> Workload {
        let (config, events, _) = try run(memory: UInt64(count) * 4096 * 2 + (256 << 20)) { m in
            try m.preservePages(m.config.memoryBase, count: UInt64(count), name: "range")
        }
        var workload = Workload(config: config, events: events)
        workload.frames = (0..<count).map { (pfn: config.memoryBase >> 12 + UInt64($0), order: 0, index: $0) }
        return workload
    }

    /// A zero area of `frames` pages preserved and handed over, restored by
    /// the next generation, `changed` of its pages (chosen at random)
    /// rewritten with random bytes, preserved again and handed over. Returns
    /// the workload and the indices of the rewritten pages.
    static func twoGenerations(frames: Int, changed: Int) throws -> (Workload, Set<Int>) {
        let bytes = UInt64(frames) * 4096
        var random = SplitMix64(seed: 7)
        var indices: Set<Int> = []
        while indices.count < changed { indices.insert(Int(random.next() % UInt64(frames))) }
        var pages: [UInt64] = []
        let (config, events, _) = try run(memory: bytes + bytes / 2 + (256 << 20)) { m in
            try m.vmalloc(name: "frames", size: bytes)
            let descriptor = try m.allocPreserve(size: 16)
            try m.preserveVmalloc(area: "frames", descriptorPhys: descriptor)
            try m.kexec()
            _ = try m.restoreVmalloc(descriptorPhys: descriptor, name: "frames")
            for index in indices.sorted() { try m.write(area: "frames", offset: index * 4096, bytes: random.bytes(4096)) }
            try m.preserveVmalloc(area: "frames", descriptorPhys: m.allocPreserve(size: 16))
            pages = m.areas["frames"]?.pages ?? []
            try m.kexec()
        }
        var workload = Workload(config: config, events: events)
        workload.frames = pages.enumerated().map { (pfn: $0.element >> 12, order: 0, index: $0.offset) }
        return (workload, indices)
    }

    private static func run(memory: UInt64, _ body: (KHOMachine) throws -> Void) throws -> (MachineConfig, [MachineEvent], KHOMachine) {
        var config = MachineConfig()
        config.memorySize = (memory + (64 << 20) - 1) / (64 << 20) * (64 << 20)
        config.seed = 2
        var events: [MachineEvent] = []
        let machine = try KHOMachine(config: config) { events.append($0) }
        try body(machine)
        return (config, events, machine)
    }
}
