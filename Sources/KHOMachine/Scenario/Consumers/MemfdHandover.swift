import Crypto
import KHOABI

/// A LUO memfd handover (`memfd-v1` inside a `luo-v1` FDT, KHO-ABI.md §7.2,
/// §7.3) built only from the machine's public calls, so every KHO call
/// emits its own event.
///
/// Preserve (needs a machine booted with `liveupdate`, whose LUO made its
/// FDT at boot): `kho_alloc_preserve` the `memfd_luo_ser`; allocate the
/// file's folios (the set `<name>/file`, one call), fill them piece by
/// piece, `kho_preserve_folio` each of them in file order (one call, as
/// `memfd_luo_preserve_folios` loops, mm/memfd_luo.c); vmalloc the
/// `memfd_luo_folio_ser` array and `kho_preserve_vmalloc` it into the
/// struct's `folios` descriptor; write the struct; then LUO records the file
/// in its session (the session's first file allocates its file block); the
/// records are written at kexec (`liveupdate_reboot`).
///
/// Restore (next generation): retrieve `LUO`, walk sessions and files to the
/// memfd-v1 file, `kho_restore_vmalloc` the array, `kho_restore_folio`
/// every folio (-EIO when one fails, as memfd does), copy the data into the
/// file, `vfree` the array and `kho_restore_free` the struct and LUO blobs.
public enum MemfdHandover {
    /// Default name of the memfd (object name prefix and restored file name).
    public static let defaultName = "memfd"
    /// Default LUO session name.
    public static let defaultSession = "scenario"

    /// Arguments of `memfd_preserve`.
    public struct PreserveSpec: Hashable, Sendable {
        /// Prefix of the names of the objects made (`memfd/ser`, `memfd/folios`).
        public var name: String
        /// The file size (`i_size`).
        public var size: UInt64
        public var fill: ScenarioFill
        /// Order of each folio of the file.
        public var folioOrder: Int
        /// The file position.
        public var pos: UInt64
        /// The LUO token of the file.
        public var token: UInt64
        public var session: String
        /// Records the content's SHA-256 under this name.
        public var record: String?
    }

    /// Arguments of `memfd_restore`.
    public struct RestoreSpec: Hashable, Sendable {
        /// Name of the rebuilt file (for `check file:`).
        public var file: String
        /// Selects the file by LUO token; nil takes the first memfd-v1 file.
        public var token: UInt64?
        /// Expected SHA-256 (64 hex digits or a recorded name).
        public var sha256: String?
        public var record: String?
    }

    /// What a restore did: the file's bytes and the step's facts.
    struct Result {
        var content: [UInt8]
        var facts: [ScenarioFact]
    }

    /// What a preservation did: the SHA-256 of the file's content and the step's facts.
    struct Preserved {
        var digest: [UInt8]
        var facts: [ScenarioFact]
    }

    /// Bytes of the fill made and written at a time: the file is filled
    /// piece by piece, so a guest-sized file never exists whole in memory.
    static let fillPiece = 16 << 20

    static func preserve(_ spec: PreserveSpec, on m: KHOMachine, random: inout SplitMix64,
                         zeroDigests: inout ZeroDigests) throws -> Preserved {
        let g = m.geometry
        guard let luo = m.liveUpdate else { throw liveUpdateDisabled("memfd_preserve") }
        guard spec.folioOrder <= m.maxPageOrder else {
            throw StepFault("folio_order \(spec.folioOrder) is above MAX_PAGE_ORDER \(m.maxPageOrder)")
        }
        let size = try ScenarioRunner.int(spec.size, "size")
        let folioBytes = Int(g.bytes(order: spec.folioOrder))
        let ser = try m.allocPreserve(size: UInt64(MemfdLuoSer.byteCount), name: "\(spec.name)/ser")
        var entries: [MemfdLuoFolioSer] = []
        var digest = SHA256()
        if size > 0 {
            let file = "\(spec.name)/file"
            let set = try m.allocFolios(count: (size + folioBytes - 1) / folioBytes, order: spec.folioOrder, name: file)
            // Zero-filled folios already hold a zero fill.
            let piece = max(folioBytes, fillPiece / folioBytes * folioBytes)
            for offset in stride(from: 0, to: spec.fill == .zero ? 0 : size, by: piece) {
                let bytes = spec.fill.piece(at: offset, count: min(piece, size - offset), random: &random)
                digest.update(data: bytes)
                try m.write(area: file, offset: offset, bytes: bytes)
            }
            try m.preserveFolios(name: file)
            entries = set.folios.enumerated().map { index, phys in
                MemfdLuoFolioSer(pfn: phys >> UInt64(g.pageShift), flags: [.dirty, .uptodate], index: UInt64(index) << UInt64(spec.folioOrder))
            }
        }
        var descriptor = [UInt8](repeating: 0, count: VmallocDescriptor.size)
        let descriptorPhys = ser + UInt64(MemfdLuoSer.folioArrayDescriptorOffset)
        var facts: [ScenarioFact] = [.address("ser", ser), .count("folios", entries.count)]
        if !entries.isEmpty {
            let array = "\(spec.name)/folios"
            try m.vmalloc(name: array, size: UInt64(entries.count * MemfdLuoFolioSer.byteCount))
            try m.write(area: array, offset: 0, bytes: ConsumerCoding.encode("folio array") { try MemfdLuoFolioSer.encodeArray(entries) })
            try m.preserveVmalloc(area: array, descriptorPhys: descriptorPhys)
            descriptor = try m.memory.read(descriptorPhys, count: VmallocDescriptor.size)
            facts.append(.address("descriptor", descriptorPhys))
        }
        let record = MemfdLuoSer(pos: spec.pos, size: spec.size, nrFolios: UInt64(entries.count), folioArrayDescriptorBytes: descriptor)
        try m.write(phys: ser, bytes: ConsumerCoding.encode("memfd_luo_ser") { try record.encode() }, name: "\(spec.name)/ser")
        try m.liveUpdatePreserve(file: LUOFileSer(compatible: MemfdLuoSer.compatible, data: ser, token: spec.token),
                                 session: spec.session)
        return Preserved(digest: spec.fill == .zero ? zeroDigests.digest(count: size) : Array(digest.finalize()),
                         facts: facts + [.address("luo", luo.fdtPhys)])
    }

