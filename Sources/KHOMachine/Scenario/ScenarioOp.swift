import KHOABI

/// One operation of a scenario step, with its arguments.
///
/// Addresses are ``ScenarioAddress`` values resolved when the step runs;
/// `as` names bind a step's result for later steps.
public enum ScenarioOp: Hashable, Sendable {
    /// The op names as written in scenario files.
    public enum Name: String, CaseIterable, Sendable {
        case vmalloc, vfree, write
        case writePhys = "write_phys"
        case allocPages = "alloc_pages", freePages = "free_pages"
        case preserveFolio = "preserve_folio", unpreserveFolio = "unpreserve_folio"
        case preservePages = "preserve_pages", unpreservePages = "unpreserve_pages"
        case restoreFolio = "restore_folio", restorePages = "restore_pages"
        case preserveVmalloc = "preserve_vmalloc", unpreserveVmalloc = "unpreserve_vmalloc"
        case restoreVmalloc = "restore_vmalloc"
        case allocPreserve = "alloc_preserve", unpreserveFree = "unpreserve_free", restoreFree = "restore_free"
        case addSubtree = "add_subtree", removeSubtree = "remove_subtree", retrieveSubtree = "retrieve_subtree"
        case kexec, check
        case exhaustMemory = "exhaust_memory"
        case memfdPreserve = "memfd_preserve", memfdRestore = "memfd_restore"
        case khoTestPreserve = "kho_test_preserve", khoTestRestore = "kho_test_restore"
        case khoTestInit = "kho_test_init"
    }

    case vmalloc(name: String, size: UInt64, huge: Bool, vmap: Bool, fill: ScenarioFill)
    case vfree(area: String)
    case write(area: String, offset: UInt64, content: ScenarioContent)
    case writePhys(ScenarioAddress, offset: UInt64, content: ScenarioContent)
    case allocPages(order: Int, as: String?)
    case freePages(ScenarioAddress)
    /// `order` nil: the bound folio's order (0 for a plain address).
    case preserveFolio(ScenarioAddress, order: Int?)
    case unpreserveFolio(ScenarioAddress, order: Int?)
    /// `count` nil: the bound object's pages.
    case preservePages(ScenarioAddress, count: UInt64?)
    case unpreservePages(ScenarioAddress, count: UInt64?)
    case restoreFolio(ScenarioAddress, as: String?)
    case restorePages(ScenarioAddress, count: UInt64?, as: String?)
    /// `chunks`: the number of chunk pages the call must use, if given.
    case preserveVmalloc(area: String, descriptor: ScenarioAddress, chunks: Int?)
    case unpreserveVmalloc(descriptor: ScenarioAddress, area: String?)
    case restoreVmalloc(descriptor: ScenarioAddress, as: String, chunks: Int?)
    case allocPreserve(size: UInt64, as: String?)
    case unpreserveFree(ScenarioAddress)
    case restoreFree(ScenarioAddress)
    /// `size` nil: the bound blob's size.
    case addSubtree(name: String, blob: ScenarioAddress, size: UInt64?)
    case removeSubtree(ScenarioAddress)
    case retrieveSubtree(name: String, as: String?)
    /// `carry`: names that stay bound in the next generation.
    case kexec(carry: [String])
    case check(ScenarioCheck)
    /// Allocates (without preserving) order-0 pages until `leave` frames are free.
    case exhaustMemory(leave: UInt64)
    case memfdPreserve(MemfdHandover.PreserveSpec)
    case memfdRestore(MemfdHandover.RestoreSpec)
    /// `maxMem` nil: the module's default, 2 × the largest folio.
    case khoTestPreserve(maxMem: UInt64?)
    case khoTestRestore
    /// One boot of the 7.2-era module; `maxMem` as for `khoTestPreserve`.
    case khoTestInit(boot: KHOTestChain.Boot, maxMem: UInt64?)

    /// The op's name.
    public var name: Name {
        switch self {
        case .vmalloc: return .vmalloc
        case .vfree: return .vfree
        case .write: return .write
        case .writePhys: return .writePhys
        case .allocPages: return .allocPages
        case .freePages: return .freePages
        case .preserveFolio: return .preserveFolio
        case .unpreserveFolio: return .unpreserveFolio
        case .preservePages: return .preservePages
        case .unpreservePages: return .unpreservePages
        case .restoreFolio: return .restoreFolio
        case .restorePages: return .restorePages
        case .preserveVmalloc: return .preserveVmalloc
        case .unpreserveVmalloc: return .unpreserveVmalloc
        case .restoreVmalloc: return .restoreVmalloc
        case .allocPreserve: return .allocPreserve
        case .unpreserveFree: return .unpreserveFree
        case .restoreFree: return .restoreFree
        case .addSubtree: return .addSubtree
        case .removeSubtree: return .removeSubtree
        case .retrieveSubtree: return .retrieveSubtree
        case .kexec: return .kexec
        case .check: return .check
        case .exhaustMemory: return .exhaustMemory
        case .memfdPreserve: return .memfdPreserve
        case .memfdRestore: return .memfdRestore
        case .khoTestPreserve: return .khoTestPreserve
        case .khoTestRestore: return .khoTestRestore
        case .khoTestInit: return .khoTestInit
        }
    }

    /// The object the step is about (area, name, address), for reports.
    public var subject: String? {
        switch self {
        case .vmalloc(let name, _, _, _, _), .vfree(let name), .write(let name, _, _),
             .preserveVmalloc(let name, _, _), .restoreVmalloc(_, let name, _),
             .addSubtree(let name, _, _), .retrieveSubtree(let name, _):
            return name
        case .writePhys(let address, _, _), .freePages(let address), .preserveFolio(let address, _),
             .unpreserveFolio(let address, _), .preservePages(let address, _), .unpreservePages(let address, _),
             .restoreFolio(let address, _), .restorePages(let address, _, _), .unpreserveFree(let address),
             .restoreFree(let address), .removeSubtree(let address):
            return address.description
        case .unpreserveVmalloc(let descriptor, let area):
            return area ?? descriptor.description
        case .allocPages(_, let name), .allocPreserve(_, let name):
            return name
        case .check(let check): return check.target.description
        case .memfdPreserve(let spec): return spec.name
        case .memfdRestore(let spec): return spec.file
        case .khoTestPreserve, .khoTestRestore: return KHOTestSubtree.single.name
        case .khoTestInit(let boot, _): return boot.rawValue
        case .kexec, .exhaustMemory: return nil
        }
    }
}
