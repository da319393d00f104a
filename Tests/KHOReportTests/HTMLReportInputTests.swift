import Foundation
import KHOTestSupport
import Testing
@testable import KHOReport

/// The HTML report builds its memory maps from the canned reports' rows,
/// which come from a ledger: untrusted values.
@Suite("HTML report inputs")
struct HTMLReportInputTests {
    /// A generation row the memory map would divide by or count cells over:
    /// one error naming the generation and the value (before, a page size
    /// of 0 trapped with a division by zero).
    @Test(arguments: [("page_size = 0", "page_size 0"), ("memory_size = 0", "memory_bytes 0"), ("page_size = 12288", "page_size 12288")])
    func anImpossibleGenerationIsNamed(_ assignment: String, _ named: String) throws {
        let directory = try TemporaryDirectory()
        let ledger = directory.path("html.db")
        let made = try ToolRunner.run(["simulate", ToolRunner.examples.appendingPathComponent("memfd-luo.yaml").path, "--quiet", "--ledger", ledger])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try ToolRunner.sqlite(ledger, "UPDATE generation SET \(assignment) WHERE generation = 0").status == 0)
        #expect {
            try HTMLReport.ledger(ReadOnlyConnection(readingAt: ledger))
        } throws: { error in
            "\(error)".contains("report summary: generation 0 has \(named): the ledger holds a corrupt generation row")
        }
    }

    /// Frames and counts no recording writes (far below or above the
    /// memory, counts up to 2^63 - 1) are left out of the map, never
    /// overflow (before, a frame count near 2^63 trapped).
    @Test func framesOutsideTheMemoryAreLeftOut() {
        var map = MemoryMap(generation: 0, pageSize: 4096, memoryBase: 0x1_0000_0000, memoryBytes: 16 << 20)
        let owner = MemoryMap.Owner(kind: .blob, subject: "b", leaked: false)
        map.add(pfn: .min, count: .max, owner: owner)
        map.add(pfn: .max, count: .max, owner: owner)
        map.add(pfn: 0x10_0000, count: -1, owner: owner)
        #expect((0 ..< map.cellCount).allSatisfy { map.dominant($0) == nil })
        map.add(pfn: 0x10_0000 + 4095, count: .max, owner: owner)
        #expect(map.dominant(4095)?.preserved == 1 && map.dominant(4094) == nil)
    }
}
