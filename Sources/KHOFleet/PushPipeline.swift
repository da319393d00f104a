import Foundation
import KHOLedger

/// A push's batches, read from the ledger, checked against the chain and
/// encoded as `COPY` text on a thread of their own, while the calling
/// thread has the store load the batch before: the push then takes about
/// as long as the slower of the two, not their sum.
///
/// At most ``depth`` encoded batches wait; the reader stops at its first
/// error, which the loader gets after the batches before it.
final class PushPipeline: @unchecked Sendable {
    /// One batch, ready to load.
    struct Batch {
        /// Each chain table's rows in `COPY` text, in load order.
        var tables: [(table: FleetTable, text: [UInt8])]
        /// The pages of `--content full` not sent before: hash and bytes.
        var pages: [(hash: Data, bytes: Data)]
        var count: Int
        /// The batch's last op.
        var last: ChainHead
        /// Whether the op after the batch may still carry a v1 hash.
        var legacyAllowed: Bool
    }

    /// Batches encoded ahead of the loader at most.
    static let depth = 2

    private let condition = NSCondition()
    private var ready: [Result<Batch, any Error>] = []
    private var finished = false
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)
    /// Read by the reader thread only, once started.
    private let ledger: Ledger

    /// Starts reading the ops of `ledger` after `host`'s head for a push
    /// of `content`, `batchSize` a batch; an op that does not extend the
    /// chain ends the batches with ``FleetError/refused(host:reason:)``.
    init(ledger: Ledger, host: FleetHostState, content: FleetContent, batchSize: Int) {
        self.ledger = ledger
        Thread { [self] in
            do {
                try read(host: host, content: content, batchSize: batchSize)
            } catch is Stop {
            } catch {
                put(.failure(error))
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
            done.signal()
        }.start()
    }

    /// The next batch; nil after the last. Throws the reader's error.
    func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty, !finished { condition.wait() }
        guard !ready.isEmpty else { return nil }
        let batch = ready.removeFirst()
        condition.broadcast()
        return try batch.get()
    }

    /// Stops the reader (the loader failed) and waits for it to end.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        done.wait()
    }

    private struct Stop: Error {}

    private func put(_ batch: Result<Batch, any Error>) {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= Self.depth, !stopped { condition.wait() }
        guard !stopped else { return }
        ready.append(batch)
        condition.broadcast()
    }

    private func read(host: FleetHostState, content: FleetContent, batchSize: Int) throws {
        var link = ChainLink(previous: host.headHash ?? HashChain.genesis, legacyAllowed: host.legacyAllowed)
        var sent = Set<Data>()
        let tables = FleetTable.chain(content: content)
        try ledger.forEachChainedBatch(after: host.headSeq, batchSize: batchSize, pageBytes: content == .full) { batch in
            // By index: a loop variable would copy each op, arrays and all.
            for i in batch.indices {
                switch link.check(batch[i].rows, previousHash: batch[i].previousHash, hash: batch[i].hash) {
                case .current, .legacy: continue
                case .wrongPrevious, .mismatch:
                    throw FleetError.refused(host: host.name, reason: "the ledger's hash chain is broken at seq \(batch[i].rows.op.seq) "
                        + "(`kholedger audit --chain` says how); the ops before it were stored")
                }
            }
            guard let last = batch.last else { return }
            var encoded = Batch(tables: [], pages: [], count: batch.count, last: ChainHead(seq: last.rows.op.seq, hash: last.hash),
                                legacyAllowed: link.legacyAllowed)
            for table in tables {
                encoded.tables.append((table, CopyText.encode { text in
                    batch.withUnsafeBufferPointer { ops in table.write(ops, host.id, &text) }
                }))
            }
            if content == .full {
                for i in batch.indices {
                    for (content, bytes) in zip(batch[i].rows.contents, batch[i].pageBytes) where sent.insert(content.hash).inserted {
                        encoded.pages.append((content.hash, bytes))
                    }
                }
            }
            condition.lock()
            let stop = stopped
            condition.unlock()
            if stop { throw Stop() }
            put(.success(encoded))
        }
    }
}
