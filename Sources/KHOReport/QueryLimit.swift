import Foundation
import GRDBSQLite

/// Ends a ``ReadOnlyConnection`` query that runs too long, or on Ctrl-C:
/// SQLite's progress handler, called every few thousand virtual-machine
/// steps, interrupts the statement once the deadline has passed or
/// ``requestInterrupt()`` was called (safe from a signal handler).
final class QueryLimit {
    /// The longest a ``ReadOnlyConnection/run(_:parameters:requireUse:into:)``
    /// may take; nil for no limit.
    var timeout: Duration?
    private var deadline: ContinuousClock.Instant?

    /// Set by ``requestInterrupt()``, cleared when a run ends (or by
    /// ``forgetInterrupt()``): one word, written whole, as a signal handler may.
    nonisolated(unsafe) private static var interruptRequested = false

    /// Asks the running query, or else the next one, to stop. Async-signal-safe.
    static func requestInterrupt() {
        interruptRequested = true
    }

    /// Forgets an interrupt requested while no query was running.
    static func forgetInterrupt() {
        interruptRequested = false
    }

    /// SQLite virtual-machine steps between two looks at the clock.
    private static let stepsBetweenChecks: Int32 = 4096

    /// Installs the limit on `connection`; the connection must not outlive it.
    func install(on connection: OpaquePointer) {
        sqlite3_progress_handler(connection, Self.stepsBetweenChecks, { context in
            Unmanaged<QueryLimit>.fromOpaque(context!).takeUnretainedValue().shouldStop ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Starts the clock for a run.
    func start() {
        deadline = timeout.map { ContinuousClock.now + $0 }
    }

    /// Stops the clock (before the run's COMMIT or ROLLBACK, which must not be interrupted).
    func finish() {
        Self.interruptRequested = false
        deadline = nil
    }

    /// Why the run was stopped, for an interrupted statement.
    func stopReason(statement: String) -> ReportError {
        if Self.interruptRequested { return .interrupted(statement: statement) }
        return .timedOut(after: timeout ?? .zero, statement: statement)
    }

    private var shouldStop: Bool {
        if Self.interruptRequested { return true }
        guard let deadline else { return false }
        return ContinuousClock.now >= deadline
    }
}
