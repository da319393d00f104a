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

    /// `abi --kernel R` reports the release's behaviours, text and JSON alike.
    @Test(arguments: [("6.18", "kho-v1", "yes", "no", "scratch", "whole, at finalize"),
                      ("7.0", "kho-v1", "yes", "no", "scratch", "at init (map 0), map set at finalize"),
                      ("7.1", "kho-v3", "no", "yes", "scratch", "at init, edited in place"),
                      ("7.4", "kho-v4", "no", "yes", "bootmem", "at init, edited in place")])
    func kernelRelease(row: (String, String, String, String, String, String)) throws {
        let (release, compatible, maxOrderCheck, metadata, bootMemory, rootFDT) = row
        let json = try ToolRunner.run(["abi", "--kernel", release, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["kernel"] as? String == release && object["compatible"] as? String == compatible)
        #expect(object["restore_checks_max_page_order"] as? String == maxOrderCheck)
        #expect(object["kexec_metadata"] as? String == metadata && object["boot_memory"] as? String == bootMemory)
        #expect(object["root_fdt"] as? String == rootFDT)
        let text = try ToolRunner.run(["abi", "--kernel", release])
        #expect(text.stdout.hasPrefix("KHO behaviour of Linux \(release) (uname -r \(release).0)\n"))
        let line = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("root FDT compatible") })
        #expect(line.contains(" \(compatible) ") && line.hasSuffix("KHO_FDT_COMPATIBLE"))
    }

    @Test func unknownKernelReleaseListsTheKnownOnes() throws {
        let result = try ToolRunner.run(["abi", "--kernel", "7.9"])
        #expect(result.status != 0 && result.stdout.isEmpty)
        #expect(result.stderr.contains("unknown kernel release \"7.9\": use one of 6.16, 6.17, 6.18, 6.19, 7.0, 7.1, 7.2, 7.3, 7.4"))
    }

    @Test func badPageSizeIsOneClearError() throws {
        let result = try ToolRunner.run(["abi", "--page-size", "12345"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("12345"))
        #expect(result.stdout.isEmpty)
    }

    /// `compat --to R` on a simulated ledger: 7.1's own handover is taken by
    /// 7.1 (exit 0) and refused by 7.4 (exit 1), in text and JSON.
    @Test func compatAgainstALedger() throws {
        let directory = try TemporaryDirectory("compat")
        let ledger = directory.path("ledger.db")
        let simulate = try ToolRunner.run(["simulate", ToolRunner.examples.appendingPathComponent("memfd-luo.yaml").path, "--ledger", ledger, "--quiet"])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let same = try ToolRunner.run(["compat", "--to", "7.1", "--at", "gen:0", "--ledger", ledger])
        #expect(same.status == 0 && same.stdout.hasPrefix("Linux 7.1 takes this handover\n"), "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("LUO             accepted  luo_early_startup reads luo-v1"))
        let later = try ToolRunner.run(["compat", "--to", "7.4", "--at", "gen:0", "--ledger", ledger, "--format", "json"])
        #expect(later.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(later.stdout.utf8)) as? [String: Any])
        #expect(object["accepted"] as? Bool == false && object["target"] as? String == "7.4")
        let root = try #require((object["findings"] as? [[String: Any]])?.first)
        #expect(root["part"] as? String == "root" && root["verdict"] as? String == "refused")
        let missing = try ToolRunner.run(["compat", "--to", "7.1", "--ledger", directory.path("absent.db")])
        #expect(missing.status == 2 && missing.stderr.hasPrefix("error: "))
    }
}
