import Crypto
import Foundation
import KHOABI

/// The second half of a restore, on a thread of its own: it hashes the
/// area's pieces (SHA-256, in restore order) and hands them to the sink,
/// while the restoring thread reads and checks the next ones. The two
/// halves cost about the same (a SHA-256 each: the stored page's check on
/// one side, the area's digest on the other), so a restore runs on both
/// cores.
///
/// Pieces wait in a queue of at most ``queueLimit`` bytes and are taken
/// in batches of at least ``batchBytes`` (so the two threads do not wake
/// each other for every page). The sink is
/// called on the consumer's thread, one piece at a time, in order; it has
/// returned for the last time, and been released, when ``finish()`` or
/// ``cancel()`` returns, so the caller may read what the sink wrote from
/// then on. A sink error
/// stops the consumer; the next ``put(_:)`` or ``finish()`` throws it.
final class PieceConsumer: @unchecked Sendable {
    /// Bytes queued at most before ``put(_:)`` waits.
    static let queueLimit = 8 << 20
    /// Bytes queued before the consumer is woken.
    static let batchBytes = 512 << 10

    // Everything below is guarded by `condition`, except `hasher` and
    // `sink`, which only the consumer's thread touches until `done`.
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    /// Bytes in `queue`.
    private var queuedBytes = 0
    /// Bytes of the batch the consumer is working on.
    private var takenBytes = 0
    /// No piece will be put any more.
    private var closed = false
    /// The consumer's thread has returned.
    private var done = false
    private var failure: RestoreError?
    private var hasher = SHA256()
    /// Released by the consumer's thread before it says it is done, so
    /// whatever the sink holds (an output file that removes itself unless
    /// committed) is gone when ``finish()`` or ``cancel()`` returns.
    private var sink: VmallocRestorer.Sink?

    /// Starts the consumer's thread, feeding `sink` (if any).
    init(sink: VmallocRestorer.Sink?) {
        self.sink = sink
        let thread = Thread { [self] in consume() }
        thread.name = "kholedger restore digest"
        thread.start()
    }

    /// Queues `piece`, waiting while the queue is full.
    func put(_ piece: [UInt8]) throws(RestoreError) {
        condition.lock()
        defer { condition.unlock() }
        while queuedBytes + takenBytes >= Self.queueLimit, failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(piece)
        queuedBytes += piece.count
        if queuedBytes >= Self.batchBytes { condition.broadcast() }
    }

    /// Waits for every queued piece to be consumed and returns the
    /// lowercase hex SHA-256 of all pieces; throws the sink's error, if any.
    func finish() throws(RestoreError) -> String {
        stop()
        if let failure { throw failure }
        return hasher.finalize().map { byte in
            let digits = String(byte, radix: 16)
            return byte < 0x10 ? "0" + digits : digits
        }.joined()
    }

    /// Stops taking pieces and waits for the consumer's thread to return
    /// (after an error of the restoring side).
    func cancel() {
        condition.lock()
        queue.removeAll()
        queuedBytes = 0
        condition.unlock()
        stop()
    }

    private func stop() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
    }

    private func consume() {
        while let batch = next() {
            for piece in batch {
                hasher.update(data: piece)
                guard let sink else { continue }
                do {
                    try sink(piece)
                } catch {
                    fail(.outputFailed(reason: "\(error)"))
                    break
                }
            }
            condition.lock()
            takenBytes = 0
            condition.broadcast()
            condition.unlock()
        }
        sink = nil
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// The queued pieces, waiting for some; nil once closed and empty or failed.
    private func next() -> [[UInt8]]? {
        condition.lock()
        defer { condition.unlock() }
        while queuedBytes < Self.batchBytes, !closed, failure == nil { condition.wait() }
        guard failure == nil, !queue.isEmpty else { return nil }
        let batch = queue
        queue.removeAll(keepingCapacity: true)
        takenBytes = queuedBytes
        queuedBytes = 0
        return batch
    }

    private func fail(_ error: RestoreError) {
        condition.lock()
        failure = error
        queue.removeAll()
        queuedBytes = 0
        condition.broadcast()
        condition.unlock()
    }
}
