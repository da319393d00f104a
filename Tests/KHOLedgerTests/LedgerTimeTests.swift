import Foundation
import KHOLedger
import Testing

/// `LedgerTime`: every accepted form parses to the exact millisecond, and
/// printing never loses one.
@Suite("ledger time")
struct LedgerTimeTests {
    /// 2026-11-25T10:42:48Z in seconds since the epoch.
    static let second: Int64 = 1_795_603_368

    @Test func everyMillisecondOfASecondPrintsExactly() throws {
        for millisecond in Int64(0) ..< 1000 {
            let date = Date(timeIntervalSince1970: Double(Self.second) + Double(millisecond) / 1000)
            let digits = String(millisecond + 1000).dropFirst()
            #expect(LedgerTime.format(date) == "2026-11-25T10:42:48.\(digits)Z")
            let parsed = try #require(LedgerTime(parsing: "2026-11-25T10:42:48.\(digits)Z"))
            #expect(parsed.millisecondsSince1970 == Self.second * 1000 + millisecond)
            #expect(LedgerTime.format(parsed.date) == parsed.description)
        }
    }

    @Test(arguments: [
        "2026-11-25T10:42:48.833Z",
        "2026-11-25T12:42:48.833+02:00",
        "2026-11-25T12:42:48.833+0200",
        "2026-11-25T12:42:48.833+02",
        "2026-11-25T05:12:48.833-05:30",
        "2026-11-25 10:42:48.833",
        "2026-11-25 10:42:48.833Z",
        "2026-11-25T10:42:48.833999999Z",
        "2026-11-26T00:42:48.833+14:00",
    ])
    func everyFormNamesTheSameMillisecond(text: String) throws {
        let time = try #require(LedgerTime(parsing: text))
        #expect(time.millisecondsSince1970 == Self.second * 1000 + 833)
        #expect(time.description == "2026-11-25T10:42:48.833Z")
    }

    @Test func shorterFormsStartTheirPeriod() throws {
        #expect(LedgerTime(parsing: "2026-11-25")?.description == "2026-11-25T00:00:00.000Z")
        #expect(LedgerTime(parsing: "2026-11-25 10:42")?.description == "2026-11-25T10:42:00.000Z")
        #expect(LedgerTime(parsing: "2026-11-25T10:42:48Z")?.description == "2026-11-25T10:42:48.000Z")
        #expect(LedgerTime(parsing: "2024-02-29T23:59:59.5Z")?.description == "2024-02-29T23:59:59.500Z")
        #expect(LedgerTime(parsing: "1969-12-31T23:59:59.999Z")?.millisecondsSince1970 == -1)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-11-31", "2026-11-25T24:00:00Z", "2026-11-25T10:60Z",
                      "2026-11-25T10:42:48+24:00", "26-11-25", "2026-11-25T", "2026-11-25T10:42:48.Z", "0000-01-01",
                      "9999-12-31T23:00:00-05:00", "yesterday", ""])
    func malformedTextIsNoTime(text: String) {
        #expect(LedgerTime(parsing: text) == nil)
    }

    @Test func aStreamTimeNeedsItsZone() {
        #expect(LedgerTime(parsing: "2026-11-25 10:42:48.833", requiringZone: true) == nil)
        #expect(LedgerTime(parsing: "2026-11-25", requiringZone: true) == nil)
        #expect(LedgerTime(parsing: "2026-11-25T10:42:48.833+00:00", requiringZone: true)?.description == "2026-11-25T10:42:48.833Z")
    }
}
