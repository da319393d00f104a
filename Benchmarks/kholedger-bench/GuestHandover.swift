import Foundation
import KHOLedger
import KHOMachine

extension Bench {
    /// A guest handover end to end: `kholedger simulate` of a
    /// ``GuestScenario`` (64 GiB of memfd, 1 GiB of it random; 256 MiB and
    /// 4 MiB with `--quick`) into a new ledger, each run in a child process,
    /// against the floor of writing what it stores: one `raw-rows` row per
    /// frame plus the random bytes as `raw-blobs`. The figure is the child's
    /// peak resident set size.
    func guestHandover() throws -> [BenchResult] {
        let guest = quick ? GuestScenario(ramBytes: 256 << 20, randomBytes: 4 << 20)
                          : GuestScenario(ramBytes: 64 << 30, randomBytes: 1 << 30)
        let scenarioPath = workspace.fresh("guest.yaml")
        try guest.yaml.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        // The floor's data: frames scattered over the machine's memory, and random bytes.
        var random = SplitMix64(seed: 9)
        let memoryFrames = guest.machineMemory / GuestScenario.pageSize
        let basePfn = MachineConfig().memoryBase / GuestScenario.pageSize
        let frames = (0..<guest.frames).map { (pfn: basePfn + random.next() % memoryFrames, order: 0, index: $0) }
        let content = random.bytes(Int(guest.randomBytes))

        var peak: UInt64 = 0
        let ledgerPath = workspace.directory.appendingPathComponent("guest.db").path
        let peakPath = workspace.fresh("guest-peak.txt")
        var result = try BenchResult.measure(
            scenario: "simulate a guest handover (memfd, 4 KiB folios)",
            size: "\(guest.ramBytes >> 20) MiB, \(guest.randomBytes >> 20) MiB random", units: Double(guest.frames),
            unit: "frames/s", runs: quick ? runs : 1,
            run: {
                _ = workspace.fresh("guest.db")
                peak = max(peak, try ChildProcess.runReportingPeak([Self.simulateChildFlag, scenarioPath, ledgerPath], peakPath: peakPath))
            },
            baseline: "raw-rows + raw-blobs", baselineRun: {
                try RawSQLite.rows(frames, path: workspace.fresh("raw-rows.db"))
                try RawSQLite.blobs(content, path: workspace.fresh("raw-blobs.db"))
            })
        let preserved = try RawSQLite.count(path: ledgerPath, sql: "SELECT count(*) FROM v_frames WHERE owner_kind = 'folios'")
        guard preserved == guest.frames else {
            throw RawSQLite.Failure(description: "the ledger's preserved files hold \(preserved) folios, the guest \(guest.frames)")
        }
        result.figure = String(format: "peak RSS %.0f MiB", Double(peak) / 1_048_576)
        return [result]
    }

    /// The flag that makes this binary a child that simulates one scenario.
    static let simulateChildFlag = "--simulate-child"

    /// The child: `--simulate-child SCENARIO LEDGER PEAK` runs the scenario
    /// into the ledger through the calls `kholedger simulate` makes, then
    /// writes its peak resident bytes to PEAK.
    static func simulateChild(_ arguments: [String]) throws {
        guard arguments.count == 3 else { throw RawSQLite.Failure(description: "usage: \(simulateChildFlag) SCENARIO LEDGER PEAK") }
        let scenario = try Scenario(contentsOfFile: arguments[0])
        let recorder = try LedgerRecorder(ledger: Ledger(path: arguments[1]), config: scenario.machine, source: "simulate",
                                          label: URL(fileURLWithPath: arguments[0]).lastPathComponent)
        _ = try ScenarioRunner(scenario, onEvent: recorder.eventSink).run()
        if let failure = recorder.failure { throw failure }
        try recorder.flush()
        try ChildProcess.reportPeak(to: arguments[2])
    }
}
