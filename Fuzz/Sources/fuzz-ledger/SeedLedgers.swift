import Foundation
import KHOLedger
import KHOMachine

/// Small real ledgers recorded once at start-up: example scenarios of the
/// checkout's `Examples/` simulated through the library, each into a file of
/// its own that every fuzz input copies before changing it.
enum SeedLedgers {
    /// The example scenarios: several generations with vmalloc restores and
    /// subtrees, the first KHO ABI, memfd preserved through LUO, and chunk
    /// lists the audit reports.
    static let examples = ["multi-generation.yaml", "kho-v1.yaml", "memfd-luo.yaml", "audit-chunk-list.yaml"]

    /// The directory holding the seed ledgers and each input's copy.
    static let directory: String = {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? NSTemporaryDirectory()
        let path = (base as NSString).appendingPathComponent("kholedger-fuzz-ledger-\(getpid())")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: SeedLedgers.directory) }
        return path
    }()

    /// The seed ledgers' paths, in the order of ``examples``.
    static let paths: [String] = examples.enumerated().map { index, example in
        let path = "\(directory)/seed-\(index).db"
        do {
            try record(example: example, into: path)
        } catch {
            fatalError("cannot record the seed ledger of \(example): \(error)")
        }
        return path
    }

    /// The `Examples/` folder of the checkout this target was built from.
    private static var examplesFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Examples").standardizedFileURL
    }

    /// Simulates `example` into a new ledger at `path`, closed (its
    /// write-ahead log checkpointed) when this returns.
    private static func record(example: String, into path: String) throws {
        let scenario = try Scenario(contentsOfFile: examplesFolder.appendingPathComponent(example).path)
        let ledger = try Ledger(path: path)
        let recorder = try LedgerRecorder(ledger: ledger, config: scenario.machine)
        _ = try ScenarioRunner(scenario, onEvent: recorder.eventSink).run()
        try recorder.flush()
        if let failure = recorder.failure { throw failure }
        try ledger.closeConnection()
    }
}
