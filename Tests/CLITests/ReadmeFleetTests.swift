import Foundation
import KHOTestSupport
import Testing

/// The README's two fleet commands run as written against a real store,
/// and the report lists the host the push stored.
@Suite("README fleet commands")
struct ReadmeFleetTests {
    @Test func bothCommandsRunAsWritten() throws {
        let readme = try String(contentsOf: ReferenceVector.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Fleet\n").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let commands = block.split(separator: "\n").map(String.init)
        #expect(commands.count == 2)

        let directory = try TemporaryDirectory()
        let ledger = directory.path("kholedger.db")
        let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
        #expect(try ToolRunner.run(["simulate", scenario, "--ledger", ledger, "--quiet"]).status == 0)
        let path = ToolRunner.executable.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let environment = ["PATH": path, "KHOLEDGER_DB": ledger, "KHOLEDGER_FLEET": try PostgresTestServer.database()]
        var outputs: [String] = []
        for command in commands {
            let result = try ToolRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-ec", command], environment: environment, directory: directory.url)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            outputs.append(result.stdout)
        }
        let host = try ToolRunner.run(URL(fileURLWithPath: "/bin/hostname"), []).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(outputs.first?.contains("host \(host): stored 62 operations") == true, "\(outputs)")
        #expect(outputs.last?.split(separator: "\n").dropFirst().first?.hasPrefix(host) == true, "\(outputs)")
    }
}
