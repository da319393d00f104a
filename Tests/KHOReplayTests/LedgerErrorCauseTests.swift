import GRDB
@testable import KHOLedger
import KHOReplay
import KHOTestSupport
import Testing

/// A ledger that cannot be read stops a replay question with a typed error
/// that keeps its cause: the ``LedgerError`` naming the file, holding
/// SQLite's error (or the ``CorruptRow``), never a string made of them.
@Suite("Ledger error causes")
struct LedgerErrorCauseTests {
    /// A random three-generation story (areas restored in generations 1
    /// and 2) whose ledger then gets `edit`, as a hand with `sqlite3` would.
    private static func story(editedBy edit: String) throws -> (story: RandomHandover, state: AsOfState) {
        let story = try RandomHandover(HandoverCase.all[0])
        let state = try AsOfState(ledger: story.ledger, seq: try PointInTime.latest(in: story.ledger))
        try story.ledger.database.write { try $0.execute(sql: edit) }
        return (story, state)
    }

    /// SQLite's error in `failure`, which it raised on the ledger at `path`.
    private static func expectSQLite(_ error: LedgerError?, path: String, message: String) {
        guard case let .database(failedPath, failure) = error else {
            Issue.record("expected a database error, got \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
        #expect(failure.databaseError?.resultCode == .SQLITE_ERROR)
        #expect(failure.databaseError?.message?.contains(message) == true, "\(failure)")
    }

    @Test func anAsOfStateKeepsSQLitesError() throws {
        let (story, state) = try Self.story(editedBy: "DROP TABLE chunk")
        let outcome = Result { () throws(ReplayError) in try AsOfState(ledger: story.ledger, seq: state.seq) }
        guard case .failure(.ledger(let cause)) = outcome else { Issue.record("\(outcome)"); return }
        Self.expectSQLite(cause, path: story.ledger.path, message: "no such table: chunk")
    }

    @Test func aCorruptRowIsTheLedgersError() throws {
        let (story, state) = try Self.story(editedBy: "UPDATE object SET kind = 'bogus'")
        let outcome = Result { () throws(ReplayError) in try AsOfState(ledger: story.ledger, seq: state.seq) }
        guard case .failure(.ledger(.corruptRow(let path, let row))) = outcome else { Issue.record("\(outcome)"); return }
        #expect(path == story.ledger.path)
        #expect(row.table == "object" && row.column == "kind" && row.expected == "a known kind")
    }

    @Test func aRestoreKeepsSQLitesError() throws {
        let (story, state) = try Self.story(editedBy: "DROP TABLE chunk")
        let area = try #require(state.areas.first { $0.kind == .restoredVmalloc })
        let outcome = Result { () throws(LedgerRestoreError) in try LedgerRestore(ledger: story.ledger).restore(area, of: state) }
        guard case .failure(.ledger(let cause)) = outcome else { Issue.record("\(outcome)"); return }
        Self.expectSQLite(cause, path: story.ledger.path, message: "no such table: chunk")
    }

    @Test func aRestoreInAGenerationNoKexecStartedIsAContradiction() throws {
        let (story, state) = try Self.story(editedBy: "UPDATE generation SET parent = NULL")
        let area = try #require(state.areas.first { $0.kind == .restoredVmalloc })
        let outcome = Result { () throws(LedgerRestoreError) in try LedgerRestore(ledger: story.ledger).restore(area, of: state) }
        guard case .failure(.ledger(.inconsistent(let reason))) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason == "\(story.ledger.path): area \"\(area.name)\" was restored in generation \(state.generation), which no kexec started")
    }

    @Test func anAuditKeepsSQLitesError() throws {
        let (story, _) = try Self.story(editedBy: "DROP TABLE chunk")
        let outcome = Result { () throws(AuditError) in try LedgerAudit(ledger: story.ledger).findings() }
        guard case .failure(.ledger(let cause)) = outcome else { Issue.record("\(outcome)"); return }
        Self.expectSQLite(cause, path: story.ledger.path, message: "no such table: chunk")
    }

    @Test func aReplayVerificationKeepsSQLitesError() throws {
        let (story, _) = try Self.story(editedBy: "DROP TABLE chunk")
        let outcome = Result { () throws(ReplayVerifierError) in
            try ReplayVerifier(ledger: story.ledger, scratchDirectory: story.directory.url).verify()
        }
        guard case .failure(.ledger(let cause)) = outcome else { Issue.record("\(outcome)"); return }
        Self.expectSQLite(cause, path: story.ledger.path, message: "no such table: chunk")
    }

    /// The two ledgers of a diff are read together: a failure names the
    /// one that failed, not the one read last.
    @Test func aDiffOfTwoLedgersNamesTheLedgerThatFailed() throws {
        let (story, state) = try Self.story(editedBy: "DROP TABLE page_content")
        let other = try RandomHandover(HandoverCase.all[1])
        let end = try PointInTime.latest(in: other.ledger)
        let outcome = Result { () throws(ReplayError) in
            try GenerationDiff(ledger: story.ledger, from: state.seq, otherLedger: other.ledger, to: end)
        }
        guard case .failure(.ledger(let cause)) = outcome else { Issue.record("\(outcome)"); return }
        Self.expectSQLite(cause, path: story.ledger.path, message: "no such table: page_content")
    }
}
