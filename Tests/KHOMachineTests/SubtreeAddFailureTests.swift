import KHOABI
@testable import KHOMachine
import Testing

/// `kho_add_subtree` when the root FDT page runs out of room, per release:
/// 7.1+ delete the new node and return -ENOMEM; 6.19, 7.0 and the kho-v2
/// code return `fdt_setprop`'s raw libfdt code (-FDT_ERR_NOSPACE = -3, which
/// reads as -ESRCH) and leave the empty node, which the next kernel cannot
/// retrieve (-EINVAL); 6.16 – 6.18 write subtrees at finalize with
/// sequential writes and return their libfdt code.
@Suite("Kernel fidelity: kho_add_subtree failures")
struct SubtreeAddFailureTests {
    /// A name whose node just fits in the free space of the root page,
    /// leaving 4 – 7 bytes: too few for any property.
    private func nameFillingThePage(_ m: KHOMachine) -> String {
        let free = m.geometry.pageSize - m.rootFDT.tree.bytes.count
        // FDT_BEGIN_NODE (4), the name and its NUL padded to 4, FDT_END_NODE (4).
        let padded = (free - 8 - 4) / 4 * 4
        return String(repeating: "n", count: padded - 1)
    }

    private func subnodeNames(_ m: KHOMachine) throws -> [String] {
        try m.rootFDT.tree.subnodes(of: .root).map(\.name)
    }

    @Test(arguments: [KernelRelease.v6_19, .v7_0])
    func emptyNodeStaysBefore71(release: KernelRelease) throws {
        let r = try Recorder { $0.kernel = release }
        try leavesEmptyNode(r.machine)
    }

    @Test func khoV2LeavesEmptyNode() throws {
        try leavesEmptyNode(Recorder { $0.abi = .v2 }.machine)
    }

    private func leavesEmptyNode(_ m: KHOMachine) throws {
        let name = nameFillingThePage(m)
        let blob = try m.allocPages(order: 0)
        expectErrno(.ESRCH) { try m.addSubtree(name: name, phys: blob, size: 16) }
        #expect(try subnodeNames(m).contains(name))
        #expect(try m.memory.read(m.fdtPhys, count: m.rootFDT.tree.bytes.count) == m.rootFDT.tree.bytes)
        try m.kexec()
        expectErrno(.EINVAL) { _ = try m.retrieveSubtree(name: name) }
    }

    @Test(arguments: [KernelRelease.v7_1, .v7_4])
    func nodeRemovedFrom71(release: KernelRelease) throws {
        let m = try Recorder { $0.kernel = release }.machine
        let before = try subnodeNames(m)
        let blob = try m.allocPages(order: 0)
        expectErrno(.ENOMEM) { try m.addSubtree(name: nameFillingThePage(m), phys: blob, size: 16) }
        #expect(try subnodeNames(m) == before)
    }

    /// 6.16 – 6.18: the sequential-write node of a subtree that does not fit
    /// fails with libfdt's code; the subtrees added before are handed over.
    @Test(arguments: [KernelRelease.v6_16, .v6_18])
    func finalizeSubtreesFailWithTheirLibfdtCode(release: KernelRelease) throws {
        let m = try Recorder { $0.kernel = release }.machine
        let blob = try m.allocPages(order: 0)
        let long = String(repeating: "s", count: 200)
        var added: [String] = []
        while true {
            let name = "\(long)\(added.count)"
            do {
                try m.addSubtree(name: name, phys: blob, size: 16)
                added.append(name)
            } catch {
                #expect(error.errno == .ESRCH, "-FDT_ERR_NOSPACE as is: \(error)")
                break
            }
        }
        #expect(added.count > 10 && m.finalizeSubtrees.map(\.name) == added)
        try m.kexec()
        #expect(try m.incoming?.subtreeNames == added)
    }
}
