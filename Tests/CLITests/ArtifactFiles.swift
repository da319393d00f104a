import Foundation
import KHOABI
import KHOImage
import KHOTestSupport
import Testing

/// What the import and export tests share: JSON runs, ledger fingerprints,
/// one-line failures, crafted captures.
enum ArtifactFiles {
    /// Runs `kholedger arguments… --format json` and decodes its object.
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try ToolRunner.run(arguments + ["--format", "json"])
        guard result.status == 0 else { throw FixtureError("\(arguments) failed: \(result.stderr)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// Row counts of the ledger's tables and its last hash ("absent" when
    /// there is no file): equal fingerprints mean an unchanged ledger.
    static func fingerprint(_ ledger: String) throws -> String {
        guard FileManager.default.fileExists(atPath: ledger) else { return "absent" }
        let counts = ["op", "generation", "preserved_run", "object", "chunk", "page_data", "page_content", "subtree", "boot_memory"]
            .map { "(SELECT count(*) FROM \($0))" }.joined(separator: " || '/' || ")
        let result = try ToolRunner.sqlite(ledger, "SELECT \(counts) || '/' || coalesce((SELECT hex(hash) FROM op ORDER BY seq DESC LIMIT 1), '-')")
        guard result.status == 0 else { throw FixtureError("sqlite3 failed: \(result.stderr)") }
        return result.stdout
    }

    /// Runs `arguments` and expects one `error:` line naming `text`, exit
    /// status 1 and nothing on standard output.
    static func expectOneErrorLine(_ arguments: [String], mentioning text: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try ToolRunner.run(arguments)
        #expect(result.status == 1, "\(arguments)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && result.stderr.hasPrefix("error: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "\(result.stderr) should mention \(text)", sourceLocation: sourceLocation)
    }

    /// A kho-v3 capture that preserves nothing: a root FDT whose tracker
    /// root is an empty page, and an ELF core holding that page.
    static func emptyCapture(in directory: TemporaryDirectory) throws -> (fdt: String, image: String) {
        let root: UInt64 = 0x1_0000_0000
        let fdt = directory.path("empty.dtb")
        try Data(KHORootFDT(generation: .v3, preservedMemoryMap: root).encode(pageSize: 4096)).write(to: URL(fileURLWithPath: fdt))
        let image = directory.path("empty.elf")
        try ElfCoreWriter().write(segments: [(root, [UInt8](repeating: 0, count: 4096))], toPath: image)
        return (fdt, image)
    }

    /// The `LOAD` program headers `readelf -lW` lists: (p_paddr, p_filesz) as hex text.
    static func readelfLoads(_ path: String) throws -> [(paddr: String, fileSize: String)] {
        let result = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-lW", path])
        guard result.status == 0 else { throw FixtureError("readelf failed: \(result.stderr)") }
        return result.stdout.split(separator: "\n").filter { $0.hasPrefix("  LOAD") }.map { line in
            let fields = line.split(separator: " ")
            return (String(fields[3]), String(fields[4]))
        }
    }
}
