import Foundation
import KHOTestSupport
import Testing

@Suite("kholedger abi, version, help")
struct ABICommandTests {
    @Test func helpListsCommands() throws {
        let result = try ToolRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("abi"))
        #expect(result.stdout.contains("version"))
    }

    @Test func version() throws {
        let result = try ToolRunner.run(["version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("kholedger "))
    }

    @Test func textAt4KiB() throws {
        let result = try ToolRunner.run(["abi"])
        #expect(result.status == 0)
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("KHO_VMALLOC_SIZE") })
        #expect(line.hasSuffix(" 511"))
    }

    @Test(arguments: [(4096, 511, 6, 6), (16384, 2047, 5, 4), (65536, 8191, 4, 4)])
    func json(row: (Int, Int, Int, Int)) throws {
        let result = try ToolRunner.run(["abi", "--page-size", "\(row.0)", "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["page_size"] as? Int == row.0)
        #expect(object["vmalloc_chunk_entries"] as? Int == row.1)
        #expect(object["tree_depth_fixed"] as? Int == row.2)
        #expect(object["tree_depth_original"] as? Int == row.3)
        #expect(object["original_depth_known_broken"] as? Bool == (row.2 != row.3))
    }

    @Test func badPageSizeIsOneClearError() throws {
        let result = try ToolRunner.run(["abi", "--page-size", "12345"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("12345"))
        #expect(result.stdout.isEmpty)
    }
}
