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
