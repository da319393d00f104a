import KHOABI
import Testing

/// The release table: what each release produces, named as the kernel's
/// code does (docs/kernel-releases.md cites each row).
@Suite("Kernel releases")
struct KernelReleaseTests {
    @Test func releaseTable() {
        let abi = Dictionary(uniqueKeysWithValues: KernelRelease.allCases.map { ($0.rawValue, $0.abi) })
        #expect(abi == ["6.16": .v1a, "6.17": .v1a, "6.18": .v1b, "6.19": .v1b, "7.0": .v1b,
                        "7.1": .v3, "7.2": .v4, "7.3": .v4, "7.4": .v4])
        #expect(KernelRelease.allCases.filter(\.writesRootFDTAtFinalize) == [.v6_16, .v6_17, .v6_18])
        #expect(KernelRelease.allCases.filter(\.extendedScratch) == [.v7_3, .v7_4])
        #expect(KernelRelease.allCases.filter { $0.bootMemoryName == "bootmem" } == [.v7_4])
        #expect(KernelRelease.v7_4.bootMemoryFiles == ("bootmem_phys", "bootmem_len"))
        #expect(KernelRelease.v7_3.bootMemoryFiles == ("scratch_phys", "scratch_len"))
        #expect(KernelRelease.bootMemoryFiles(named: "bootmem") == ("bootmem_phys", "bootmem_len"))
        #expect(KernelRelease.allCases.filter(\.finalizesHandover) == [.v6_16, .v6_17, .v6_18, .v6_19, .v7_0])
        #expect(KernelRelease.allCases.map { $0.abi.addsKexecMetadata } == [false, false, false, false, false, true, true, true, true])
        #expect(KernelRelease.v6_19.liveUpdateFormat == .fdtV1 && KernelRelease.v7_2.liveUpdateFormat == .blocksV5)
        #expect(KernelRelease.v6_18.liveUpdateFormat == nil)
        #expect(KernelRelease.latest == .v7_4 && KernelRelease.v7_1.unameRelease == "7.1.0")
    }

    /// Behaviours that follow the ABI's code generation.
    @Test func abiBehaviours() {
        #expect(ABIGeneration.allCases.filter(\.restoreChecksMaxPageOrder) == [.v1a, .v1b, .v2])
        #expect(ABIGeneration.allCases.filter(\.splitsAtNUMANodes) == [.v3, .v4, .v4c])
        #expect(ABIGeneration.allCases.filter { !$0.restoreChecksMagic } == [.v1a])
        #expect(ABIGeneration.v2.subtreeAddFailure == .leavesEmptyNode && ABIGeneration.v3.subtreeAddFailure == .removesNode)
        #expect(KernelRelease.allCases.map(\.subtreeAddFailure) == [.finalizeWriteCode, .finalizeWriteCode, .finalizeWriteCode,
                                                                  .leavesEmptyNode, .leavesEmptyNode, .removesNode, .removesNode,
                                                                  .removesNode, .removesNode])
    }

    @Test(arguments: [("7.1", KernelRelease.v7_1), ("v6.19", .v6_19), ("7.4.0", .v7_4), ("6.18.3-rc2", .v6_18), ("7.0", .v7_0)])
    func parsesReleaseNames(name: String, release: KernelRelease) {
        #expect(KernelRelease(name: name) == release)
    }

    @Test(arguments: ["7", "7.5", "7.1x", "7.1.x", "", "latest", "6.1"])
    func refusesOtherNames(name: String) {
        #expect(KernelRelease(name: name) == nil)
    }

    /// `fdt_node_check_compatible`: one entry of the list must be exactly the string.
    @Test func compatibleListMatchesAnyEntry() {
        let list = Array("kho-v3\0kho-v4\0".utf8)
        #expect(ABIGeneration.v4.isListed(inCompatible: list) && ABIGeneration.v3.isListed(inCompatible: list))
        #expect(!ABIGeneration.v2.isListed(inCompatible: list))
        #expect(!ABIGeneration.v4.isListed(inCompatible: Array("kho-v4;radix-v1;vmalloc-v1\0".utf8)))
    }
}
