import ArgumentParser
import KHOABI

extension KernelRelease {
    /// The release a command-line value names (`7.1`, `v7.1`, `7.1.3`);
    /// a usage error listing the releases otherwise.
    static func argument(_ text: String) throws -> KernelRelease {
        guard let release = KernelRelease(name: text) else {
            throw ValidationError("unknown kernel release \"\(text)\": use one of " + allCases.map(\.rawValue).joined(separator: ", "))
        }
        return release
    }
}