    /// Without the `liveupdate` boot parameter there is no /dev/liveupdate:
    /// the memfd ops cannot be reached.
    private static func liveUpdateDisabled(_ op: String) -> StepFault {
        StepFault("\(op) goes through LUO, which this machine does not run: set machine liveupdate: true (the kernel's liveupdate boot parameter)")
    }

    static func restore(_ spec: RestoreSpec, on m: KHOMachine) throws -> Result {
        let g = m.geometry
        guard m.config.liveUpdate else { throw liveUpdateDisabled("memfd_restore") }
        let luoPhys = try m.retrieveSubtree(name: LUOFDT.subtreeName).phys
        let tree = try m.readFDT(at: luoPhys, "LUO FDT")
        let luo = try ConsumerCoding.decode("LUO FDT") { try LUOFDT(tree: tree) }
        let count = try m.readRecords(LUOSessionHeaderSer.self, at: luo.sessionHeaderPhys, count: 1)[0].count
        let sessions = try m.readRecords(LUOSessionSer.self, at: luo.sessionHeaderPhys + UInt64(LUOSessionHeaderSer.byteCount),
                                         count: count)
        var found: LUOFileSer?
        for session in sessions where found == nil {
            found = try m.readRecords(LUOFileSer.self, at: session.files, count: session.count).first {
                $0.compatible == MemfdLuoSer.compatible && (spec.token == nil || $0.token == spec.token)
            }
        }
        guard let file = found else {
            throw MachineError.kernel(.ENOENT, "no \(MemfdLuoSer.compatible) file" + (spec.token.map { " with token \($0)" } ?? ""))
        }
        let ser = try m.readRecords(MemfdLuoSer.self, at: file.data, count: 1)[0]
        guard ser.size <= m.memory.range.size else { throw MachineError.kernel(.EINVAL, "memfd size \(ser.size) exceeds memory") }
        var content = [UInt8](repeating: 0, count: Int(ser.size))
        var restored = 0
        if ser.nrFolios > 0 {
            let array = "\(spec.file)/folios"
            let area = try m.restoreVmalloc(descriptorPhys: file.data + UInt64(MemfdLuoSer.folioArrayDescriptorOffset), name: array)
            guard ser.nrFolios <= UInt64(area.size(g) / MemfdLuoFolioSer.byteCount) else {
                throw MachineError.kernel(.EINVAL, "nr_folios \(ser.nrFolios) exceeds the folio array")
            }
            let entries = try ConsumerCoding.decode("folio array") {
                try MemfdLuoFolioSer.decodeArray(m.read(area: array, count: Int(ser.nrFolios) * MemfdLuoFolioSer.byteCount),
                                                 count: Int(ser.nrFolios))
            }
            for entry in entries where entry.pfn != 0 {
                let phys = entry.pfn << UInt64(g.pageShift)
                let order: Int
                do {
                    order = try m.restoreFolio(phys, name: "\(spec.file)/folio")
                } catch {
                    guard case .restoreFailed(let reason) = error else { throw error }
                    throw MachineError.kernel(.EIO, "folio \(hex(phys)) at index \(entry.index): \(reason)")
                }
                restored += 1
                let start = entry.index.multipliedReportingOverflow(by: UInt64(g.pageSize))
                guard !start.overflow, start.partialValue < ser.size else { continue }
                let length = min(g.bytes(order: order), ser.size - start.partialValue)
                let bytes = try m.memory.read(phys, count: Int(length))
                content.replaceSubrange(Int(start.partialValue)..<Int(start.partialValue + length), with: bytes)
            }
            try m.vfree(name: array)
        }
        try m.restoreFree(file.data, name: "\(spec.file)/ser")
        for session in sessions { try m.restoreFree(session.files, name: "luo/files") }
        try m.restoreFree(luo.sessionHeaderPhys, name: "luo/session-header")
        try m.restoreFree(luoPhys, name: LUOFDT.subtreeName)
        return Result(content: content, facts: [.address("ser", file.data), .text("token", "\(file.token)"),
                                                .bytes("size", ser.size), .count("folios", restored)])
    }
}
