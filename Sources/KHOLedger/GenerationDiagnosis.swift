import Foundation
import KHOABI
import GRDB
import KHOMachine

/// For a boot whose hash does not match, the columns of its generation row
/// that differ from what other rows give: the boot's seq and arguments
/// (`boot_seq`, `boot_number`, `tracker_root`, `fdt_phys`,
/// `previous_release`, `kexec_count`), the op before it (`parent`,
/// `lineage`) and the stored machine configuration (`abi`, `page_size`,
/// `memory_base`, `memory_size`, `kernel`). `source`, `label` and
/// `machine` itself are covered by the hash alone.
enum GenerationDiagnosis {
    /// One line per differing column: "tracker_root is 0x1000, the boot's arguments give 0x10dd00000".
    static func differences(_ row: GenerationRow, boot op: OpRow, db: Database) throws -> [String] {
        var found: [String] = []
        func compare(_ column: String, _ stored: String, _ derived: String, from source: String) {
            if stored != derived { found.append("\(column) is \(stored), \(source) give\(source.hasSuffix("s") ? "" : "s") \(derived)") }
        }
        func address(_ value: Int64?) -> String { value.map(hexAddress) ?? "NULL" }
        let arguments = (try? JSONSerialization.jsonObject(with: Data(op.args.utf8))) as? [String: Any] ?? [:]
        func text(_ name: String) -> String? { arguments[name].map { "\($0)" } }
        func integer(_ name: String) -> Int64? {
            guard let text = text(name) else { return nil }
            return parseHexOrDecimal(text).map { Int64(bitPattern: $0) }
        }
        let args = "the boot's arguments"
        compare("boot_seq", "\(row.bootSeq)", "\(op.seq)", from: "the boot's seq")
        let bootNumber = integer("generation") ?? row.bootNumber
        compare("boot_number", "\(row.bootNumber)", "\(bootNumber)", from: args)
        compare("tracker_root", address(row.trackerRoot), address(integer("tracker")), from: args)
        compare("fdt_phys", address(row.fdtPhys), address(integer("fdt")), from: args)
        compare("previous_release", row.previousRelease ?? "NULL", text("previous_release") ?? "NULL", from: args)
        compare("kexec_count", row.kexecCount.map { "\($0)" } ?? "NULL", text("kexec_count") ?? "NULL", from: args)
        if bootNumber == 0 {
            compare("parent", row.parent.map { "\($0)" } ?? "NULL", "NULL", from: "a cold boot")
            compare("lineage", "\(row.lineage)", "\(row.generation)", from: "a cold boot")
        } else if let before = try Row.fetchOne(db, sql: """
            SELECT o.seq, o.generation, g.lineage FROM op o LEFT JOIN generation g ON g.generation = o.generation WHERE o.seq = ?
            """, arguments: [op.seq - 1]) {
            let op = LedgerRow(before, table: "op", key: "seq")
            compare("parent", row.parent.map { "\($0)" } ?? "NULL", "\(try op.integer("generation"))", from: "the kexec before the boot")
            if let lineage = try op.optionalInteger("lineage") { compare("lineage", "\(row.lineage)", "\(lineage)", from: "its parent's row") }
        }
        if let json = row.machine, let config = try? JSONDecoder().decode(MachineConfig.self, from: Data(json.utf8)) {
            let machine = "its machine configuration"
            compare("abi", row.abi, config.abi.compatible, from: machine)
            compare("page_size", "\(row.pageSize)", "\(config.pageSize)", from: machine)
            compare("memory_base", address(row.memoryBase), address(Int64(bitPattern: config.memoryBase)), from: machine)
            compare("memory_size", "\(row.memorySize)", "\(config.memorySize)", from: machine)
            compare("kernel", row.kernel ?? "NULL", config.kernel?.rawValue ?? "NULL", from: machine)
        }
        return found
    }
}
