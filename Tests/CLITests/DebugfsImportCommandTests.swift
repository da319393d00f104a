import Foundation
import KHOABI
import KHOImage
import KHOTestSupport
import Testing

/// `kholedger import --debugfs`: a copied `/sys/kernel/debug/kho/` folder of a
/// 7.4 kernel (bootmem) and its memory image become a generation with its
/// boot memory; a bad folder gets one error line naming the file and the
/// value, exit 1, and no ledger change.
@Suite("kholedger import --debugfs")
struct DebugfsImportCommandTests {
    /// A handover simulated as `kernel`, exported, with its out/ folder.
    struct Capture {
        let ledger: SimulatedLedger
        let folder: DebugfsFolder
        let image: String
        let fdt: [UInt8]

        init(kernel: String = "7.4", bootMemory: String = "bootmem") throws {
            ledger = try SimulatedLedger(yaml: DebugfsScenario.yaml(kernel: kernel), prefix: "kholedger-debugfs")
            image = ledger.directory.path("h.elf")
            let dtb = ledger.directory.path("h.dtb")
            let export = try ledger.kholedger(["export", "--at", "gen:0", "--image", image, "--fdt", dtb])
            guard export.status == 0 else { throw FixtureError("export failed: \(export.stderr)") }
            fdt = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dtb)))
            folder = try DebugfsFolder(root: ledger.directory.url.appendingPathComponent("kho"), side: "out", fdt: fdt,
                                       image: try ElfCoreImage(path: image), bootMemory: (bootMemory, DebugfsScenario.scratch))
        }

        /// The subtree `name` of the handover.
        func subtree(_ name: String) throws -> KHOSubtree {
            try #require(try KHORootFDT(bytes: fdt).subtrees.first { $0.name == name })
        }
    }

    @Test func textJSONAndSQL() throws {
        let capture = try Capture()
        let directory = try TemporaryDirectory()
        let ledger = directory.path("debugfs.db")
        let result = try ToolRunner.run(["import", "--debugfs", capture.folder.root.path, "--image", capture.image, "--ledger", ledger])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("debugfs: \(capture.folder.path("out")) (out/) as 7.4 lay it out; "
            + "bootmem: [0x103000000, 0x103800000) [0x103c00000, 0x104000000)"), "\(lines)")
        let rows = try ToolRunner.sqlite(ledger, "SELECT generation, name, idx, phys, size, end_phys FROM v_boot_memory ORDER BY idx")
        #expect(rows.stdout == "0|bootmem|0|0x103000000|8388608|0x103800000\n0|bootmem|1|0x103c00000|4194304|0x104000000\n")
        #expect(try ToolRunner.run(["audit", "--chain", "--ledger", ledger]).status == 0)

        let report = try ArtifactFiles.json(["import", "--debugfs", capture.folder.path("out"), "--image", capture.image, "--kernel", "7.4",
                                             "--ledger", directory.path("json.db")])
        let debugfs = try #require(report["debugfs"] as? [String: Any])
        #expect(debugfs["side"] as? String == "out" && debugfs["releases"] as? [String] == ["7.4"])
        let bootMemory = try #require(debugfs["boot_memory"] as? [String: Any])
        #expect(bootMemory["name"] as? String == "bootmem")
        let ranges = try #require(bootMemory["ranges"] as? [[String: Any]])
        #expect(ranges.map { "\($0["phys"] as? String ?? "?") \($0["size"] as? Int ?? -1)" } == ["0x103000000 8388608", "0x103c00000 4194304"])
    }

    /// `walk --debugfs` reads the folder's root FDT: the same walk as `--fdt`.
    @Test func walkReadsTheFolder() throws {
        let capture = try Capture()
        let dtb = capture.ledger.directory.path("h.dtb")
        let byFile = try ToolRunner.run(["walk", "--fdt", dtb, "--image", capture.image])
        let byFolder = try ToolRunner.run(["walk", "--debugfs", capture.folder.root.path, "--image", capture.image])
        #expect(byFile.status == 0 && byFolder.status == 0 && byFolder.stderr.isEmpty, "\(byFolder.stderr)")
        #expect(byFolder.stdout == byFile.stdout && byFile.stdout.contains("subtree app "))
    }

    @Test(arguments: BadFolder.allCases)
    func badFolderChangesNothing(_ bad: BadFolder) throws {
        let capture = try Capture(bootMemory: bad == .kernelMismatch ? "scratch" : "bootmem")
        let message = try bad.apply(to: capture)
        let folder = bad == .missingFolder ? capture.folder.path("nothing") : capture.folder.root.path
        let arguments = ["import", "--debugfs", folder, "--image", capture.image] + (bad == .kernelMismatch ? ["--kernel", "7.4"] : [])
        let before = try ArtifactFiles.fingerprint(capture.ledger.path)
        for ledger in [capture.ledger.path, capture.ledger.directory.path("fresh.db")] {
            let result = try ToolRunner.run(arguments + ["--ledger", ledger])
            #expect(result.status == 1 && result.stdout.isEmpty)
            #expect(result.stderr == "error: \(message)\n")
        }
        #expect(try ArtifactFiles.fingerprint(capture.ledger.path) == before)
        #expect(!FileManager.default.fileExists(atPath: capture.ledger.directory.path("fresh.db")))
    }

    enum BadFolder: String, CaseIterable, CustomTestStringConvertible {
        case missingFolder, notHex, lengthMismatch, missingLength, noBootMemory, notFDT, fifo, finalizeOn74, notFinalized, kernelMismatch
        case missingSubtreeFile, extraSubtreeFile, shortSubtreeFile, changedSubtreeFile, bothSides

        var testDescription: String { rawValue }

        /// Breaks the capture's folder; returns the error line's text.
        func apply(to capture: Capture) throws -> String {
            let folder = capture.folder
            let p = folder.path
            switch self {
            case .missingFolder:
                return "--debugfs \(p("nothing")): no such folder"
            case .notHex:
                try folder.write("out/bootmem_phys", "0x103000000\n0x10zz\n")
                return "\(p("out/bootmem_phys")) line 2: \"0x10zz\" is not a 0x… hex number"
            case .lengthMismatch:
                try folder.write("out/bootmem_len", "0x800000\n")
                return "\(p("out/bootmem_phys")) has 2 lines but \(p("out/bootmem_len")) has 1: one line per range in each"
            case .missingLength:
                try folder.remove("out/bootmem_len")
                return "\(p("out/bootmem_len")) is missing: it lists the lengths of the ranges bootmem_phys lists"
            case .noBootMemory:
                try folder.remove("out/bootmem_len")
                try folder.remove("out/bootmem_phys")
                return "\(p("out/bootmem_phys")) is missing: out/ lists the boot memory in scratch_phys and scratch_len "
                    + "(bootmem_phys and bootmem_len from 7.4)"
            case .notFDT:
                try folder.write("out/fdt", "not a device tree: text long enough for a header of forty bytes\n")
                return "\(p("out/fdt")) is not an FDT: the magic is 0x6e6f7420, not 0xd00dfeed"
            case .fifo:
                try folder.remove("out/fdt")
                guard mkfifo(p("out/fdt"), 0o600) == 0 else { throw FixtureError("mkfifo failed") }
                return "\(p("out/fdt")) is not a regular file"
            case .finalizeOn74:
                try folder.write("out/finalize", "1\n")
                return "\(p("out")): no release that hands over kho-v4 (7.2 – 7.4) lays it out so: it has finalize, made only by 6.16 – 7.0"
            case .notFinalized:
                try folder.write("out/finalize", "0\n")
                return "\(p("out/finalize")) reads 0: the kernel has not serialized its handover; write 1 to it before copying the folder"
            case .kernelMismatch:
                return "\(p("out")): --kernel 7.4 does not fit: it lists the boot memory in scratch_phys, made only by 6.16 – 7.3"
            case .missingSubtreeFile:
                try folder.remove("out/sub_fdts/app")
                return "\(p("out/sub_fdts/app")) is missing: the FDT has subtree app (blob at \(hex(try capture.subtree("app").phys)))"
            case .extraSubtreeFile:
                try folder.write("out/sub_fdts/zzz", "left over")
                return "\(p("out/sub_fdts/zzz")): the FDT has no subtree of that name"
            case .shortSubtreeFile:
                try folder.write("out/sub_fdts/kexec-metadata", Data(try folder.bytes("out/sub_fdts/kexec-metadata").dropLast()))
                let subtree = try capture.subtree("kexec-metadata")
                return "\(p("out/sub_fdts/kexec-metadata")) is 72 bytes, but subtree kexec-metadata's blob at \(hex(subtree.phys)) is 73 bytes (blob-size)"
            case .changedSubtreeFile:
                var bytes = try folder.bytes("out/sub_fdts/app")
                let original = bytes[3]
                bytes[3] ^= 0xff
                try folder.write("out/sub_fdts/app", Data(bytes))
                return "\(p("out/sub_fdts/app")) differs from the blob at \(hex(try capture.subtree("app").phys)) in the image at byte 3: "
                    + "\(hex(bytes[3])) in the file, \(hex(original)) in the image"
            case .bothSides:
                try FileManager.default.createDirectory(atPath: p("in"), withIntermediateDirectories: true)
                try folder.write("in/fdt", Data(capture.fdt))
                let root = folder.root.path
                return "--debugfs \(root) holds out/fdt and in/fdt: give \(root)/out (the handover this kernel makes) "
                    + "or \(root)/in (the one it booted from)"
            }
        }
    }
}
