import Foundation
import KHOABI
import KHOMachine

/// One recorded operation as the machine call that produced it: the op's
/// kind, subject and `args` JSON, plus, for a write, the bytes it wrote
/// (read from the ledger's memory as of the op).
struct ReplayVerifierCall {
    /// Why a recorded op cannot be turned into a call.
    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    let seq: Int64
    let kind: MachineEvent.Kind
    let subject: String?
    private let arguments: [String: Any]

    init(seq: Int64, kind: String, subject: String?, args: String) throws(Unusable) {
        self.seq = seq
        guard let kind = MachineEvent.Kind(rawValue: kind) else { throw Unusable(description: "unknown operation kind \"\(kind)\"") }
        self.kind = kind
        self.subject = subject
        guard let object = try? JSONSerialization.jsonObject(with: Data(args.utf8)) as? [String: Any] else {
            throw Unusable(description: "args are not a JSON object: \(args)")
        }
        arguments = object
    }

    /// Makes the call on `machine`. Kernel failures are not errors here: the
    /// machine emits them as events like successes. `written` gives the
    /// ledger's memory as of this op, for the bytes of a write.
    func perform(on machine: KHOMachine, written: () throws -> MemoryView) throws {
        switch kind {
        case .boot:
            throw Unusable(description: "a boot is not a call: the machine boots when built or by kexec")
        case .vmalloc:
            try machine.vmalloc(name: name(), size: integer("size"), huge: flag("huge"), vmap: flag("vmap"))
        case .vfree:
            try machine.vfree(name: name())
        case .write:
            if arguments["phys"] != nil {
                let phys = try integer("phys")
                try machine.write(phys: phys, bytes: written().read(phys, count: Int(integer("length"))), name: subject)
            } else {
                try writeArea(on: machine, memory: written())
            }
        case .allocPages:
            try machine.allocPages(order: Int(integer("order")), name: subject)
        case .freePages:
            try machine.freePages(integer("phys"), name: subject)
        case .preserveFolio:
            try machine.preserveFolio(integer("phys"), order: Int(integer("order")), name: subject)
        case .unpreserveFolio:
            try machine.unpreserveFolio(integer("phys"), order: Int(integer("order")), name: subject)
        case .allocFolios:
            try machine.allocFolios(count: Int(integer("nr_folios")), order: Int(integer("order")), name: name())
        case .preserveFolios:
            try machine.preserveFolios(name: name())
        case .unpreserveFolios:
            try machine.unpreserveFolios(name: name())
        case .preservePages:
            try machine.preservePages(integer("phys"), count: integer("nr_pages"), name: subject)
        case .unpreservePages:
            try machine.unpreservePages(integer("phys"), count: integer("nr_pages"), name: subject)
        case .preserveVmalloc:
            try machine.preserveVmalloc(area: name(), descriptorPhys: integer("descriptor"))
        case .unpreserveVmalloc:
            try machine.unpreserveVmalloc(descriptorPhys: integer("descriptor"), name: subject)
        case .restoreVmalloc:
            try machine.restoreVmalloc(descriptorPhys: integer("descriptor"), name: name())
        case .allocPreserve:
            try machine.allocPreserve(size: integer("size"), name: subject)
        case .unpreserveFree:
            try machine.unpreserveFree(integer("phys"), name: subject)
        case .restoreFree:
            try machine.restoreFree(integer("phys"), name: subject)
        case .addSubtree:
            try machine.addSubtree(name: name(), phys: integer("phys"), size: integer("size"))
        case .removeSubtree:
            try machine.removeSubtree(phys: integer("phys"), name: subject)
        case .retrieveSubtree:
            _ = try machine.retrieveSubtree(name: name())
        case .restoreFolio:
            try machine.restoreFolio(integer("phys"), name: subject)
        case .restorePages:
            try machine.restorePages(integer("phys"), count: integer("nr_pages"), name: subject)
        case .kexec:
            try machine.kexec()
        }
    }

    /// A write into an area or a folio set: the bytes at `offset ..< offset + length`
    /// of it, page by page through the replayed object's frames.
    private func writeArea(on machine: KHOMachine, memory: MemoryView) throws {
        let name = try name()
        guard let pages = try? machine.pages(of: name) else {
            throw Unusable(description: "the replayed machine has no area or folio set \"\(name)\"")
        }
        let offset = Int(try integer("offset"))
        let length = Int(try integer("length"))
        let pageSize = machine.geometry.pageSize
        guard offset >= 0, offset + length <= pages.count * pageSize else {
            throw Unusable(description: "write of \(length) bytes at offset \(offset) exceeds the replayed area \"\(name)\"")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        while bytes.count < length {
            let position = offset + bytes.count
            let count = min(length - bytes.count, pageSize - position % pageSize)
            bytes += try memory.read(pages[position / pageSize] + UInt64(position % pageSize), count: count)
        }
        try machine.write(area: name, offset: offset, bytes: bytes)
    }

    private func name() throws(Unusable) -> String {
        guard let subject else { throw Unusable(description: "\(kind.rawValue) without a subject") }
        return subject
    }

    /// Argument `key`: a JSON number, or text in decimal or `0x` hex.
    private func integer(_ key: String) throws(Unusable) -> UInt64 {
        switch arguments[key] {
        case let number as NSNumber where number.int64Value >= 0:
            return number.uint64Value
        case let text as String:
            let value = parseHexOrDecimal(text)
            guard let value else { throw Unusable(description: "argument \(key) is not an integer: \(text)") }
            return value
        default:
            throw Unusable(description: "\(kind.rawValue) has no integer argument \(key)")
        }
    }

    /// Argument `key` as `true`/`false` text.
    private func flag(_ key: String) throws(Unusable) -> Bool {
        switch arguments[key] as? String {
        case "true": return true
        case "false": return false
        default: throw Unusable(description: "\(kind.rawValue) has no true/false argument \(key)")
        }
    }
}
