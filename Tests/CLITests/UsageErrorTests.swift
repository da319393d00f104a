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
