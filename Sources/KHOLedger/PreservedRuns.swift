import GRDB
import KHOABI

/// The open preserved-block intervals of the current generation, run-length
/// encoded, kept in memory while recording and mirrored in `preserved_run`.
///
/// One op's tracker changes are applied in order; removals are collected per
/// run and applied when the op ends, so a run is split at most once per op.
struct PreservedRuns {
    /// A run of blocks with its row: its id once written, the seq it opened at.
    private struct Run {
        var id: Int64?
        var blocks: BlockRun
        var fromSeq: Int64
        var closed = false
    }

    let geometry: PageGeometry
    private var runs: [Run] = []
    private var openBlocks: [PreservedBlock: Int] = [:]
    private var removals: [Int: Set<Int>] = [:]
    private var createdThisOp: [Int] = []

    init(geometry: PageGeometry) { self.geometry = geometry }

    /// Every open block (the tracker's content as recorded).
    var blocks: Set<PreservedBlock> { Set(openBlocks.keys) }

    func contains(_ block: PreservedBlock) -> Bool { openBlocks[block] != nil }

    private func block(_ run: Run, _ index: Int) -> PreservedBlock {
        PreservedBlock(phys: run.blocks.phys + UInt64(index) * geometry.bytes(order: run.blocks.order), order: run.blocks.order)
    }

    private func index(of block: PreservedBlock, in run: Run) -> Int {
        Int((block.phys - run.blocks.phys) / geometry.bytes(order: run.blocks.order))
    }

    /// Applies one tracker change of the op at `seq`.
    mutating func apply(_ block: PreservedBlock, added: Bool, seq: Int64) {
        if let r = openBlocks[block] {
            let i = index(of: block, in: runs[r])
            if added { removals[r]?.remove(i) } else { removals[r, default: []].insert(i) }
            return
        }
        guard added else { return }
        if let last = createdThisOp.last, removals[last] == nil, runs[last].blocks.order == block.order,
           block.phys == runs[last].blocks.phys + runs[last].blocks.bytes(geometry) {
            runs[last].blocks.count += 1
            openBlocks[block] = last
            return
        }
        runs.append(Run(id: nil, blocks: BlockRun(phys: block.phys, order: block.order, count: 1), fromSeq: seq))
        createdThisOp.append(runs.count - 1)
        openBlocks[block] = runs.count - 1
    }

    /// Ends the op: splits runs that lost blocks, writes new and closed runs.
    mutating func finishOp(seq: Int64, generation: Int64, db: Database) throws {
        var toInsert = createdThisOp
        for (r, removed) in removals.sorted(by: { $0.key < $1.key }) where !removed.isEmpty {
            let run = runs[r]
            for i in removed { openBlocks[block(run, i)] = nil }
            var pieces: [(start: Int, count: Int)] = []
            var i = 0
            while i < run.blocks.count {
                if removed.contains(i) { i += 1; continue }
                let start = i
                while i < run.blocks.count, !removed.contains(i) { i += 1 }
                pieces.append((start, i - start))
            }
            if let id = run.id {
                try db.cachedStatement(sql: "UPDATE preserved_run SET to_seq = ? WHERE id = ?").execute(integers: seq, id)
            }
            runs[r].closed = true
            toInsert.removeAll { $0 == r }
            for piece in pieces {
                let first = block(run, piece.start)
                runs.append(Run(id: nil, blocks: BlockRun(phys: first.phys, order: first.order, count: piece.count),
                                fromSeq: run.id == nil ? run.fromSeq : seq))
                let index = runs.count - 1
                for k in piece.start..<piece.start + piece.count { openBlocks[block(run, k)] = index }
                toInsert.append(index)
            }
        }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO preserved_run (generation, phys, ord, count, from_seq) VALUES (?, ?, ?, ?, ?)
            """)
        for r in toInsert where !runs[r].closed {
            let blocks = runs[r].blocks
            try insert.execute(integers: generation, Int64(bitPattern: blocks.phys), Int64(blocks.order), Int64(blocks.count), runs[r].fromSeq)
            runs[r].id = db.lastInsertedRowID
        }
        removals = [:]
        createdThisOp = []
    }

    /// Forgets everything (a kexec closed the generation's intervals in SQL).
    mutating func reset() {
        runs = []
        openBlocks = [:]
        removals = [:]
        createdThisOp = []
    }
}
