import KHOABI

extension ScenarioOp.Name {
    /// The consumer format an op writes, when only some releases' kernels
    /// write it: nil for the KHO calls, which every release makes.
    var consumerFormat: (describe: String, runs: (KernelRelease) -> Bool)? {
        switch self {
        case .memfdPreserve, .memfdRestore:
            return ("LUO's luo-v1 FDT", { $0.liveUpdateFormat == .fdtV1 })
        case .khoTestPreserve, .khoTestRestore:
            return ("test_kho's one kho_test FDT with a vmalloc'd folios_info", { $0.testModule == .vmallocArray })
        case .khoTestInit:
            return ("test_kho's kho_test0 … kho_test3 chain", { $0.testModule == .fourSubtrees })
        default:
            return nil
        }
    }

    /// True when a kernel of `release` writes what this op emulates.
    public func runs(on release: KernelRelease) -> Bool { consumerFormat?.runs(release) ?? true }
}

extension Scenario {
    /// The emulated releases on which every op of the scenario runs: its
    /// consumer ops (LUO, test_kho) follow one release's format.
    public var releases: [KernelRelease] {
        let names = Set(steps.map(\.op.name))
        return KernelRelease.allCases.filter { release in release.isEmulated && names.allSatisfy { $0.runs(on: release) } }
    }
}
