import GRDB
import KHOABI

/// The open preserved-block intervals of the current generation, kept in
/// memory while recording and mirrored in `preserved_run`: runs of
/// contiguous blocks, and single blocks that do not follow each other
/// packed up to ``PackedBlocks/limit`` per row (``PackedBlocks``).
///
/// One op's tracker changes are applied in order; removals are collected per
/// row and applied when the op ends, so a row is split at most once per op.
struct PreservedRuns {
    /// A row of blocks: its id once written, the seq it opened at.
    private struct Run {
        var id: Int64?
        /// The first block, the order and the count.
        var blocks: BlockRun
        /// A packed row's page frame numbers (nil: contiguous from `blocks.phys`).
        var frames: [UInt64]?
        var fromSeq: Int64
        var closed = false
    }

    let geometry: PageGeometry
    private var runs: [Run] = []
    /// Where each open block is: its row and its index in the row.
    private var openBlocks: [PreservedBlock: (run: Int, index: Int)] = [:]
    private var removals: [Int: Set<Int>] = [:]
    private var createdThisOp: [Int] = []

    init(geometry: PageGeometry) { self.geometry = geometry }

    /// Every open block (the tracker's content as recorded).
    var blocks: Set<PreservedBlock> { Set(openBlocks.keys) }

    func contains(_ block: PreservedBlock) -> Bool { openBlocks[block] != nil }

    private func block(_ run: Run, _ index: Int) -> PreservedBlock {
        if let frames = run.frames { return PreservedBlock(phys: frames[index] << UInt64(geometry.pageShift), order: run.blocks.order) }
        return PreservedBlock(phys: run.blocks.phys + UInt64(index) * geometry.bytes(order: run.blocks.order), order: run.blocks.order)
    }

    /// Applies one tracker change of the op at `seq`.
    mutating func apply(_ block: PreservedBlock, added: Bool, seq: Int64) {
        if let (r, i) = openBlocks[block] {
            if added { removals[r]?.remove(i) } else { removals[r, default: []].insert(i) }
            return
        }
        guard added else { return }
        // (Fields read one by one: a copy of the run would make the append below copy its list.)
        if let last = createdThisOp.last, removals[last] == nil, runs[last].blocks.order == block.order {
            let count = runs[last].blocks.count, packed = runs[last].frames != nil
            if !packed, block.phys == runs[last].blocks.phys + runs[last].blocks.bytes(geometry) {
                runs[last].blocks.count += 1
                openBlocks[block] = (last, count)
                return
            }
            if packed || count == 1, count < PackedBlocks.limit {
                let shift = UInt64(geometry.pageShift)
                if !packed { runs[last].frames = [runs[last].blocks.phys >> shift] }
                runs[last].frames!.append(block.phys >> shift)
                runs[last].blocks.count += 1
                openBlocks[block] = (last, count)
                return
            }
        }
        runs.append(Run(id: nil, blocks: BlockRun(phys: block.phys, order: block.order, count: 1), fromSeq: seq))
        createdThisOp.append(runs.count - 1)
        openBlocks[block] = (runs.count - 1, 0)
    }

    /// Ends the op: splits rows that lost blocks, writes new and closed rows.
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
            runs[r].frames = nil
            toInsert.removeAll { $0 == r }
            for piece in pieces {
                let first = block(run, piece.start)
                let frames = run.frames.flatMap { piece.count > 1 ? Array($0[piece.start ..< piece.start + piece.count]) : nil }
                runs.append(Run(id: nil, blocks: BlockRun(phys: first.phys, order: first.order, count: piece.count), frames: frames,
                                fromSeq: run.id == nil ? run.fromSeq : seq))
                let index = runs.count - 1
                for k in piece.start..<piece.start + piece.count { openBlocks[block(run, k)] = (index, k - piece.start) }
                toInsert.append(index)
            }
        }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO preserved_run (generation, phys, ord, count, from_seq, blocks) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for r in toInsert where !runs[r].closed {
            let blocks = runs[r].blocks
            try insert.execute(integers: generation, Int64(bitPattern: blocks.phys), Int64(blocks.order), Int64(blocks.count), runs[r].fromSeq,
                               text: runs[r].frames.map(PackedBlocks.encode))
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
