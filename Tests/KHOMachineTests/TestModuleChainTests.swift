import KHOABI
@testable import KHOMachine
import Testing

/// The 7.2-era `lib/test_kho.c` (`kho_superstate[]`, `kho_test_early_alloc`,
/// `kho_test_init`) as the `kho_test_init` op emulates it.
@Suite("Kernel fidelity: test_kho's kho_test0 … kho_test3 chain")
struct TestModuleChainTests {
    /// A 7.2 machine with its events recorded.
    private func machine() throws -> Recorder {
        try Recorder(memory: 128 << 20, seed: 11) { $0.kernel = .v7_2 }
    }

    /// The test module subtrees the machine's outgoing root FDT lists, each
    /// decoded with its own magic; `blob-size` must be the FDT's totalsize.
    private func outgoing(_ m: KHOMachine) throws -> [String: KHOTestFDT] {
        var found: [String: KHOTestFDT] = [:]
        for subtree in try m.rootFDT.decoded().subtrees {
            guard let known = KHOTestSubtree(name: subtree.name) else { continue }
            let tree = try m.readFDT(at: subtree.phys, subtree.name)
            #expect(subtree.size == UInt64(tree.bytes.count), "blob-size of \(subtree.name) is its totalsize")
            found[subtree.name] = try KHOTestFDT(tree: tree, format: .vmallocDescriptor, subtree: known)
        }
        return found
    }

    private func boot(_ boot: KHOTestChain.Boot, _ r: Recorder, seed: UInt64 = 1) throws -> [ScenarioFact] {
        var random = SplitMix64(seed: seed)
        return try KHOTestChain.boot(boot, maxMem: 64 << 10, on: r.machine, random: &random)
    }

    /// First boot: `kho_test0`'s data is allocated early (core_initcall),
    /// then module_init preserves it and allocates and preserves
    /// `kho_test1`; magics "KHO0" and "KHO1".
    @Test func firstBootPreservesTest0ThenTest1() throws {
        let r = try machine()
        let facts = try boot(.first, r)
        #expect(facts.map(\.description) == ["kho_test0 preserved", "kho_test1 preserved"])
        let fdts = try outgoing(r.machine)
        #expect(fdts.mapValues(\.magic) == ["kho_test0": 0x4b48_4f30, "kho_test1": 0x4b48_4f31])
        let order = r.events.compactMap { event -> String? in
            guard [.allocPages, .addSubtree].contains(event.kind), let subject = event.subject, subject.hasPrefix("kho_test") else { return nil }
            return "\(event.kind.rawValue) \(subject)"
        }.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        #expect(order == ["alloc_pages kho_test0/folio", "alloc_pages kho_test0", "add_subtree kho_test0",
                          "alloc_pages kho_test1/folio", "alloc_pages kho_test1", "add_subtree kho_test1"])
    }

    /// `second_boot`: `kho_test2`'s data is allocated before the restores of
    /// `kho_test0` and `kho_test1`; both log "KHO restore succeeded"; then
    /// `kho_test2` and `kho_test3` are preserved ("KHO2", "KHO3") and the
    /// first pair is not handed on.
    @Test func secondBootRestoresTheFirstPairAndPreservesTheNext() throws {
        let r = try machine()
        _ = try boot(.first, r)
        try r.machine.kexec()
        let start = r.events.count
        let facts = try boot(.second, r, seed: 2)
        #expect(facts.map(\.description) == ["kho_test0 KHO restore succeeded", "kho_test1 KHO restore succeeded",
                                             "kho_test2 preserved", "kho_test3 preserved"])
        #expect(try outgoing(r.machine).mapValues(\.magic) == ["kho_test2": 0x4b48_4f32, "kho_test3": 0x4b48_4f33])
        let events = r.events[start...]
        let early = try #require(events.firstIndex { $0.kind == .allocPages && $0.subject == "kho_test2/folio" })
        let firstRestore = try #require(events.firstIndex { $0.kind == .retrieveSubtree })
        #expect(early < firstRestore, "kho_test_early_alloc runs at core_initcall, before kho_test_init")
    }

    /// `third_boot` restores `kho_test2` and `kho_test3` and preserves nothing.
    @Test func thirdBootRestoresTheSecondPair() throws {
        let r = try machine()
        _ = try boot(.first, r)
        try r.machine.kexec()
        _ = try boot(.second, r, seed: 2)
        try r.machine.kexec()
        let facts = try boot(.third, r, seed: 3)
        #expect(facts.map(\.description) == ["kho_test2 KHO restore succeeded", "kho_test3 KHO restore succeeded"])
        #expect(try outgoing(r.machine).isEmpty)
    }

    /// `kho_test_init` ORs the errors (`err |= …`): a failed restore of
    /// `kho_test0` ("KHO restore failed") does not stop the restore of
    /// `kho_test1` nor the preservation of `kho_test2` and `kho_test3`; the
    /// boot fails naming the part that failed.
    @Test func aFailedRestoreDoesNotStopTheRestOfTheBoot() throws {
        let r = try machine()
        _ = try boot(.first, r)
        let folio = try #require(r.events.first { $0.kind == .preserveFolio && $0.subject == "kho_test0/folio" }?.extents.first)
        let byte = try r.machine.memory.read(folio.phys, count: 1)[0]
        try r.machine.write(phys: folio.phys, bytes: [byte == 0xff ? 1 : byte + 1])
        try r.machine.kexec()
        #expect {
            _ = try boot(.second, r, seed: 2)
        } throws: { error in
            guard let error = error as? MachineError, error.errno == .EINVAL else { return false }
            return error.description.contains("kho_test0: ") && error.description.contains("KHO restore failed")
                && !error.description.contains("kho_test1")
        }
        #expect(Set(try outgoing(r.machine).keys) == ["kho_test2", "kho_test3"])
        #expect(r.events.contains { $0.kind == .restoreVmalloc && $0.subject == "kho_test1/folios_info" && $0.outcome == .ok })
    }

    /// The chain runs on the releases whose module has it (7.2 on); the
    /// one-subtree ops do not run there, nor the chain on 7.1.
    @Test func theChainIsThe72ModulesOnly() throws {
        #expect(ScenarioOp.Name.khoTestInit.runs(on: .v7_2))
        #expect(ScenarioOp.Name.khoTestInit.runs(on: .v7_4))
        #expect(!ScenarioOp.Name.khoTestInit.runs(on: .v7_1))
        #expect(!ScenarioOp.Name.khoTestPreserve.runs(on: .v7_2))
        #expect {
            _ = try ScenarioRunner(try Scenario(yaml: "machine: {kernel: \"7.1\"}\nsteps:\n  - kho_test_init\n")).run()
        } throws: { error in
            guard case let .stepFailed(1, _, _, reason) = error as? ScenarioError else { return false }
            return reason.contains("Linux 7.1 does not; set machine.kernel to \"7.2\" or \"7.3\" or \"7.4\"")
        }
    }

    /// `third_boot` wins over `second_boot`, as `kho_test_init` checks it first.
    @Test func thirdBootParameterWins() throws {
        let scenario = try Scenario(yaml: "machine: {kernel: \"7.2\"}\nsteps:\n  - kho_test_init: {second_boot: true, third_boot: true}\n")
        #expect(scenario.steps.map(\.op) == [.khoTestInit(boot: .third, maxMem: nil)])
    }
}
