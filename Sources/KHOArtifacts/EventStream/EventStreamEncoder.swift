import Foundation
import KHOABI
import KHOLedger
import KHOMachine

/// Writes machine events as lines of the event-stream schema that
/// `kholedger record` reads (docs/event-stream.md), every list explicit, so
/// recording the lines rebuilds exactly the events: `kholedger simulate
/// --events FILE` uses it.
public struct EventStreamEncoder: Sendable {
    /// The machine the events come from (described on cold-boot lines).
    public let config: MachineConfig
    private let geometry: PageGeometry

    /// An encoder for the events of a machine built from `config`.
    public init(config: MachineConfig) throws(MachineError) {
        self.config = config
        geometry = try config.geometry()
    }

    /// One line (without its newline) for `event`.
    public func line(_ event: MachineEvent) -> String {
        var fields: [(String, String)] = [("kind", jsonString(event.kind.rawValue)), ("generation", "\(event.generation)")]
        if let time = event.time { fields.append(("time", jsonString(LedgerTime.format(time)))) }
        if let subject = event.subject { fields.append(("name", jsonString(subject))) }
        if event.kind == .boot, event.generation == 0 { fields.append(("machine", machine)) }
        fields.append(("args", arguments(event)))
        fields += outcome(event)
        fields.append(("tracker", list(runs(event.tracker.map { ($0.added ? "add" : "remove", $0.block) }))))
        fields.append(("restored", list(runs(event.restored.map { (nil, $0) }))))
        fields.append(("frames", list(event.extents.map { object(blockFields($0.phys, $0.order, $0.count)) })))
        fields.append(("zeroed", list(event.zeroed.map { object(blockFields($0.phys, $0.order, 1)) })))
        fields.append(("writes", list(event.pages.map { object([("phys", address($0.phys)), ("bytes", base64($0.bytes))]) })))
        if let (phys, descriptor) = event.descriptor {
            fields.append(("descriptor", object([("phys", address(phys)), ("first", address(descriptor.first)),
                                                 ("total_pages", "\(descriptor.totalPages)"), ("flags", "\(descriptor.flags.rawValue)"),
                                                 ("order", "\(descriptor.order)")])))
        }
        if !event.chunks.isEmpty {
            fields.append(("chunks", list(event.chunks.map { object([("phys", address($0.phys)), ("bytes", base64($0.bytes))]) })))
        }
        if let fdt = event.fdt { fields.append(("fdt", base64(fdt))) }
        if let blob = event.blob { fields.append(("blob", base64(blob))) }
        return object(fields)
    }

    private var machine: String {
        var fields = [("page_size", "\(config.pageSize)"), ("abi", jsonString(config.abi.rawValue)),
                      ("memory_base", address(config.memoryBase)), ("memory_size", "\(config.memorySize)")]
        if let order = config.maxPageOrder { fields.append(("max_page_order", "\(order)")) }
        return object(fields)
    }

    /// `args`, typed by the schema; the boot's generation is a line field.
    private func arguments(_ event: MachineEvent) -> String {
        let specs = EventArgument.all(for: event.kind)
        return object(event.arguments.compactMap { name, value in
            guard specs.contains(where: { $0.name == name }) else { return nil }
            switch value {
            case .address, .text: return (name, jsonString(value.description))
            case .flag, .number: return (name, value.description)
            case .none: return (name, "null")
            }
        })
    }

    private func outcome(_ event: MachineEvent) -> [(String, String)] {
        var fields: [(String, String)] = []
        let warnings = event.arguments.filter { $0.name == "warning" }.map { jsonString($0.value.description) }
        switch event.outcome {
        case .ok:
            fields.append(("result", jsonString("ok")))
        case .errno(let errno):
            fields.append(("result", jsonString("-\(errno.name)")))
            if let error = event.arguments.first(where: { $0.name == "error" }) { fields.append(("error", jsonString(error.value.description))) }
        case .null(let reason):
            fields.append(("result", jsonString("NULL")))
            fields.append(("error", jsonString(reason)))
        }
        if !warnings.isEmpty { fields.append(("warnings", "[" + warnings.joined(separator: ",") + "]")) }
        return fields
    }

    /// Run-length encodes blocks like `op_change`: runs of one action, order
    /// and contiguous addresses.
    private func runs(_ steps: [(action: String?, block: PreservedBlock)]) -> [String] {
        var result: [String] = []
        var start = 0
        while start < steps.count {
            let action = steps[start].action
            let end = steps[start...].firstIndex { $0.action != action } ?? steps.count
            for extent in BlockRun.runs(of: steps[start ..< end].map(\.block), geometry: geometry) {
                result.append(object((action.map { [("action", jsonString($0))] } ?? []) + blockFields(extent.phys, extent.order, extent.count)))
            }
            start = end
        }
        return result
    }

    private func blockFields(_ phys: UInt64, _ order: Int, _ count: Int) -> [(String, String)] {
        [("phys", address(phys)), ("order", "\(order)")] + (count > 1 ? [("count", "\(count)")] : [])
    }

    private func address(_ value: UInt64) -> String { jsonString(hex(value)) }

    private func base64(_ bytes: [UInt8]) -> String { jsonString(Data(bytes).base64EncodedString()) }

    private func list(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    private func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
