import Foundation
import KHOTestSupport
import Testing

/// The README's walk-through of real artifacts runs as written, in order,
/// from a directory beside the examples: every command exits 0 (the
/// descriptor addresses it names are the ones `export` writes), and the
/// closing `diff` finds no differences.
@Suite("README artifacts walk-through")
struct ReadmeArtifactsTests {
    @Test func everyCommandRunsAsWritten() throws {
        let readme = try String(contentsOf: ReferenceVector.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Real artifacts").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let commands = block.split(separator: "\n").map(String.init)
        #expect(commands.count >= 6)

        let directory = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(at: directory.url.appendingPathComponent("Examples"), withDestinationURL: ToolRunner.examples)
        let path = ToolRunner.executable.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var lastOutput = ""
        for command in commands {
            let result = try ToolRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-ec", command], environment: ["PATH": path], directory: directory.url)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            lastOutput = result.stdout
        }
        #expect(lastOutput.contains("areas: 0 changed, 0 added, 0 removed"), "\(lastOutput)")
        #expect(lastOutput.contains("content: 0 preserved pages differ"), "\(lastOutput)")
    }
}
