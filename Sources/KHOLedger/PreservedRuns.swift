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
    /// Every open block (the tracker's content as recorded).
    private(set) var blocks: PreservedBlockSet
    /// Where each open block is, its row and its index in the row: built
    /// the first time an op adds or removes an open block, then kept up to
    /// date, so a generation that only adds new blocks (a guest's millions
    /// of folios) never pays an entry per block.
    private var index: [PreservedBlock: (run: Int, index: Int)]?
    private var removals: [Int: Set<Int>] = [:]
    private var createdThisOp: [Int] = []

    init(geometry: PageGeometry) {
        self.geometry = geometry
        blocks = PreservedBlockSet(geometry: geometry)
    }

    /// The row and index of an open block, building ``index`` on first use.
    private mutating func location(of block: PreservedBlock) -> (run: Int, index: Int)? {
        if index == nil {
            var built: [PreservedBlock: (run: Int, index: Int)] = [:]
            built.reserveCapacity(blocks.count)
            for (r, run) in runs.enumerated() where !run.closed {
                for i in 0..<run.blocks.count { built[self.block(run, i)] = (r, i) }
            }
            index = built
        }
        return index?[block]
    }

    /// Records that block `block` is open at `run`, `position`.
    private mutating func open(_ block: PreservedBlock, run: Int, position: Int) {
        blocks.insert(block)
        index?[block] = (run, position)
    }

    private func block(_ run: Run, _ index: Int) -> PreservedBlock {
        if let frames = run.frames { return PreservedBlock(phys: frames[index] << UInt64(geometry.pageShift), order: run.blocks.order) }
        return PreservedBlock(phys: run.blocks.phys + UInt64(index) * geometry.bytes(order: run.blocks.order), order: run.blocks.order)
    }

    /// Applies one tracker change of the op at `seq`.
    mutating func apply(_ block: PreservedBlock, added: Bool, seq: Int64) {
        if blocks.contains(block), let (r, i) = location(of: block) {
            if added { removals[r]?.remove(i) } else { removals[r, default: []].insert(i) }
            return
        }
        guard added else { return }
        // (Fields read one by one: a copy of the run would make the append below copy its list.)
        if let last = createdThisOp.last, removals[last] == nil, runs[last].blocks.order == block.order {
            let count = runs[last].blocks.count, packed = runs[last].frames != nil
            if !packed, block.phys == runs[last].blocks.phys + runs[last].blocks.bytes(geometry) {
                runs[last].blocks.count += 1
                open(block, run: last, position: count)
                return
            }
            if packed || count == 1, count < PackedBlocks.limit {
                let shift = UInt64(geometry.pageShift)
                if !packed { runs[last].frames = [runs[last].blocks.phys >> shift] }
                runs[last].frames!.append(block.phys >> shift)
                runs[last].blocks.count += 1
                open(block, run: last, position: count)
                return
            }
        }
        runs.append(Run(id: nil, blocks: BlockRun(phys: block.phys, order: block.order, count: 1), fromSeq: seq))
        createdThisOp.append(runs.count - 1)
        open(block, run: runs.count - 1, position: 0)
    }

    /// Ends the op: splits rows that lost blocks, writes new and closed rows.
    mutating func finishOp(seq: Int64, generation: Int64, db: Database) throws {
        var toInsert = createdThisOp
        for (r, removed) in removals.sorted(by: { $0.key < $1.key }) where !removed.isEmpty {
            let run = runs[r]
            for i in removed {
                let gone = block(run, i)
                blocks.remove(gone)
                index?[gone] = nil
            }
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
                for k in piece.start..<piece.start + piece.count {
                    let moved = block(run, k)
                    self.index?[moved] = (index, k - piece.start)
                }
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
        blocks = PreservedBlockSet(geometry: geometry)
        index = nil
        removals = [:]
        createdThisOp = []
    }
}
