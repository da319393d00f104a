import Foundation

/// An audit example of `Examples/` that triggers one finding code, and the
/// same story with that bug fixed (the example's text with a few lines
/// replaced), which must not trigger it.
public struct AuditExample: Sendable, CustomStringConvertible {
    /// The kebab-case finding code the example triggers.
    public let code: String
    /// The file in `Examples/`.
    public let file: String
    /// How many findings of the code the example produces.
    public let count: Int
    /// Text of the example and what replaces it in the fixed story.
    public let fix: [(bug: String, fixed: String)]

    public var description: String { code }

    /// One example per finding code a scenario can produce (`chain-break`
    /// needs a tampered ledger instead).
    public static let all: [AuditExample] = [
        AuditExample(code: "leak", file: "audit-leak.yaml", count: 1, fix: [
            ("  - restore_folio: {folio: buffer}\n", "  - restore_folio: {folio: buffer}\n  - restore_free: {blob: config}\n"),
        ]),
        AuditExample(code: "unpreserve-unknown", file: "audit-unpreserve.yaml", count: 1, fix: [
            ("  - unpreserve_folio: {folio: loose}", "  - preserve_folio: {folio: loose}\n  - unpreserve_folio: {folio: loose}"),
        ]),
        AuditExample(code: "unpreserve-order-mismatch", file: "audit-unpreserve.yaml", count: 2, fix: [
            ("  - unpreserve_pages: {phys: buffer, count: 4}", "  - unpreserve_pages: {phys: buffer, count: 8}"),
            ("  - unpreserve_pages: {phys: buffer+0x4000, count: 4}\n", ""),
        ]),
        AuditExample(code: "double-preserve", file: "audit-double-preserve.yaml", count: 1, fix: [
            ("  - preserve_folio: {folio: shared}            # the second user", "  # the second user relies on the first"),
        ]),
        AuditExample(code: "scratch-overlap", file: "audit-scratch-overlap.yaml", count: 1, fix: [
            ("\n  scratch_check: false", "\n  scratch_check: true"),
            ("  - preserve_folio: {phys: 0x103800000, order: 2}", "  - preserve_folio: {phys: 0x103800000, order: 2}\n    expect: EINVAL"),
        ]),
        AuditExample(code: "chunk-list-invalid", file: "audit-chunk-list.yaml", count: 1, fix: [
            ("descriptor: descs+8}", "descriptor: descs+16}"),
        ]),
        AuditExample(code: "descriptor-total-mismatch", file: "audit-descriptor-total.yaml", count: 1, fix: [
            ("offset: 8, hex:", "offset: 16, hex:"),
        ]),
        AuditExample(code: "subtree-blob-unpreserved", file: "audit-subtree-blob.yaml", count: 1, fix: [
            ("  - unpreserve_free: {blob: state}", "  - remove_subtree: {blob: state}\n  - unpreserve_free: {blob: state}"),
            ("  - retrieve_subtree: {name: app, as: found}", "  - retrieve_subtree: {name: app, as: found}\n    expect: ENOENT"),
        ]),
        AuditExample(code: "restore-order-mismatch", file: "audit-restore-order.yaml", count: 1, fix: [
            ("  numa_node_size: 1MiB", "  numa_node_size: 64MiB"),
        ]),
        AuditExample(code: "subtree-blob-not-fdt", file: "audit-subtree-fdt.yaml", count: 1, fix: [
            ("\n  abi: v2", "\n  abi: v3"),
        ]),
    ]

    /// The example's path.
    public var path: String { ToolRunner.examples.appendingPathComponent(file).path }

    /// The example's text.
    public func yaml() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The example with its bug fixed; throws when a line to replace is no
    /// longer in the example.
    public func fixedYAML() throws -> String {
        var text = try yaml()
        for (bug, fixed) in fix {
            guard let range = text.range(of: bug) else { throw FixtureError("\(file) no longer contains \"\(bug)\"") }
            text.replaceSubrange(range, with: fixed)
        }
        return text
    }
}
