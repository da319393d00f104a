import Foundation
import KHOTestSupport
import Testing

/// An export opened with the debuggers people use on cores: gdb and drgn
/// read a vmalloc descriptor at its physical address (`p_vaddr` =
/// `p_paddr`), and the bytes are the ones `walk` decodes. Both tools are
/// installed by `scripts/ensure-deps.sh`.
@Suite("gdb and drgn read an export")
struct DebuggerReadsExportTests {
    /// The export of `huge-pages.yaml`'s first handover, and the descriptor
    /// address, first chunk and page count of its area `big` from `state`.
    private func exported() throws -> (ledger: SimulatedLedger, elf: String, descriptor: String, firstChunk: String, totalPages: Int) {
        let ledger = try SimulatedLedger(example: "huge-pages.yaml")
        let elf = ledger.directory.path("h.elf")
        _ = try ledger.json(["export", "--at", "gen:0", "--image", elf, "--fdt", ledger.directory.path("h.dtb")])
        let areas = try #require(try ledger.json(["state", "--at", "gen:0"])["areas"] as? [[String: Any]])
        let big = try #require(areas.first { $0["name"] as? String == "big" })
        return (ledger, elf, try #require(big["descriptor_phys"] as? String), try #require(big["first_chunk"] as? String),
                try #require(big["total_pages"] as? Int))
    }

    private static func tool(_ path: String) throws -> URL {
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is missing: run scripts/ensure-deps.sh")
        return URL(fileURLWithPath: path)
    }

    @Test func gdbPrintsTheDescriptor() throws {
        let (ledger, elf, descriptor, firstChunk, totalPages) = try exported()
        defer { withExtendedLifetime(ledger) {} }
        let gdb = try ToolRunner.run(Self.tool("/usr/bin/gdb"), ["-batch", "-nx", "-c", elf, "-ex", "x/2gx \(descriptor)"])
        #expect(gdb.status == 0, "\(gdb.stderr)")
        let words = try #require(gdb.stdout.split(separator: "\n").first { $0.hasPrefix("\(descriptor):") }, "\(gdb.stdout)")
            .split(whereSeparator: \.isWhitespace).dropFirst().compactMap { UInt64($0.dropFirst(2), radix: 16) }
        try #require(words.count == 2, "\(gdb.stdout)")
        #expect(words[0] == parseHex(firstChunk), "struct kho_vmalloc.first is the first chunk")
        #expect(words[1] & 0xFFFF_FFFF == UInt64(totalPages), "total_pages is the low half of the second word")
    }

    @Test func drgnReadsByPhysicalAddress() throws {
        let (ledger, elf, descriptor, firstChunk, _) = try exported()
        let script = ledger.directory.path("read.py")
        try "print(hex(prog.read_u64(\(descriptor), True)))\n".write(toFile: script, atomically: true, encoding: .utf8)
        let drgn = try ToolRunner.run(Self.tool("/usr/bin/drgn"), ["-q", "-c", elf, script])
        #expect(drgn.status == 0, "\(drgn.stderr)")
        #expect(drgn.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == firstChunk)
    }
}
