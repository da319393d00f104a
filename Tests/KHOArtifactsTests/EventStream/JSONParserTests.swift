@testable import KHOArtifacts
import Testing

/// The strict JSON parser of event lines.
@Suite("event-line JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    private func failure(_ text: String) -> String? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func valuesAndExactIntegers() throws {
        #expect(try parse(#" {"a": [1, -2, 3.5, true, false, null, "x"], "b": {}} "#) == .object([
            "a": .array([.integer(1), .integer(-2), .number(3.5), .bool(true), .bool(false), .null, .string("x")]),
            "b": .object([:]),
        ]))
        #expect(try parse("9223372036854775807") == .integer(Int64.max))
        #expect(try parse("9223372036854775808") == .number(9223372036854775808))
        #expect(try parse("1e3") == .number(1000))
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
        #expect(try parse("\"é\"") == .string("é"))
    }

    @Test func refusals() {
        #expect(failure("{\"a\":1,\"a\":2}") == "not valid JSON at column 8: duplicate key \"a\"")
        #expect(failure("[1,]") == "not valid JSON at column 4: unexpected ']' where a value should start")
        #expect(failure("{\"a\" 1}") == "not valid JSON at column 6: expected ':' after key \"a\", found '1'")
        #expect(failure("007") == "not valid JSON at column 1: numbers may not have leading zeros (addresses are \"0x…\" strings)")
        #expect(failure("\"\\ud83d\"") == "not valid JSON at column 8: lone surrogate \\ud83d")
        #expect(failure("\"a\u{01}\"") == "not valid JSON at column 3: control character 0x1 inside a string")
        #expect(failure("{\"a\":\"b") == "not valid JSON at column 8: the line ends inside a string (cut off?)")
        #expect(failure("1 2") == "not valid JSON at column 3: unexpected '2' after the value")
        #expect(failure(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) == "not valid JSON at column 33: nested deeper than 32 levels")
        #expect(failure(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) == nil)
    }
}
