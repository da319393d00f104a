import Foundation
import KHOTestSupport
import Testing

/// The 7.2-era test module's subtrees (`Examples/kho-test-chain.yaml`)
/// through `walk`, `show` and `import`: each `kho_test<i>` FDT is decoded
/// with its own magic and its folio array is found for restores.
@Suite("kholedger walk/show/import: test_kho's kho_test0 … kho_test3")
struct TestModuleChainCommandTests {
    @Test func walkShowAndImportDecodeTheChainsSubtrees() throws {
        let ledger = try SimulatedLedger(example: "kho-test-chain.yaml")
        let (elf, dtb) = (ledger.directory.path("g1.elf"), ledger.directory.path("g1.dtb"))
        _ = try ledger.json(["export", "--at", "gen:1", "--image", elf, "--fdt", dtb])

        let walk = try ArtifactFiles.json(["walk", "--fdt", dtb, "--image", elf])
        let decoded = try #require(walk["test_kho"] as? [[String: Any]])
        #expect(decoded.map { $0["subtree"] as? String } == ["kho_test3", "kho_test2"], "FDT order: newest first")
        #expect(decoded.map { $0["magic"] as? String } == ["KHO3", "KHO2"])
        #expect(decoded.allSatisfy { ($0["nr_folios"] as? Int ?? 0) > 0 && ($0["csum"] as? String)?.hasPrefix("0x") == true })

        let add = try #require(try ledger.seqs(["--kind", "add_subtree", "--subject", "kho_test2"]).first)
        let show = try ledger.kholedger(["show", "\(add)"])
        #expect(show.status == 0, "\(show.stderr)")
        let line = try #require(show.stdout.split(separator: "\n").first { $0.contains("test_kho:") })
        let shown = try #require(decoded.last)
        #expect(line == "  test_kho: magic KHO2, nr_folios \(shown["nr_folios"] as? Int ?? -1), csum \(shown["csum"] as? String ?? "?")")

        let imported = try ArtifactFiles.json(["import", "--fdt", dtb, "--image", elf, "--ledger", ledger.directory.path("imported.db")])
        let areas = try #require(imported["areas"] as? [[String: Any]])
        #expect(areas.map { $0["name"] as? String } == ["kho_test3/folios_info", "kho_test2/folios_info"])
        #expect(areas.map { $0["origin"] as? String } == ["kho_test3", "kho_test2"])
    }
}
