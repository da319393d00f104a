import Testing
@testable import KHOMachine

@Suite("Scenario parsing")
struct ScenarioParseTests {
    /// The error parsing `yaml` throws, or a recorded issue when it parses.
    private func parseError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> ScenarioError? {
        do {
            _ = try Scenario(yaml: yaml)
            Issue.record("parsed without error", sourceLocation: sourceLocation)
        } catch {
            return error
        }
        return nil
    }

    @Test func fullStepGrammar() throws {
        let scenario = try Scenario(yaml: """
            description: demo
            machine: {page_size: 16KiB, memory: 1GiB, base: 0x1_0000_0000, seed: 5, abi: v4c,
                      scratch: [{address: 0x130000000, size: 64MiB}], numa_node_size: 512MiB, scratch_check: false}
            steps:
              - vmalloc: {name: a, size: 3 pages, huge: true, pattern: 0xAA}
              - write_phys: {blob: d+8, u64: [1, 0x20]}
              - preserve_pages: {phys: 0x100004000, count: 7}
                expect: einval
              - restore_folio: {folio: f}
                expect: NULL
              - kexec
              - kexec: {carry: [d]}
            """)
        #expect(scenario.description == "demo")
        #expect(scenario.machine.pageSize == 16384)
        #expect(scenario.machine.memorySize == 1 << 30)
        #expect(scenario.machine.abi == .v4c)
        #expect(scenario.machine.scratch == [MemoryRange(address: 0x1_3000_0000, size: 64 << 20)])
        #expect(scenario.machine.numaNodeSize == 512 << 20)
        #expect(!scenario.machine.scratchOverlapCheck)
        #expect(scenario.steps.map(\.op) == [
            .vmalloc(name: "a", size: 3 * 16384, huge: true, vmap: false, fill: .pattern(0xaa)),
            .writePhys(.symbol("d", offset: 8), offset: 0, content: .words([.absolute(1), .absolute(0x20)])),
            .preservePages(.absolute(0x1_0000_4000), count: 7),
            .restoreFolio(.symbol("f", offset: 0), as: nil),
            .kexec(carry: []),
            .kexec(carry: ["d"]),
        ])
        #expect(scenario.steps.map(\.expect) == [.ok, .ok, .errno(.EINVAL), .null, .ok, .ok])
        #expect(scenario.steps.map(\.line) == [5, 6, 7, 9, 11, 12])
    }

    @Test func repeatExpandsWithTheIterationInNames() throws {
        let steps = try Scenario(yaml: """
            steps:
              - alloc_pages: {order: 1, as: "p{i}"}
                repeat: 3
            """).steps
        #expect(steps.map(\.op) == (0..<3).map { .allocPages(order: 1, as: "p\($0)") })
        #expect(steps.map(\.label) == ["1.0", "1.1", "1.2"])
    }

    @Test func unknownOpNamesItAndSuggests() {
        guard case let .unknownOp(location, name, suggestion) = parseError("steps:\n  - kexec\n  - vmaloc: {name: a, size: 1}\n") else {
            Issue.record("not unknownOp"); return
        }
        #expect(name == "vmaloc")
        #expect(suggestion == "vmalloc")
        #expect(location == ScenarioLocation(path: "steps[2]", line: 3))
    }

    @Test func unknownFieldIsAnErrorNotIgnored() {
        let error = parseError("steps:\n  - alloc_pages: {order: 0, as: x, colour: red}\n")
        guard case let .unknownField(location, field, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(field == "colour")
        #expect(location.path == "steps[1].alloc_pages")
        #expect(location.line == 2)
        guard case let .unknownField(_, typo, suggestion) = parseError("steps:\n  - vmalloc: {name: a, sise: 4096}\n") else {
            Issue.record("typo not reported as unknown field"); return
        }
        #expect(typo == "sise" && suggestion == "size")
        guard case .unknownField(_, "memroy", _) = parseError("machine: {memroy: 1GiB}\nsteps: []\n") else {
            Issue.record("machine typo"); return
        }
    }

    @Test func wrongTypeNamesExpectedAndFound() {
        guard case let .wrongType(location, expected, found) = parseError("steps:\n  - vmalloc: {name: a, size: 1, huge: maybe}\n") else {
            Issue.record("not wrongType"); return
        }
        #expect(location.path == "steps[1].vmalloc.huge")
        #expect(expected == "true or false")
        #expect(found == "\"maybe\"")
        guard case .wrongType(_, "a size", "a list") = parseError("steps:\n  - vmalloc: {name: a, size: [1]}\n") else {
            Issue.record("list as size"); return
        }
        guard case .wrongType(_, "a list", _) = parseError("steps: 3\n") else { Issue.record("steps: 3"); return }
        guard case .wrongType(_, "an integer", _) = parseError("steps:\n  - alloc_pages: {order: two}\n") else {
            Issue.record("order: two"); return
        }
    }

    @Test func missingFieldsAreNamed() {
        guard case let .missingField(location, field) = parseError("steps:\n  - vmalloc: {name: a}\n") else {
            Issue.record("not missingField"); return
        }
        #expect(field == "size")
        #expect(location.path == "steps[1].vmalloc")
        guard case .missingField(_, "steps") = parseError("machine: {}\n") else { Issue.record("no steps"); return }
        guard case .missingChoice(_, ["folio", "phys"]) = parseError("steps:\n  - preserve_folio: {order: 1}\n") else {
            Issue.record("no target"); return
        }
    }

    @Test func badSizeUnitIsAnInvalidValue() {
        guard case let .invalidValue(location, value, reason) = parseError("machine: {memory: 256MB}\nsteps: []\n") else {
            Issue.record("not invalidValue"); return
        }
        #expect(location == ScenarioLocation(path: "machine.memory", line: 1))
        #expect(value == "256MB")
        #expect(reason.contains("unknown unit \"MB\""))
        guard case .invalidValue = parseError("steps:\n  - alloc_preserve: {size: 1.5MiB}\n") else {
            Issue.record("fraction"); return
        }
    }

    @Test func otherInvalidValues() {
        guard case .invalidValue(_, "ETIMEDOUT", _) = parseError("steps:\n  - kexec:\n    expect: ETIMEDOUT\n") else {
            Issue.record("bad expect"); return
        }
        guard case .invalidValue(_, "8192", _) = parseError("machine: {page_size: 8192}\nsteps: []\n") else {
            Issue.record("page size"); return
        }
        guard case .invalidValue = parseError("steps:\n  - vmalloc: {name: a, size: 1}\n    restore_folio: {phys: 1}\n") else {
            Issue.record("two ops in one step"); return
        }
        guard case .invalidMachine = parseError("machine: {base: 0x1000}\nsteps: []\n") else {
            Issue.record("unaligned base"); return
        }
    }

    @Test func yamlSyntaxErrorsCarryTheLine() {
        guard case let .syntax(line, _, message) = parseError("steps:\n  - vmalloc: {name: a, size: 1\n") else {
            Issue.record("not a syntax error"); return
        }
        #expect(line == 3)
        #expect(!message.isEmpty)
    }

    @Test func byteSizes() throws {
        #expect(try ByteSize.parse("4096", pageSize: 4096) == 4096)
        #expect(try ByteSize.parse("0x1_000", pageSize: 4096) == 4096)
        #expect(try ByteSize.parse("64KiB", pageSize: 4096) == 65536)
        #expect(try ByteSize.parse("3 m", pageSize: 4096) == 3 << 20)
        #expect(try ByteSize.parse("511 pages", pageSize: 16384) == 511 * 16384)
        #expect(throws: ByteSize.ParseError.unknownUnit("MB")) { try ByteSize.parse("4MB", pageSize: 4096) }
        #expect(throws: ByteSize.ParseError.notANumber) { try ByteSize.parse("lots", pageSize: 4096) }
        #expect(throws: ByteSize.ParseError.overflow) { try ByteSize.parse("99999999999 TiB", pageSize: 4096) }
        #expect(ByteSize.format(4096) == "4 KiB")
        #expect(ByteSize.format(3 << 30) == "3 GiB")
        #expect(ByteSize.format(5000) == "5000 B")
        #expect(ByteSize.format(0) == "0 B")
    }
}
