import Foundation
import KHOABI

/// Everything one machine call did, for whoever records it (the ledger).
///
/// The machine emits one event per call, successful or not, in call order.
/// Events carry values only; the machine knows nothing about storage.
public struct MachineEvent: Sendable {
    /// What kind of call this was.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case boot, vmalloc, vfree, write, allocPages = "alloc_pages", freePages = "free_pages"
        case preserveFolio = "preserve_folio", unpreserveFolio = "unpreserve_folio"
        /// A file's folios as one call each: allocated, preserved, unpreserved (``FolioSet``).
        case allocFolios = "alloc_folios", preserveFolios = "preserve_folios", unpreserveFolios = "unpreserve_folios"
        case preservePages = "preserve_pages", unpreservePages = "unpreserve_pages"
        case preserveVmalloc = "preserve_vmalloc", unpreserveVmalloc = "unpreserve_vmalloc"
        case restoreVmalloc = "restore_vmalloc"
        case allocPreserve = "alloc_preserve", unpreserveFree = "unpreserve_free", restoreFree = "restore_free"
        case addSubtree = "add_subtree", removeSubtree = "remove_subtree", retrieveSubtree = "retrieve_subtree"
        case restoreFolio = "restore_folio", restorePages = "restore_pages"
        case kexec
    }

    /// How the call ended.
    public enum Outcome: Hashable, Sendable, CustomStringConvertible {
        case ok
        case errno(KernelErrno)
        /// A restore function returned NULL.
        case null(String)

        public var description: String {
            switch self {
            case .ok: return "ok"
            case .errno(let e): return e.description
            case .null(let reason): return "NULL (\(reason))"
            }
        }
    }

    /// One chunk page of a vmalloc preservation, with its exact bytes.
    public struct Chunk: Hashable, Sendable {
        public var index: Int
        public var phys: UInt64
        public var bytes: [UInt8]

        /// Chunk `index` of the chain, at `phys`, with its page's `bytes`.
        public init(index: Int, phys: UInt64, bytes: [UInt8]) {
            self.index = index
            self.phys = phys
            self.bytes = bytes
        }
    }

    /// A page whose content the call set, with its bytes after the call.
    public struct Page: Hashable, Sendable {
        public var phys: UInt64
        public var bytes: [UInt8]

        /// The page at `phys` holding `bytes`.
        public init(phys: UInt64, bytes: [UInt8]) {
            self.phys = phys
            self.bytes = bytes
        }
    }

    /// The machine's generation (boot number, 0 for the cold boot).
    public var generation: Int
    public var kind: Kind
    /// The object the call is about (area, blob or subtree name), if any.
    public var subject: String?
    /// The call's arguments, in a stable order, typed.
    public var arguments: [(name: String, value: Value)] = []
    public var outcome: Outcome = .ok
    /// One change to the preserved-memory tracker.
    public struct TrackerChange: Hashable, Sendable {
        public var block: PreservedBlock
        /// True for an insertion, false for a removal.
        public var added: Bool

        /// An insertion (`added`) or removal of `block`.
        public init(block: PreservedBlock, added: Bool) {
            self.block = block
            self.added = added
        }
    }

    /// Tracker insertions and removals, in the order the kernel makes them
    /// (a failed call's rollback included).
    public var tracker: [TrackerChange] = []

    /// The blocks this call added, in order.
    public var trackerAdded: [PreservedBlock] { tracker.filter(\.added).map(\.block) }
    /// The blocks this call removed, in order.
    public var trackerRemoved: [PreservedBlock] { tracker.filter { !$0.added }.map(\.block) }
    /// Blocks whose KHO page magic this call consumed (restores).
    public var restored: [PreservedBlock] = []
    /// Chunk pages of a vmalloc preservation or restore.
    public var chunks: [Chunk] = []
    /// The descriptor written or read, and where it lives.
    public var descriptor: (phys: UInt64, value: VmallocDescriptor)?
    /// The object's frame layout, in the object's order.
    public var extents: [BlockRun] = []
    /// Pages whose content the call set or handed over.
    public var pages: [Page] = []
    /// Blocks the call allocated and zero-filled (new areas, folios, chunk
    /// and tracker pages), in allocation order; later entries of `pages` or
    /// `chunks` may overwrite them.
    public var zeroed: [PreservedBlock] = []
    /// The root FDT handed over (kexec only).
    public var fdt: [UInt8]? = nil
    /// The boot memory handed over with it (kexec only): the machine's
    /// scratch areas, or what a debugfs capture lists; nil when unknown.
    public var bootMemory: BootMemory? = nil
    /// The blob's bytes when a subtree is added (nil when [phys, phys + size)
    /// is not inside memory).
    public var blob: [UInt8]? = nil
    /// When the call happened, if the emitter knows (a recorded trace); nil
    /// lets the recorder stamp the time it records the event.
    public var time: Date? = nil

    public init(generation: Int, kind: Kind, subject: String? = nil) {
        self.generation = generation
        self.kind = kind
        self.subject = subject
    }
}
