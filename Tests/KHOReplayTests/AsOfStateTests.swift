import Foundation
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// `AsOfState` answers from the ledger's interval tables what the emulator
/// itself held: its tracker walk, its areas and descriptors, its root FDT.
@Suite("As-of state")
struct AsOfStateTests {
    /// 21 seeded random runs, seven per page size, of two generations,
    /// compared at the kexec, the boot after it, and six operations picked
    /// at random.
    @Test(arguments: 1...21)
    func agreesWithTheEmulator(seed: UInt64) throws {
        let pageSize = PageGeometry.supportedPageSizes[Int(seed % 3)]
        let directory = try TemporaryDirectory("asof")
        let run = try RandomLedgerRun(seed: seed, pageSize: pageSize, path: directory.path("ledger.db"))
        try run.run(generations: 2, operations: 20)

        #expect(run.views.filter(\.isHandover).count == 1)
        #expect(run.views.count == 1 + 1 + 6, "the kexec, the boot and six random points")
        for view in run.views {
            let state = try AsOfState(ledger: run.ledger, seq: view.seq)
            #expect(EmulatorView(state, isHandover: view.isHandover) == view, "seed \(seed), \(pageSize)-byte pages")
            #expect(state.preserved.count == view.preserved.count, "no block listed twice")
            #expect(state.preservedBytes == view.preserved.reduce(0) { $0 + state.geometry.bytes(order: $1.order) })
            #expect(state.unpreservedBytes == state.memorySize - state.preservedBytes)
        }
        #expect(try run.ledger.operations(OpFilter(kind: .preserveVmalloc)).contains { $0.result == "ok" }, "the run preserved an area")
    }

    /// At a kexec the state is the handover; at the next boot, the new
    /// generation's fresh tracker with the incoming subtrees.
    @Test func kexecIsTheHandoverAndBootStartsAfresh() throws {
        let directory = try TemporaryDirectory("asof")
        let run = try RandomLedgerRun(seed: 77, pageSize: 4096, path: directory.path("ledger.db"))
        try run.run(generations: 2, operations: 30)
        let handover = try #require(run.views.first { $0.isHandover })
        let atKexec = try AsOfState(ledger: run.ledger, seq: handover.seq)
        let atBoot = try AsOfState(ledger: run.ledger, seq: handover.seq + 1)
        #expect(atKexec.generation == 0 && atBoot.generation == 1)
        #expect(atKexec.preserved.count > 1)
        #expect(atBoot.preserved.count == 1, "only the new root FDT page")
        #expect(atBoot.areas.isEmpty)
        #expect(Set(atBoot.subtrees.filter { $0.direction == .incoming }.map(\.name))
                == Set(atKexec.subtrees.filter { $0.direction == .outgoing }.map(\.name)))
    }

    @Test func pointsOutsideTheLedgerAreTypedErrors() throws {
        let directory = try TemporaryDirectory("asof")
        let run = try RandomLedgerRun(seed: 5, pageSize: 4096, path: directory.path("ledger.db"))
        try run.run(generations: 1, operations: 3)
        let last = try PointInTime.latest(in: run.ledger)
        #expect(throws: ReplayError.pointOutOfRange("\(last + 1)", "the ledger has seqs 1…\(last)")) {
            try AsOfState(ledger: run.ledger, seq: last + 1)
        }
        #expect(throws: ReplayError.pointOutOfRange("0", "the ledger has seqs 1…\(last)")) {
            try AsOfState(ledger: run.ledger, seq: 0)
        }
        let empty = try Ledger(path: directory.path("empty.db"))
        #expect(throws: ReplayError.emptyLedger) { try AsOfState(ledger: empty, seq: 1) }
        #expect(throws: ReplayError.emptyLedger) { try PointInTime.latest(in: empty) }
    }
}
