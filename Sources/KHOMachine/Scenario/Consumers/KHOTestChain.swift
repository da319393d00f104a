import KHOABI

/// The 7.2-era KHO test module (`lib/test_kho.c` with `kho_superstate[]`,
/// KHO-ABI.md §11.4): four subtrees `kho_test0` … `kho_test3` handed along a
/// chain of three boots, chosen by the module parameters `second_boot` and
/// `third_boot` (``Boot``).
///
/// One boot of the module is `kho_test_early_alloc` (core_initcall: the data
/// of the boot's early subtree is generated) followed by `kho_test_init`
/// (module_init), which on
/// - the first boot preserves `kho_test0` (the early data), then generates
///   and preserves `kho_test1`;
/// - a `second_boot` restores `kho_test0` and `kho_test1`, then preserves
///   `kho_test2` (its data generated early) and generates and preserves
///   `kho_test3`;
/// - a `third_boot` restores `kho_test2` and `kho_test3`.
///
/// Like the module (`err |= …`), every part runs even when one before it
/// failed; the boot fails when any part did. Each restore says "KHO restore
/// succeeded" or "KHO restore failed". The emulated boot has no pageblock
/// migratetypes, so the module's `check_cma` (scratch must be CMA) always
/// passes; the early allocation runs when the step does, after the boot-time
/// pages of KHO (and LUO) the machine has already taken.
public enum KHOTestChain {
    /// The module parameters of one boot.
    public enum Boot: String, Hashable, Sendable, CaseIterable {
        /// Neither parameter: the chain's first boot.
        case first
        /// `second_boot=1`.
        case second = "second_boot"
        /// `third_boot=1` (wins over `second_boot`, as in the module).
        case third = "third_boot"

        /// `kho_superstate[]` entries: the one whose data is allocated
        /// early, the ones restored, the ones preserved.
        var early: KHOTestSubtree? {
            switch self {
            case .first: return KHOTestSubtree.chain[0]
            case .second: return KHOTestSubtree.chain[2]
            case .third: return nil
            }
        }

        var restored: ArraySlice<KHOTestSubtree> {
            switch self {
            case .first: return []
            case .second: return KHOTestSubtree.chain[0 ..< 2]
            case .third: return KHOTestSubtree.chain[2 ..< 4]
            }
        }

        var preserved: ArraySlice<KHOTestSubtree> {
            switch self {
            case .first: return KHOTestSubtree.chain[0 ..< 2]
            case .second: return KHOTestSubtree.chain[2 ..< 4]
            case .third: return []
            }
        }
    }

    /// What `kho_test_restore` logs when a subtree's data checks out.
    static let restoreSucceeded = "KHO restore succeeded"

    /// One boot of the module: one fact per subtree (`preserved`, or the
    /// restore's log line); a kernel error naming every part that failed.
    static func boot(_ boot: Boot, maxMem: UInt64?, on m: KHOMachine, random: inout SplitMix64) throws -> [ScenarioFact] {
        var facts: [ScenarioFact] = []
        var failures: [(subtree: KHOTestSubtree, error: MachineError)] = []
        func attempt(_ subtree: KHOTestSubtree, _ body: () throws -> String) throws {
            do {
                facts.append(.text(subtree.name, try body()))
            } catch let error as MachineError {
                failures.append((subtree, error))
            }
        }

        var early: KHOTestHandover.Data?
        if let subtree = boot.early {
            do {
                early = try KHOTestHandover.generate(subtree, maxMem: maxMem, on: m, random: &random)
            } catch let error as MachineError {
                failures.append((subtree, error))
            }
        }
        for subtree in boot.restored {
            try attempt(subtree) {
                _ = try KHOTestHandover.restore(subtree, on: m)
                return restoreSucceeded
            }
        }
        for subtree in boot.preserved {
            if subtree == boot.early {
                guard let early else { continue }
                try attempt(subtree) { _ = try KHOTestHandover.preserve(subtree, data: early, on: m); return "preserved" }
            } else {
                try attempt(subtree) {
                    let data = try KHOTestHandover.generate(subtree, maxMem: maxMem, on: m, random: &random)
                    _ = try KHOTestHandover.preserve(subtree, data: data, on: m)
                    return "preserved"
                }
            }
        }
        guard let first = failures.first else { return facts }
        let reasons = failures.map { "\($0.subtree): \($0.error)" }.joined(separator: "; ")
        throw MachineError.kernel(first.error.errno ?? .EINVAL, "kho_test_init: " + reasons)
    }
}
