import Foundation
import KHOABI
import KHOLedger

/// The store's copy of the rows each op's hash covers: one ``FleetTable``
/// per table, each writing a batch's rows in `COPY` text. The verifier
/// reads the same tables back (``FleetChainReader``).
struct FleetTable: Sendable {
    /// The table's name.
    var name: String
    /// Its columns after `host_id`, in `COPY` order.
    var columns: [String]
    /// Writes the rows of a batch's ops (each ending with
    /// ``CopyText/endRow()``), `host` first in each. The ops are read in
    /// place, by index: an op taken out of the buffer would be copied,
    /// arrays and all.
    var write: @Sendable (_ ops: UnsafeBufferPointer<ChainedOp>, _ host: Int64, _ text: inout CopyText) -> Void

    /// The tables of the chain, in the order a push writes them.
    static func chain(content: FleetContent) -> [FleetTable] {
        var tables = [op, change, object, extent, chunk, subtree, bootMemory, generation, handover, contentEnd, objectEnd, subtreeEnd]
        if content != .none { tables.append(pageContent) }
        return tables
    }

    static let op = FleetTable(name: "op", columns: ["seq", "generation", "time", "kind", "subject", "args", "result", "errno", "detail",
                                                     "prev_hash", "hash", "contents"]) { ops, host, text in
        for n in ops.indices {
            let op = ops[n].rows.op
            text.int(host); text.int(op.seq); text.int(op.generation); text.text(op.time); text.text(op.kind); text.text(op.subject)
            text.text(op.args); text.text(op.result); text.int(op.errno); text.text(op.detail)
            text.bytes(ops[n].previousHash); text.bytes(ops[n].hash); text.int(Int64(ops[n].rows.contents.count))
            text.endRow()
        }
    }

    static let change = FleetTable(name: "op_change", columns: ["seq", "part", "action", "phys", "ord", "count", "blocks"]) { ops, host, text in
        for n in ops.indices {
            for change in ops[n].rows.changes {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(change.part); text.text(change.action)
                text.run(change.run); text.text(change.blocks)
                text.endRow()
            }
        }
    }

    static let object = FleetTable(name: "object", columns: ["seq", "idx", "kind", "name", "descriptor_phys", "first_chunk", "total_pages",
                                                             "flags", "ord"]) { ops, host, text in
        for n in ops.indices {
            for (i, object) in ops[n].rows.objects.enumerated() {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.text(object.kind); text.text(object.name)
                text.int(object.descriptorPhys); text.int(object.firstChunk); text.int(object.totalPages); text.int(object.flags); text.int(object.ord)
                text.endRow()
            }
        }
    }

    static let extent = FleetTable(name: "object_extent", columns: ["seq", "object_idx", "first_index", "phys", "ord", "count", "blocks"]) { ops, host, text in
        for n in ops.indices {
            for (i, object) in ops[n].rows.objects.enumerated() {
                for extent in object.extents {
                    text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.int(extent.firstIndex)
                    text.run(extent.run); text.text(extent.blocks)
                    text.endRow()
                }
            }
        }
    }

    static let chunk = FleetTable(name: "chunk", columns: ["seq", "object_idx", "idx", "phys", "next", "entries", "bytes"]) { ops, host, text in
        for n in ops.indices {
            for (i, object) in ops[n].rows.objects.enumerated() {
                for chunk in object.chunks {
                    text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.int(chunk.idx); text.int(chunk.phys)
                    text.int(chunk.next); text.int(chunk.entries); text.bytes(chunk.bytes)
                    text.endRow()
                }
            }
        }
    }

    static let pageContent = FleetTable(name: "page_content", columns: ["seq", "idx", "phys", "hash"]) { ops, host, text in
        for n in ops.indices {
            for (i, content) in ops[n].rows.contents.enumerated() {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.int(content.phys); text.bytes(content.hash)
                text.endRow()
            }
        }
    }

    static let subtree = FleetTable(name: "subtree", columns: ["seq", "idx", "direction", "name", "phys", "size", "blob"]) { ops, host, text in
        for n in ops.indices {
            for (i, subtree) in ops[n].rows.subtrees.enumerated() {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.text(subtree.direction); text.text(subtree.name)
                text.int(subtree.phys); text.int(subtree.size); text.bytes(subtree.blob)
                text.endRow()
            }
        }
    }

    static let bootMemory = FleetTable(name: "boot_memory", columns: ["seq", "idx", "name", "phys", "size"]) { ops, host, text in
        for n in ops.indices {
            for memory in ops[n].rows.bootMemory {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(memory.idx); text.text(memory.name); text.int(memory.phys); text.int(memory.size)
                text.endRow()
            }
        }
    }

    static let generation = FleetTable(name: "generation", columns: ["generation", "parent", "lineage", "boot_number", "abi", "page_size",
                                                                     "memory_base", "memory_size", "boot_seq", "tracker_root", "fdt_phys",
                                                                     "source", "label", "machine", "kernel", "previous_release",
                                                                     "kexec_count"]) { ops, host, text in
        for n in ops.indices {
            guard let g = ops[n].rows.generation else { continue }
            text.int(host); text.int(g.generation); text.int(g.parent); text.int(g.lineage); text.int(g.bootNumber); text.text(g.abi)
            text.int(g.pageSize); text.int(g.memoryBase); text.int(g.memorySize); text.int(g.bootSeq); text.int(g.trackerRoot)
            text.int(g.fdtPhys); text.text(g.source); text.text(g.label); text.text(g.machine); text.text(g.kernel)
            text.text(g.previousRelease); text.int(g.kexecCount)
            text.endRow()
        }
    }

    static let handover = FleetTable(name: "handover", columns: ["seq", "kexec_seq", "root_fdt"]) { ops, host, text in
        for n in ops.indices {
            guard let handover = ops[n].rows.handover else { continue }
            text.int(host); text.int(ops[n].rows.op.seq); text.int(handover.kexecSeq); text.bytes(handover.rootFDT)
            text.endRow()
        }
    }

    static let contentEnd = FleetTable(name: "content_end", columns: ["seq", "idx", "lineage", "phys"]) { ops, host, text in
        for n in ops.indices {
            for (i, end) in ops[n].rows.ends.contents.enumerated() {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.int(end.lineage); text.int(end.phys)
                text.endRow()
            }
        }
    }

    static let objectEnd = FleetTable(name: "object_end", columns: ["seq", "idx", "from_seq", "kind", "name"]) { ops, host, text in
        for n in ops.indices {
            for (i, end) in ops[n].rows.ends.objects.enumerated() {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.int(end.fromSeq); text.text(end.kind); text.text(end.name)
                text.endRow()
            }
        }
    }

    static let subtreeEnd = FleetTable(name: "subtree_end", columns: ["seq", "idx", "from_seq", "direction", "name"]) { ops, host, text in
        for n in ops.indices {
            for (i, end) in ops[n].rows.ends.subtrees.enumerated() {
                text.int(host); text.int(ops[n].rows.op.seq); text.int(Int64(i)); text.int(end.fromSeq); text.text(end.direction); text.text(end.name)
                text.endRow()
            }
        }
    }
}

extension CopyText {
    /// A layout row's `phys`, `ord` and `count`, as the ledger stores them.
    mutating func run(_ run: BlockRun) {
        int(Int64(bitPattern: run.phys)); int(Int64(run.order)); int(Int64(run.count))
    }
}
