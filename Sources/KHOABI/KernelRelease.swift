/// A Linux release whose KHO behaviour kholedger models: the unit of
/// emulation. Each release maps to the handover ABI it produces and to the
/// behaviours that differ between releases; the emulator, the readers and
/// `compat` consult this table, and nothing else branches on version strings.
///
/// Behaviours that follow the ABI's code generation (restore checks, the NUMA
/// cut, kexec-metadata, subtree-add failures) live on ``ABIGeneration``, so an
/// explicit `abi:` override brings its own; the ones here are the release's
/// alone. `docs/kernel-releases.md` cites the kernel file and function of each.
public enum KernelRelease: String, Sendable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    case v6_16 = "6.16", v6_17 = "6.17", v6_18 = "6.18", v6_19 = "6.19", v7_0 = "7.0"
    case v7_1 = "7.1", v7_2 = "7.2", v7_3 = "7.3", v7_4 = "7.4"

    /// The release a machine follows unless a scenario names another.
    public static let latest = KernelRelease.v7_4

    /// Parses a release name: `7.1`, `v7.1`, or a `uname -r` such as
    /// `7.1.0` or `7.1.3-rc2` (the first two numbers count).
    public init?(name: String) {
        let text = name.hasPrefix("v") ? String(name.dropFirst()) : name
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count == 2 || parts[2].first?.isNumber == true,
              let release = KernelRelease(rawValue: "\(parts[0]).\(parts[1])") else { return nil }
        self = release
    }

    public var description: String { rawValue }

    /// What `uname -r` prints for the emulated kernel (kexec-metadata's
    /// `previous_release`).
    public var unameRelease: String { rawValue + ".0" }

    /// The handover ABI the release produces (KHO-ABI.md §8, §11.3).
    public var abi: ABIGeneration {
        switch self {
        case .v6_16, .v6_17: return .v1a
        case .v6_18, .v6_19, .v7_0: return .v1b
        case .v7_1: return .v3
        case .v7_2, .v7_3, .v7_4: return .v4
        }
    }

    /// What the release calls the memory the next kernel boots from:
    /// "scratch" up to 7.3, "bootmem" from 7.4 (debugfs `out/bootmem_phys`,
    /// boot parameter `kho_bootmem=`).
    public var bootMemoryName: String { self >= .v7_4 ? "bootmem" : "scratch" }

    /// The debugfs file names listing the boot-memory ranges (addresses, sizes).
    public var bootMemoryFiles: (phys: String, length: String) { Self.bootMemoryFiles(named: bootMemoryName) }

    /// The debugfs file names listing boot memory a kernel calls `name`
    /// (addresses, sizes): `<name>_phys`, `<name>_len`.
    public static func bootMemoryFiles(named name: String) -> (phys: String, length: String) {
        (name + "_phys", name + "_len")
    }

    /// 6.16 – 7.0: the handover is serialized only when it is finalized
    /// (debugfs `out/finalize`, which reads 0 or 1); later releases have no
    /// such file and keep the handover serialized.
    public var finalizesHandover: Bool { self <= .v7_0 }

    /// 7.3+ ("kho: extend scratch"): the incoming kernel's early allocations
    /// may come from any range the incoming tracker leaves unpreserved, not
    /// only from the handed-over scratch areas.
    public var extendedScratch: Bool { self >= .v7_3 }

    /// The Live Update Orchestrator format the release writes, `nil` before
    /// LUO existed (6.19).
    public var liveUpdateFormat: LiveUpdateFormat? {
        switch self {
        case .v6_16, .v6_17, .v6_18: return nil
        case .v6_19, .v7_0, .v7_1: return .fdtV1
        case .v7_2, .v7_3, .v7_4: return .blocksV5
        }
    }

    /// The `lib/test_kho.c` layout the release's test module writes.
    public var testModule: TestModuleLayout {
        switch self {
        case .v6_16, .v6_17: return .physArray
        case .v6_18, .v6_19, .v7_0, .v7_1: return .vmallocArray
        case .v7_2, .v7_3, .v7_4: return .fourSubtrees
        }
    }

    /// 6.16 – 6.18 write the whole root FDT at finalize (consumers add their
    /// subtrees from the finalize notifier, with sequential-write calls);
    /// 6.19 on create it at init with `preserved-memory-map` = 0 and edit it
    /// in place (a kho-v1 kernel patches the map at finalize).
    public var writesRootFDTAtFinalize: Bool { self <= .v6_18 }

    /// How `kho_add_subtree` fails on this release: the ABI code's way, or
    /// (6.16 – 6.18) with the libfdt code of the finalize-time write.
    public var subtreeAddFailure: ABIGeneration.SubtreeAddFailure {
        writesRootFDTAtFinalize ? .finalizeWriteCode : abi.subtreeAddFailure
    }

    public static func < (a: KernelRelease, b: KernelRelease) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The releases that produce `abi`.
    public static func producing(_ abi: ABIGeneration) -> [KernelRelease] {
        allCases.filter { $0.abi == abi }
    }

    /// The LUO layouts (KHO-ABI.md §7.3).
    public enum LiveUpdateFormat: String, Sendable, Codable {
        /// `LUO` subtree is an FDT, compatible `luo-v1` (6.19 – 7.1).
        case fdtV1 = "luo-v1"
        /// `LUO` subtree is a raw `luo_ser` with KHO block chains, `luo-v5` (7.2+).
        case blocksV5 = "luo-v5"
    }

    /// The test module layouts (KHO-ABI.md §7.1, §11.4).
    public enum TestModuleLayout: String, Sendable, Codable {
        /// One `kho_test` FDT whose `folios_info` is an array of `phys | order`.
        case physArray = "kho_test, folios_info array"
        /// One `kho_test` FDT whose `folios_info` is a vmalloc descriptor.
        case vmallocArray = "kho_test, folios_info vmalloc descriptor"
        /// Four subtrees `kho_test0` … `kho_test3` (magics "KHO0" … "KHO3")
        /// and a three-boot chain.
        case fourSubtrees = "kho_test0 … kho_test3"
    }
}
