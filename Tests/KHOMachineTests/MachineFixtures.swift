import Testing
import KHOABI
@testable import KHOMachine

/// Events a machine emitted, in order.
final class EventLog {
    var events: [MachineEvent] = []
}

/// Builds a small machine and records its events.
struct Recorder {
    let log = EventLog()
    let machine: KHOMachine

    var events: [MachineEvent] { log.events }

    init(pageSize: Int = 4096, memory: UInt64 = 64 << 20, seed: UInt64 = 7, configure: (inout MachineConfig) -> Void = { _ in }) throws {
        var config = MachineConfig()
        config.pageSize = pageSize
        config.memorySize = memory
        config.seed = seed
        configure(&config)
        machine = try KHOMachine(config: config)
        machine.onEvent = { [log] in log.events.append($0) }
    }

    var last: MachineEvent? { events.last }
}

extension KHOMachine {
    /// A preserved 16-byte descriptor page, as the vector producer uses.
    func descriptorBlob(_ name: String) throws -> UInt64 {
        try allocPreserve(size: UInt64(VmallocDescriptor.size), name: name)
    }

    /// Allocates pages until the allocator is exhausted; returns how many.
    @discardableResult
    func exhaustMemory() -> Int {
        var n = 0
        while allocator.allocate(order: 0) != nil { n += 1 }
        return n
    }
}

/// Asserts that `body` fails with the kernel errno `errno`.
func expectErrno(_ errno: KernelErrno, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected \(errno), call succeeded", sourceLocation: sourceLocation)
    } catch let error as MachineError {
        #expect(error.errno == errno, "got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
