import Foundation
import KHOABI

extension HTMLReport {
    /// The report of a ledger: the summary table, a physical-memory map per
    /// generation, the preserved-bytes timeline, the order histogram and the
    /// subsystems table, all read through `connection` with the canned
    /// reports. `generations` chooses which to draw (empty: every one).
    ///
    /// Further sections (e.g. audit findings) are added to ``sections``.
    public static func ledger(_ connection: ReadOnlyConnection, generations: [Int64] = []) throws(ReportError) -> HTMLReport {
        let known = try connection.generations()
        if let missing = generations.first(where: { !known.contains($0) }) { throw .unknownGeneration(missing, known: known) }
        let chosen = Set(generations)
        func rows(_ name: String) throws(ReportError) -> (CannedReport, ResultColumns) {
            let report = try CannedReport.named(name)
            return (report, ResultColumns(result: try report.run(on: connection), report: name))
        }
        let (summaryReport, summary) = try rows("summary")
        let summaryRows = try summary.rows(in: chosen)
        let (subsystemsReport, subsystems) = try rows("subsystems")
        let sections: [any HTMLSection] = [
            TableSection(title: "Summary", anchor: "summary", note: summaryReport.summary,
                         result: QueryResult(columns: summary.result.columns, rows: summaryRows)),
            MemoryMapSection(maps: try memoryMaps(connection, summary: summary, rows: summaryRows, chosen: chosen)),
            TimelineSection(points: try timeline(connection, chosen: chosen)),
            OrderHistogramSection(bars: try orderBars(connection, chosen: chosen)),
            TableSection(title: "Subsystems", anchor: "subsystems", note: subsystemsReport.summary,
                         result: QueryResult(columns: subsystems.result.columns, rows: try subsystems.rows(in: chosen))),
        ]
        let drawn = summaryRows.count
        return HTMLReport(title: "kholedger report: \(URL(fileURLWithPath: connection.ledger.path).lastPathComponent)",
                          subtitle: "\(connection.ledger.path), \(drawn) generation\(drawn == 1 ? "" : "s")",
                          sections: sections)
    }

    private static func memoryMaps(_ connection: ReadOnlyConnection, summary: ResultColumns, rows: [[SQLValue]],
                                   chosen: Set<Int64>) throws(ReportError) -> [MemoryMap] {
        let g = try summary.index("generation"), size = try summary.index("page_size")
        let base = try summary.index("memory_base"), bytes = try summary.index("memory_bytes")
        var maps: [Int64: MemoryMap] = [:]
        for row in rows {
            guard let generation = row[g].integer, let pageSize = row[size].integer, let memory = row[bytes].integer,
                  let memoryBase = row[base].address else { continue }
            func corrupt(_ column: String, _ value: Int64) -> ReportError {
                .corruptGeneration(report: "summary", generation: generation, column: column, value: "\(value)")
            }
            // The map divides by the page size and counts cells over the memory: the values must be ones a recording writes.
            guard PageGeometry.supportedPageSizes.contains(where: { Int64($0) == pageSize }) else { throw corrupt("page_size", pageSize) }
            guard memory >= pageSize else { throw corrupt("memory_bytes", memory) }
            guard memoryBase >= 0, memoryBase <= Int64.max - memory else { throw corrupt("memory_base", memoryBase) }
            maps[generation] = MemoryMap(generation: generation, pageSize: pageSize, memoryBase: memoryBase, memoryBytes: memory)
        }
        let leaks = ResultColumns(result: try CannedReport.named("leaks").run(on: connection), report: "leaks")
        let leakGeneration = try leaks.index("generation"), leakPhys = try leaks.index("phys")
        let leaked = Set(try leaks.rows(in: chosen).map { "\($0[leakGeneration].text) \($0[leakPhys].text)" })

        let frames = ResultColumns(result: try CannedReport.named("memory-map").run(on: connection), report: "memory-map")
        let fg = try frames.index("generation"), pfn = try frames.index("pfn"), pages = try frames.index("pages")
        let phys = try frames.index("phys"), by = try frames.index("preserved_by"), subject = try frames.index("subject")
        for row in try frames.rows(in: chosen) {
            guard let generation = row[fg].integer, let first = row[pfn].integer, let count = row[pages].integer else { continue }
            let owner = MemoryMap.Owner(kind: FrameKind(preservedBy: row[by].text), subject: row[subject].text,
                                        leaked: leaked.contains("\(generation) \(row[phys].text)"))
            maps[generation]?.add(pfn: first, count: count, owner: owner)
        }
        return maps.values.sorted { $0.generation < $1.generation }
    }

    private static func timeline(_ connection: ReadOnlyConnection, chosen: Set<Int64>) throws(ReportError) -> [TimelineSection.Point] {
        let timeline = ResultColumns(result: try CannedReport.named("timeline").run(on: connection), report: "timeline")
        let seq = try timeline.index("seq"), g = try timeline.index("generation"), bytes = try timeline.index("preserved_bytes")
        return try timeline.rows(in: chosen).compactMap { row in
            guard let s = row[seq].integer, let generation = row[g].integer, let b = row[bytes].integer else { return nil }
            return TimelineSection.Point(seq: s, generation: generation, bytes: b)
        }
    }

    private static func orderBars(_ connection: ReadOnlyConnection, chosen: Set<Int64>) throws(ReportError) -> [OrderHistogramSection.Bar] {
        let orders = ResultColumns(result: try CannedReport.named("orders").run(on: connection), report: "orders")
        let g = try orders.index("generation"), order = try orders.index("order")
        let blocks = try orders.index("blocks"), size = try orders.index("block_bytes")
        return try orders.rows(in: chosen).compactMap { row in
            guard let generation = row[g].integer, let o = row[order].integer, let n = row[blocks].integer, let b = row[size].integer else { return nil }
            return OrderHistogramSection.Bar(generation: generation, order: o, blocks: n, blockBytes: b)
        }
    }
}
