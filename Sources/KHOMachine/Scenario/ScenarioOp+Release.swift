import KHOABI

extension ScenarioOp.Name {
    /// What the op needs from the kernel when only some releases have it: a
    /// consumer format (LUO, test_kho) or a KHO call added after 6.16. Nil
    /// for what every release does.
    var requirement: (describe: String, runs: (KernelRelease) -> Bool)? {
        switch self {
        case .memfdPreserve, .memfdRestore:
            return ("writes LUO's luo-v1 FDT", { $0.liveUpdateFormat == .fdtV1 })
        case .khoTestPreserve, .khoTestRestore:
            return ("writes test_kho's one kho_test FDT with a vmalloc'd folios_info", { $0.testModule == .vmallocArray })
        case .khoTestInit:
            return ("runs test_kho's kho_test0 … kho_test3 chain", { $0.testModule == .fourSubtrees })
        default:
            guard let (function, first) = kernelCall else { return nil }
            return ("calls \(function)", { $0 >= first })
        }
    }

    /// The KHO call the op emulates and the first release whose
    /// `kexec_handover.c` exports it, for calls 6.16 lacks: 6.16 has
    /// preserve_folio, preserve_phys (the page-range split of
    /// `preserve_pages`), restore_folio, add_subtree and retrieve_subtree;
    /// 6.18 adds preserve_pages, restore_pages and vmalloc preserve and
    /// restore; 6.19 adds the unpreserve calls, the alloc_preserve family
    /// and remove_subtree.
    private var kernelCall: (function: String, first: KernelRelease)? {
        switch self {
        case .restorePages: return ("kho_restore_pages", .v6_18)
        case .preserveVmalloc: return ("kho_preserve_vmalloc", .v6_18)
        case .restoreVmalloc: return ("kho_restore_vmalloc", .v6_18)
        case .unpreserveFolio: return ("kho_unpreserve_folio", .v6_19)
        case .unpreservePages: return ("kho_unpreserve_pages", .v6_19)
        case .unpreserveVmalloc: return ("kho_unpreserve_vmalloc", .v6_19)
        case .allocPreserve: return ("kho_alloc_preserve", .v6_19)
        case .unpreserveFree: return ("kho_unpreserve_free", .v6_19)
        case .restoreFree: return ("kho_restore_free", .v6_19)
        case .removeSubtree: return ("kho_remove_subtree", .v6_19)
        default: return nil
        }
    }

    /// True when a kernel of `release` has what this op emulates.
    public func runs(on release: KernelRelease) -> Bool { requirement?.runs(release) ?? true }
}

extension Scenario {
    /// The releases on which every op of the scenario runs: its
    /// consumer ops (LUO, test_kho) follow one release's format, and KHO
    /// calls added after 6.16 need a release that has them.
    public var releases: [KernelRelease] {
        let names = Set(steps.map(\.op.name))
        return KernelRelease.allCases.filter { release in names.allSatisfy { $0.runs(on: release) } }
    }
}
