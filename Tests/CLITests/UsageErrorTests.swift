import Foundation
import KHOTestSupport
import Testing

/// A command line the parser rejects gets one `error:` line naming the bad
/// value and where to look, exit status 64, and nothing on standard output.
@Suite("Usage errors")
struct UsageErrorTests {
    @Test(arguments: [
        (["state", "--at"], "error: Missing value for '--at <point>' (see 'kholedger state --help' for more information)"),
        (["state", "--bogus"], "error: Unknown option '--bogus' (see 'kholedger state --help' for more information)"),
        (["abi", "--page-size", "5"], "error: unsupported page size 5: use 4096, 16384 or 65536 (see 'kholedger abi --help' for more information)"),
        (["import", "--image", "h.elf"], "error: give the root FDT: --fdt FILE or --debugfs FOLDER (see 'kholedger import --help' for more information)"),
        (["import", "--fdt", "h.dtb", "--debugfs", "kho", "--image", "h.elf"],
         "error: --fdt and --debugfs both give the root FDT: use one (see 'kholedger import --help' for more information)"),
        (["import", "--debugfs", "kho", "--image", "h.elf", "--kernel", "7.9"],
         "error: unknown kernel release \"7.9\": use one of 6.16, 6.17, 6.18, 6.19, 7.0, 7.1, 7.2, 7.3, 7.4 (see 'kholedger import --help' for more information)"),
        (["frobnicate"], "error: Unexpected argument 'frobnicate' (see 'kholedger --help' for more information)"),
        (["stat", "--at", "gen:0"], "error: unknown command 'stat'. Did you mean 'state'? (see 'kholedger --help' for every command)"),
        (["hisotry"], "error: unknown command 'hisotry'. Did you mean 'history'? (see 'kholedger --help' for every command)"),
        (["audit", "--generation", "abc"], "error: The value 'abc' is invalid for '--generation <generation>' (see 'kholedger audit --help' for more information)"),
    ])
    func oneLine(arguments: [String], expected: String) throws {
        let result = try ToolRunner.run(arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == expected + "\n")
    }

    @Test func helpStillPrintsInFull() throws {
        let result = try ToolRunner.run(["help", "state"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("OVERVIEW:") && result.stdout.contains("USAGE:"))
    }
}
