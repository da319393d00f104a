import KHOABI
@testable import KHOMachine
import Testing

/// LUO as `luo_core.c` (7.1, luo-v1) runs it: with the `liveupdate` boot
/// parameter, `luo_late_startup` → `luo_fdt_setup` makes and hands over the
/// `LUO` FDT at every boot, not on first use.
@Suite("Kernel fidelity: LUO at boot")
struct LiveUpdateBootTests {
    private func run(_ yaml: String) throws -> ScenarioRunner {
        let runner = ScenarioRunner(try Scenario(yaml: yaml))
        _ = try runner.run()
        return runner
    }

    /// The outgoing `LUO` subtree, decoded; its `blob-size` is the FDT's totalsize.
    private func outgoingLUO(_ m: KHOMachine) throws -> LUOFDT? {
        guard let subtree = try m.rootFDT.decoded().subtrees.first(where: { $0.name == LUOFDT.subtreeName }) else { return nil }
        let tree = try m.readFDT(at: subtree.phys, "LUO")
        #expect(subtree.size == UInt64(tree.bytes.count))
        return try LUOFDT(tree: tree)
    }

    /// A boot with nothing preserved through LUO still hands over its FDT:
    /// `liveupdate-number` 1, then 2 after a kexec; the session header block
    /// (16 pages) and the FLB block (one page, `pgcnt` 1) are preserved.
    @Test func everyBootMakesTheLUOFDT() throws {
        let runner = try run("machine: {kernel: \"7.1\", memory: 64MiB, liveupdate: true}\nsteps:\n  - kexec\n")
        let m = try #require(runner.machine)
        let luo = try #require(try outgoingLUO(m), "generation 1 made its LUO FDT at boot")
        #expect(luo.liveupdateNumber == 2)
        let blocks = try m.preservedBlocks()
        #expect(blocks.contains(PreservedBlock(phys: luo.sessionHeaderPhys, order: 4)))
        let flb = try #require(luo.flbHeaderPhys)
        #expect(blocks.contains(PreservedBlock(phys: flb, order: 0)))
        #expect(try LUOFLBHeaderSer(bytes: m.memory.read(flb, count: LUOFLBHeaderSer.byteCount)) == LUOFLBHeaderSer(pageCount: 1, count: 0))
        let incoming = try #require(m.incoming?.subtreeNames)
        #expect(incoming.contains(LUOFDT.subtreeName), "generation 0's LUO FDT was handed over unused")
    }

    /// Without `liveupdate` (the kernel's default) there is no LUO: no
    /// subtree, and the memfd ops cannot run.
    @Test func withoutTheParameterThereIsNoLUO() throws {
        let runner = try run("machine: {kernel: \"7.1\", memory: 64MiB}\nsteps:\n  - kexec\n")
        #expect(try outgoingLUO(try #require(runner.machine)) == nil)
        #expect {
            _ = try run("machine: {kernel: \"7.1\", memory: 64MiB}\nsteps:\n  - memfd_preserve: {size: 1 page}\n")
        } throws: { error in
            guard case let .stepFailed(1, _, _, reason) = error as? ScenarioError else { return false }
            return reason.contains("set machine liveupdate: true")
        }
    }

    /// One LUO per boot: two memfds of one session go into its file block and
    /// are serialized at kexec (`liveupdate_reboot`); both restore.
    @Test func twoMemfdsShareTheBootsLUO() throws {
        let runner = try run("""
            machine: {kernel: "7.1", memory: 64MiB, liveupdate: true}
            steps:
              - memfd_preserve: {name: a, size: 2 pages, text: "a", token: 1}
              - memfd_preserve: {name: b, size: 3 pages, text: "b", token: 2}
              - kexec
              - memfd_restore: {as: a, token: 1}
              - memfd_restore: {as: b, token: 2}
            """)
        #expect(runner.files["b"] == [UInt8](repeating: UInt8(ascii: "b"), count: 3 * 4096))
        #expect(runner.files["a"]?.count == 2 * 4096)
    }

    /// A memfd larger than one fill piece (``MemfdHandover/fillPiece``) is
    /// filled piece by piece and restores to the digest of the whole fill.
    @Test func aFileOfManyFillPiecesRestoresWhole() throws {
        let pages = MemfdHandover.fillPiece / 4096 + 300
        let runner = try run("""
            machine: {kernel: "7.1", memory: 256MiB, liveupdate: true}
            steps:
              - memfd_preserve: {name: a, size: \(pages) pages, fill: random, token: 1, record: before}
              - kexec
              - memfd_restore: {as: a, token: 1, sha256: before}
            """)
        let file = try #require(runner.files["a"])
        #expect(file.count == pages * 4096)
        // The pieces past the first were written too.
        #expect(file.suffix(4096).contains { $0 != 0 } && file[MemfdHandover.fillPiece ..< MemfdHandover.fillPiece + 4096].contains { $0 != 0 })
    }

    /// luo-v5 (7.2 on) is not emulated: asking for live update there is a
    /// configuration error naming the release.
    @Test func liveUpdateOnALuoV5ReleaseIsRefused() {
        #expect {
            _ = try Scenario(yaml: "machine: {kernel: \"7.2\", liveupdate: true}\nsteps:\n  - kexec\n")
        } throws: { error in
            "\(error)".contains("Linux 7.2's LUO (luo-v5) is not emulated; use kernel 6.19 or 7.0 or 7.1")
        }
    }
}
