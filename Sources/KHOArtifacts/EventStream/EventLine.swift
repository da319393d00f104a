import KHOABI
import KHOLedger
import KHOMachine

/// One validated line of an event stream: a call and what it changed, as
/// far as the line says; ``EventDerivation`` fills in what follows from
/// its arguments and nested calls.
struct EventLine {
    /// The lists a line may give itself; a list it omits may be derived.
    enum List: String, CaseIterable {
        case tracker, restored, frames, zeroed, writes, chunks
    }

    /// Bytes the call stored at a physical address (any length).
    struct Write {
        var phys: UInt64
        var bytes: [UInt8]
    }

    /// 1-based line number in the stream.
    let number: Int
    /// The call: kind, name, arguments, outcome, time and the lists given.
    var event: MachineEvent
    /// The boot number the line names, if it names one.
    var generation: Int?
    /// The thread that made the call (0 when the stream does not say).
    var tid: Int64
    /// 0 for a call made by a consumer; n > 0 for a call another KHO call
    /// made (it is folded into the next line of depth n − 1 on its thread).
    var depth: Int
    /// The `machine` object of a boot line.
    var machine: EventFields?
    /// Lists the line gives itself.
    var given: Set<List>
    var writes: [Write]
    /// The calls made inside this one, in call order.
    var nested: [EventLine] = []

    /// An integer argument (`0x…` or decimal text).
    func argument(_ name: String) -> UInt64? { event.integerArgument(name) }

    /// True when the call succeeded.
    var isOK: Bool { event.outcome == .ok }
}
