import Foundation
import KHOImage
import KHOTestSupport

/// A folder holding every file the `--help` examples name, made the way a
/// user would make them:
/// - `kholedger.db`: the demo's ledger (Examples/multi-generation.yaml),
///   recorded from its event stream with times one second apart, gen 1's
///   kexec at 2026-11-25T10:42:00Z;
/// - `kho.dtb`, `memory.elf`, `ram.raw` (base 0x100000000): its handover at
///   gen:2; `g0.elf`, `g0.dtb`, `g0.json`: gen:0 with its manifest;
///   `imported.db`: the gen:2 capture imported;
/// - `kho-16k.dtb`, `vmcore-16k`: Examples/page-16k.yaml's handover;
/// - `capture/kho/out` + `capture/memory.elf`: the gen:2 capture as a
///   debugfs copy; `old/kho/in` + `old/vmcore`: Examples/kho-v1.yaml's
///   (Linux 6.16) as the next kernel finds it;
/// - `events.jsonl`, `trace.jsonl` (16 KiB pages): event streams;
/// - `key.pem`, `pub.pem`: an Ed25519 key pair made by OpenSSL;
///   `digest.json`: the demo ledger's digest, signed with `key.pem`;
/// - `Examples/` and `Reports/`: links to the project's;
/// - a fleet store of its own (`$KHOLEDGER_FLEET`) holding the demo ledger
///   as host `hv-0042`.
final class HelpExampleWorld: @unchecked Sendable {
    let directory: TemporaryDirectory
    /// The demo ledger as made, copied back before each example.
    private let pristine: String
    /// The fleet store's URL.
    private let fleet: String

    /// Made once for the whole run.
    static let shared = Result { try HelpExampleWorld() }

    var ledger: String { directory.path("kholedger.db") }

    private init() throws {
        directory = try TemporaryDirectory("help-examples")
        pristine = directory.path("demo.db")
        fleet = try PostgresTestServer.database()
        let root = ReferenceVector.packageRoot
        for link in ["Examples", "Reports"] {
            try FileManager.default.createSymbolicLink(at: directory.url.appendingPathComponent(link),
                                                       withDestinationURL: root.appendingPathComponent(link))
        }
        let demo = directory.path("demo.jsonl")
        try run(["simulate", "Examples/multi-generation.yaml", "--no-ledger", "--events", demo, "--quiet"])
        try Data(Self.timed(String(contentsOfFile: demo, encoding: .utf8)).utf8).write(to: URL(fileURLWithPath: demo))
        try run(["record", demo])
        try FileManager.default.copyItem(atPath: ledger, toPath: pristine)
        try run(["push", "--host", "hv-0042", "--to", fleet])
        _ = try OpenSSLKeyPair(in: directory.url)
        try run(["digest", "--sign", "key.pem", "--output", "digest.json"])

        try run(["export", "--at", "gen:2", "--image", "memory.elf", "--fdt", "kho.dtb", "--raw", "ram.raw"])
        try run(["export", "--at", "gen:0", "--image", "g0.elf", "--fdt", "g0.dtb", "--manifest", "g0.json"])
        try run(["import", "--fdt", "kho.dtb", "--image", "memory.elf", "--ledger", "imported.db"])
        try run(["simulate", "Examples/page-16k.yaml", "--ledger", "k16.db", "--quiet"])
        try run(["export", "--at", "gen:0", "--image", "vmcore-16k", "--fdt", "kho-16k.dtb", "--ledger", "k16.db"])
        try run(["simulate", "Examples/memfd-luo.yaml", "--no-ledger", "--events", "events.jsonl", "--quiet"])
        try run(["simulate", "Examples/page-16k.yaml", "--no-ledger", "--events", "trace.jsonl", "--quiet"])

        try FileManager.default.createDirectory(atPath: directory.path("capture"), withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: directory.path("memory.elf"), toPath: directory.path("capture/memory.elf"))
        try DebugfsFolder(root: directory.url.appendingPathComponent("capture/kho"), side: "out",
                          fdt: Array(Data(contentsOf: directory.url.appendingPathComponent("kho.dtb"))),
                          image: ElfCoreImage(file: MappedFile(path: directory.path("memory.elf"))),
                          bootMemory: ("scratch", DebugfsScenario.scratch))

        try FileManager.default.createDirectory(atPath: directory.path("old"), withIntermediateDirectories: false)
        try run(["simulate", "Examples/kho-v1.yaml", "--ledger", "old.db", "--quiet"])
        try run(["export", "--at", "gen:0", "--image", "old/vmcore", "--fdt", "old/kho.dtb", "--ledger", "old.db"])
        try DebugfsFolder(root: directory.url.appendingPathComponent("old/kho"), side: "in",
                          fdt: Array(Data(contentsOf: directory.url.appendingPathComponent("old/kho.dtb"))),
                          image: ElfCoreImage(file: MappedFile(path: directory.path("old/vmcore"))))
    }

    /// Puts the demo ledger back as made (examples add generations to it).
    func resetLedger() throws {
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: ledger + suffix) }
        try FileManager.default.copyItem(atPath: pristine, toPath: ledger)
    }

    /// Runs a shell command line in the folder, with the built `kholedger`
    /// first on the path and the demo ledger as the default ledger.
    func shell(_ command: String, stdin: String) throws -> ToolResult {
        let path = ToolRunner.executable.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try ToolRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-ec", command], stdin: Data(stdin.utf8),
                                  environment: ["PATH": path, "KHOLEDGER_DB": ledger, "KHOLEDGER_FLEET": fleet],
                                  directory: directory.url, timeout: 300)
    }

    private func run(_ arguments: [String]) throws {
        let result = try ToolRunner.run(arguments, environment: ["KHOLEDGER_DB": ledger], directory: directory.url)
        guard result.status == 0 else { throw FixtureError("\(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    /// The event stream with a `time` on every line: one second apart, the
    /// 31st line (generation 1's kexec) at 2026-11-25T10:42:00Z.
    private static func timed(_ stream: String) -> String {
        let kexec = 1_795_603_320 // 2026-11-25T10:42:00Z
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return stream.split(separator: "\n").enumerated().map { index, line in
            let time = Date(timeIntervalSince1970: TimeInterval(kexec + index + 1 - 31))
            return "{\"time\":\"\(formatter.string(from: time))\"," + line.dropFirst()
        }.joined(separator: "\n") + "\n"
    }
}
