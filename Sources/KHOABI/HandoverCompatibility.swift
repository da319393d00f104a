/// Would a kernel release accept a handover? What the target kernel's own
/// code does with it, before anyone kexecs: `kho_populate` checks the root
/// `compatible`, and each subtree the kernel itself reads (kexec-metadata,
/// LUO, the test module) is checked as its reader checks it. Other subtrees
/// are their consumers' business and are only listed.
public struct HandoverCompatibility: Sendable {
    /// What the target kernel does with one part of the handover.
    public struct Finding: Hashable, Sendable, Codable {
        /// How the part fares.
        public enum Verdict: String, Hashable, Sendable, Codable {
            /// The kernel takes it.
            case accepted
            /// The kernel passes over it (no reader, or a reader that warns and goes on).
            case ignored
            /// The kernel refuses it: the handover, or that part of it, is lost.
            case refused
        }

        /// `root` for the root FDT, else the subtree's name.
        public var part: String
        public var verdict: Verdict
        /// Why, naming the kernel function.
        public var reason: String
    }

    /// One subtree of the handover with its blob's bytes (nil when unreadable).
    public struct Subtree: Sendable {
        public var name: String
        public var blob: [UInt8]?

        public init(name: String, blob: [UInt8]?) {
            self.name = name
            self.blob = blob
        }
    }

    public let target: KernelRelease
    public let findings: [Finding]

    /// True when the target kernel refuses nothing.
    public var isAccepted: Bool { !findings.contains { $0.verdict == .refused } }

    /// Evaluates a handover whose root FDT `compatible` property is
    /// `compatible` and whose subtrees are `subtrees`. `bitmapVariant` is a
    /// kho-v1 handover's bitmap layout when known (a simulated generation's
    /// release): a kho-v1 target with the other layout would misread the
    /// tracker (512-byte bitmaps read as pages take in their neighbours;
    /// pages read as 512 bytes lose all bits past the first 4096).
    public init(target: KernelRelease, compatible: [UInt8], subtrees: [Subtree], bitmapVariant: BitmapVariant? = nil) {
        self.target = target
        let listed = ABIGeneration.compatibleEntries(compatible)
        let wanted = target.abi.compatible
        guard target.abi.isListed(inCompatible: compatible) else {
            findings = [Finding(part: "root", verdict: .refused,
                                reason: "kho_populate: the compatible list [\(listed.joined(separator: ", "))] lacks \(wanted): "
                                    + "Linux \(target) boots without the handover and restores nothing")]
                + subtrees.map { Finding(part: $0.name, verdict: .ignored, reason: "not looked at: the handover is not taken") }
            return
        }
        var root = "kho_populate: the compatible list names \(wanted)"
        if let variant = target.abi.bitmapVariant {
            root += "; kho-v1 does not say its bitmap size: Linux \(target) reads \(variant.bitmapName) bitmaps"
            if let bitmapVariant, bitmapVariant != variant {
                findings = [Finding(part: "root", verdict: .refused,
                                    reason: root + ", this handover has \(bitmapVariant.bitmapName) ones: kho_mem_deserialize "
                                        + "misreads the tracker and the wrong memory is reserved")]
                    + subtrees.map { Finding(part: $0.name, verdict: .ignored, reason: "not looked at: the tracker is misread") }
                return
            }
        }
        findings = [Finding(part: "root", verdict: .accepted, reason: root)] + subtrees.map { Self.evaluate($0, on: target) }
    }

    private static func evaluate(_ subtree: Subtree, on target: KernelRelease) -> Finding {
        func finding(_ verdict: Finding.Verdict, _ reason: String) -> Finding { Finding(part: subtree.name, verdict: verdict, reason: reason) }
        switch subtree.name {
        case KexecMetadata.subtreeName:
            guard target.abi.addsKexecMetadata else { return finding(.ignored, "Linux \(target) has no kexec-metadata reader (7.1 on)") }
            guard let blob = subtree.blob, (try? KexecMetadata(bytes: Array(blob.prefix(KexecMetadata.byteCount)))) != nil else {
                return finding(.ignored, "kho_in_kexec_metadata warns and ignores it: not a version-1 kexec-metadata of 73 bytes")
            }
            return finding(.accepted, "kho_in_kexec_metadata reads it")
        case LUOFDT.subtreeName:
            let format: KernelRelease.LiveUpdateFormat? = subtree.blob.map { $0.starts(with: [0xd0, 0x0d, 0xfe, 0xed]) ? .fdtV1 : .blocksV5 }
            guard let wanted = target.liveUpdateFormat else { return finding(.ignored, "Linux \(target) has no LUO (6.19 on)") }
            guard let format else { return finding(.refused, "luo_early_startup cannot read the LUO blob: LUO fails at boot") }
            guard format == wanted else {
                return finding(.refused, "luo_early_startup finds \(format.rawValue), Linux \(target) reads \(wanted.rawValue): LUO fails at boot")
            }
            return finding(.accepted, "luo_early_startup reads \(wanted.rawValue)")
        case let name where KHOTestSubtree(name: name) != nil:
            let known = KHOTestSubtree(name: name)!
            let reads = target.testModule == .fourSubtrees ? KHOTestSubtree.chain : [.single]
            guard reads.contains(known) else {
                let names = reads.count > 1 ? "\(reads[0]) … \(reads[reads.count - 1])" : "\(reads[0])"
                return finding(.ignored, "Linux \(target)'s test_kho looks for \(names) only")
            }
            guard let blob = subtree.blob,
                  (try? KHOTestFDT(bytes: blob, format: KHOTestFoliosInfo.Format(generation: target.abi), subtree: known)) != nil else {
                return finding(.refused, "kho_test_restore cannot read it as Linux \(target)'s layout: \"KHO restore failed\"")
            }
            return finding(.accepted, "kho_test_restore reads it")
        default:
            return finding(.ignored, "not a subtree the kernel reads itself: handed to whichever consumer retrieves it")
        }
    }
}
