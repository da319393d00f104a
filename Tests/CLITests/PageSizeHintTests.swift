import Foundation
import KHOTestSupport
import Testing

/// A capture walked with the wrong page size (nothing in a capture records
/// it): `walk`, `import`, `restore --image` and `compat` fail in one line
/// that names the page size the capture reads with.
@Suite("Wrong page size: the error names the right one")
struct PageSizeHintTests {
    @Test func sixteenKiBCaptureReadAsFourKiB() throws {
        let ledger = try SimulatedLedger(example: "page-16k.yaml")
        let (elf, dtb) = (ledger.directory.path("h.elf"), ledger.directory.path("h.dtb"))
        _ = try ledger.json(["export", "--at", "gen:0", "--image", elf, "--fdt", dtb])
        let suffix = "with 4096-byte pages; this capture reads with --page-size 16384\n"
        for arguments in [["walk", "--fdt", dtb, "--image", elf],
                          ["import", "--fdt", dtb, "--image", elf, "--ledger", ledger.directory.path("imported.db")],
                          ["restore", "--fdt", dtb, "--image", elf, "--descriptor-phys", "0x100000000", "-o", ledger.directory.path("a.bin")],
                          ["compat", "--to", "7.1", "--fdt", dtb, "--image", elf]] {
            let result = try ToolRunner.run(arguments)
            #expect(result.status != 0, "\(arguments[0])")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.hasSuffix(suffix), "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments[0])")
        }
        #expect(!FileManager.default.fileExists(atPath: ledger.directory.path("imported.db")))
        let right = try ToolRunner.run(["walk", "--fdt", dtb, "--image", elf, "--page-size", "16384"])
        #expect(right.status == 0, "\(right.stderr)")
    }
}
