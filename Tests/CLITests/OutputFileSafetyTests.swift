import Foundation
import KHOTestSupport
import Testing

/// Output files are made safely: a symbolic link planted at a temporary
/// name is never followed, a character device or FIFO is written through
/// and never replaced, `-` is standard output, and what cannot be replaced
/// safely is refused. Inputs that are FIFOs or devices are refused without
/// waiting for a writer.
@Suite("Output and input files")
struct OutputFileSafetyTests {
    let simulated: SimulatedLedger
    var directory: TemporaryDirectory { simulated.directory }

    init() throws { simulated = try SimulatedLedger(yaml: RestoreLedgerTests.scenario, prefix: "output-files") }

    /// `restore --area buf --at gen:0 -o output`, run in the fixture's directory.
    private func restore(to output: String) throws -> ToolResult {
        try ToolRunner.run(["restore", "--area", "buf", "--at", "gen:0", "-o", output, "--ledger", simulated.path],
                           directory: directory.url)
    }

    /// The `S_IFMT` bits of what `path` names (not following a final link).
    private func fileType(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    private var sha256Line: String { "sha256 \(sha256Hex(RestoreLedgerTests.handedOver))" }

    @Test func aCharacterDeviceIsWrittenThroughNotReplaced() throws {
        // A device node of our own (/dev/null's numbers) where the tests may make one, then /dev/null itself.
        let own = directory.path("null")
        let made = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/mknod"), [own, "c", "1", "3"])
        for device in (made.status == 0 ? [own] : []) + ["/dev/null"] {
            let result = try restore(to: device)
            #expect(result.status == 0, "\(device): \(result.stderr)")
            #expect(result.stdout.contains(sha256Line), "\(device): \(result.stdout)")
            try #require(fileType(device) == S_IFCHR, "\(device) is no longer a character device")
            #expect(temporarySiblings(of: device).isEmpty, "\(device)")
        }
    }

    @Test func aFIFOWithAReaderGetsTheBytes() throws {
        let fifo = directory.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = directory.path("received.bin")
        // A reader still waiting for a writer 5 s after kholedger ended means the bytes went elsewhere: it is killed.
        let script = """
            cat "$1" > "$2" & reader=$!; shift 2; "$@"; status=$?
            for _ in $(seq 50); do kill -0 $reader 2>/dev/null || break; sleep 0.1; done
            kill -KILL $reader 2>/dev/null; wait $reader; exit $status
            """
        let result = try ToolRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script, "bash", fifo, received, ToolRunner.executable.path,
                                                                            "restore", "--area", "buf", "--at", "gen:0", "-o", fifo,
                                                                            "--ledger", simulated.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(fileType(fifo) == S_IFIFO, "the FIFO was replaced")
        #expect(sha256Hex([UInt8](try Data(contentsOf: URL(fileURLWithPath: received)))) == sha256Hex(RestoreLedgerTests.handedOver))
        #expect(temporarySiblings(of: fifo).isEmpty)
    }

    @Test func aLinkPlantedAtTheOldTemporaryNameIsNotFollowed() throws {
        let victim = try directory.write("victim", "precious")
        let output = directory.path("out.bin")
        try FileManager.default.createSymbolicLink(atPath: output + ".partial", withDestinationPath: victim)
        let result = try restore(to: output)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        #expect(fileType(output) == S_IFREG)
        #expect(sha256Hex([UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))) == sha256Hex(RestoreLedgerTests.handedOver))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: output + ".partial") == victim)
    }

    @Test func dashIsStandardOutputAndTheReportGoesToStandardError() throws {
        let result = try restore(to: "-")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(sha256Hex(Array(result.stdout.utf8)) == sha256Hex(RestoreLedgerTests.handedOver))
        #expect(result.stderr.contains(sha256Line), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("-")))
    }

    @Test func aLinkToARegularFileOrADirectoryIsRefused() throws {
        let kept = try directory.write("kept", "kept")
        let link = directory.path("link.bin")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: kept)
        try expectOneErrorLine(try restore(to: link), mentioning: "cannot write \(link): it is a symbolic link to a regular file")
        #expect(fileType(link) == S_IFLNK)
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == "kept")

        let folder = directory.path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try expectOneErrorLine(try restore(to: folder), mentioning: "cannot write \(folder): it is a directory")
        #expect(temporarySiblings(of: link).isEmpty && temporarySiblings(of: folder).isEmpty)
    }

    @Test func exportRefusesTwoFilesOnStandardOutput() throws {
        let result = try ToolRunner.run(["export", "--image", "-", "--fdt", "-", "--ledger", simulated.path], directory: directory.url)
        try expectOneErrorLine(result, mentioning: "2 outputs are `-`")
    }

    @Test func aFIFOOrDeviceAsInputIsRefused() throws {
        let fifo = directory.path("input-pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        for input in [fifo, "/dev/zero"] {
            for arguments in [["restore", "--image", input, "--descriptor-phys", "0x1000", "-o", directory.path("out.bin")],
                              ["walk", "--fdt", input, "--image", input]] {
                // Without a writer, opening a FIFO to read would wait forever.
                let result = try ToolRunner.run(arguments, timeout: 30)
                #expect(!result.timedOut, "\(arguments) waited for a writer")
                try expectOneErrorLine(result, mentioning: "\(input) is not a regular file")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("out.bin")))
    }
}
