import KHOABI
import Testing

/// `compat`'s rules: the target release's kho_populate and its own subtree readers.
@Suite("Handover compatibility")
struct HandoverCompatibilityTests {
    private func metadata(_ release: String) throws -> HandoverCompatibility.Subtree {
        .init(name: KexecMetadata.subtreeName, blob: try KexecMetadata(previousRelease: release, kexecCount: 1).encode())
    }

    /// Every pair of releases: the root is taken exactly when the target's
    /// string is the source's (one ABI per release, kho-v1 shared by 6.16 – 7.0).
    @Test func everyPairOfReleases() throws {
        for source in KernelRelease.allCases {
            for target in KernelRelease.allCases {
                let result = HandoverCompatibility(target: target, compatible: Array(source.abi.compatible.utf8) + [0],
                                                   subtrees: source.abi.addsKexecMetadata ? [try metadata(source.unameRelease)] : [])
                #expect(result.isAccepted == (source.abi.compatible == target.abi.compatible), "\(source) → \(target)")
                #expect(result.findings.first?.part == "root")
                if result.isAccepted, source.abi.addsKexecMetadata {
                    #expect(result.findings.last?.verdict == (target.abi.addsKexecMetadata ? .accepted : .ignored))
                }
            }
        }
    }

    /// kho-v1 does not name its bitmap size: when the handover's layout is
    /// known, a target with the other layout refuses it (it would misread
    /// the tracker); unknown, the root is taken as the string allows.
    @Test func knownBitmapLayoutMustMatch() {
        let v1 = Array("kho-v1\0".utf8)
        for source in KernelRelease.allCases.compactMap(\.abi.bitmapVariant) {
            for target in KernelRelease.allCases where target.abi.bitmapVariant != nil {
                let result = HandoverCompatibility(target: target, compatible: v1, subtrees: [], bitmapVariant: source)
                #expect(result.isAccepted == (target.abi.bitmapVariant == source), "\(source) → \(target)")
            }
        }
        #expect(HandoverCompatibility(target: .v6_16, compatible: v1, subtrees: []).isAccepted)
        #expect(!HandoverCompatibility(target: .v7_1, compatible: v1, subtrees: [], bitmapVariant: .v1a).isAccepted)
    }

    @Test func anyEntryOfTheCompatibleListCounts() {
        let list = Array("kho-v3\0kho-v4\0".utf8)
        #expect(HandoverCompatibility(target: .v7_4, compatible: list, subtrees: []).isAccepted)
        #expect(HandoverCompatibility(target: .v7_1, compatible: list, subtrees: []).isAccepted)
        #expect(!HandoverCompatibility(target: .v7_4, compatible: Array("kho-v4;radix-v1;vmalloc-v1\0".utf8), subtrees: []).isAccepted,
                "the abandoned RFC string is not kho-v4")
    }

    /// LUO: a luo-v1 FDT is read by 6.19 – 7.1 and fails LUO on a luo-v5 release.
    @Test func liveUpdateFormatMustMatch() throws {
        let luo = HandoverCompatibility.Subtree(name: LUOFDT.subtreeName,
                                                blob: try LUOFDT(liveupdateNumber: 1, sessionHeaderPhys: 0x1000).encode())
        let v4 = Array("kho-v4\0".utf8)
        #expect(HandoverCompatibility(target: .v7_1, compatible: Array("kho-v3\0".utf8), subtrees: [luo]).isAccepted)
        let later = HandoverCompatibility(target: .v7_2, compatible: v4, subtrees: [luo])
        #expect(!later.isAccepted)
        #expect(later.findings.last?.reason.contains("finds luo-v1, Linux 7.2 reads luo-v5") == true)
    }

    /// test_kho: the 7.2-era module reads `kho_test0` … `kho_test3`, each with
    /// its own magic, and ignores the older `kho_test`; 7.1's reads `kho_test` only.
    @Test func testModuleSubtreesAreReadByTheirReleasesModule() throws {
        let descriptor = [UInt8](repeating: 0, count: KHOTestFoliosInfo.descriptorSize)
        func blob(_ subtree: KHOTestSubtree, magic: UInt32? = nil) throws -> HandoverCompatibility.Subtree {
            .init(name: subtree.name, blob: try KHOTestFDT(nrFolios: 1, csum: 2, foliosInfo: .vmallocDescriptor(descriptor),
                                                          magic: magic ?? subtree.magic).encode())
        }
        let v4 = Array("kho-v4\0".utf8)
        let chain = HandoverCompatibility(target: .v7_2, compatible: v4, subtrees: try KHOTestSubtree.chain.map { try blob($0) })
        #expect(chain.isAccepted)
        #expect(chain.findings.dropFirst().map(\.verdict) == [.accepted, .accepted, .accepted, .accepted])
        let swapped = HandoverCompatibility(target: .v7_2, compatible: v4, subtrees: [try blob(KHOTestSubtree.chain[0], magic: KHOTestSubtree.chain[1].magic)])
        #expect(swapped.findings.last?.verdict == .refused, "kho_test0 must carry KHO0")
        let old = HandoverCompatibility(target: .v7_2, compatible: v4, subtrees: [try blob(.single)])
        #expect(old.findings.last?.verdict == .ignored)
        #expect(old.findings.last?.reason == "Linux 7.2's test_kho looks for kho_test0 … kho_test3 only")
        let v3 = HandoverCompatibility(target: .v7_1, compatible: Array("kho-v3\0".utf8), subtrees: [try blob(KHOTestSubtree.chain[0])])
        #expect(v3.findings.last?.reason == "Linux 7.1's test_kho looks for kho_test only")
    }

    @Test func otherSubtreesAreTheirConsumersBusiness() {
        let result = HandoverCompatibility(target: .v7_4, compatible: Array("kho-v4\0".utf8), subtrees: [.init(name: "app", blob: [1, 2])])
        #expect(result.isAccepted && result.findings.last?.verdict == .ignored)
    }
}
