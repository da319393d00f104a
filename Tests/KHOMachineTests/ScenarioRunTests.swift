import Crypto
import Foundation
import KHOABI
import Testing
@testable import KHOMachine

@Suite("Scenario runs")
struct ScenarioRunTests {
    private func run(_ yaml: String) throws -> (ScenarioRunner, ScenarioSummary) {
        let runner = ScenarioRunner(try Scenario(yaml: yaml))
        return (runner, try runner.run())
    }

    /// The error running `yaml` throws.
    private func runError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ScenarioError? {
        do {
            _ = try ScenarioRunner(try Scenario(yaml: yaml)).run()
            Issue.record("ran without error", sourceLocation: sourceLocation)
        } catch {
            return error
        }
        return nil
    }

    @Test func unexpectedErrnoStopsAtTheStep() throws {
        let error = try runError("""
            steps:
              - alloc_preserve: {size: 4096, as: a}
              - alloc_preserve: {size: 0}
              - alloc_preserve: {size: 4096, as: b}
            """)
        guard case let .unexpectedOutcome(step, op, line, expected, actual) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(step == 2 && op == "alloc_preserve" && line == 3)
        #expect(error?.step == 2)
        #expect(expected == .ok)
        #expect(actual.contains("EINVAL"))
        #expect(error?.description.hasPrefix("step 2 (alloc_preserve, line 3): expected ok, got -EINVAL") == true)
    }

    @Test func expectedFailureThatDoesNotHappenStopsTheRun() throws {
        let error = try runError("""
            steps:
              - kexec
              - alloc_preserve: {size: 4096}
                expect: E2BIG
            """)
        guard case .unexpectedOutcome(2, "alloc_preserve", 3, .errno(.E2BIG), "ok") = error else {
            Issue.record("\(String(describing: error))"); return
        }
    }

    @Test func expectedNullIsNotAnErrno() throws {
        let error = try runError("""
            steps:
              - alloc_pages: {order: 0, as: p}
              - kexec: {carry: [p]}
              - restore_folio: {folio: p}
                expect: ENOENT
            """)
        guard case .unexpectedOutcome(3, _, _, .errno(.ENOENT), let actual) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(actual.hasPrefix("NULL"))
    }

    @Test func failedCheckAndUnknownNamesNameTheStep() throws {
        let check = try runError("""
            steps:
              - vmalloc: {name: a, size: 4096, text: "abc"}
              - check: {area: a, offset: 1, text: "bcd"}
            """)
        guard case let .stepFailed(2, "check", 3, reason) = check else { Issue.record("\(String(describing: check))"); return }
        #expect(reason.contains("\"bcd\""))

        let name = try runError("""
            steps:
              - alloc_preserve: {size: 16, as: d}
              - kexec
              - restore_free: {blob: d}
            """)
        guard case let .stepFailed(3, "restore_free", _, reason) = name else { Issue.record("\(String(describing: name))"); return }
        #expect(reason.contains("\"d\""))

        let chunks = try runError("""
            steps:
              - vmalloc: {name: a, size: 511 pages}
              - alloc_preserve: {size: 16, as: d}
              - preserve_vmalloc: {area: a, descriptor: d, chunks: 1}
            """)
        guard case let .stepFailed(3, _, _, reason) = chunks else { Issue.record("\(String(describing: chunks))"); return }
        #expect(reason.contains("used 2"))
    }

    @Test func memfdRoundTripGivesIdenticalFileBytes() throws {
        let (runner, summary) = try run("""
            machine: {seed: 11, kernel: "7.1", liveupdate: true}
            steps:
              - memfd_preserve: {name: a, size: 70000, folio_order: 2, text: "0123456789abcdef-", token: 3}
              - kexec
              - memfd_restore: {as: a, token: 3}
            """)
        let unit = Array("0123456789abcdef-".utf8)
        #expect(runner.files["a"] == (0..<70000).map { unit[$0 % unit.count] })
        // 70000 bytes in 16 KiB folios: 5 folios, each preserved and restored by its own call.
        #expect(summary.steps[0].facts.contains(.count("folios", 5)))
        #expect(summary.steps[2].facts.contains(.count("folios", 5)))

        let (random, _) = try run("""
            machine: {kernel: "7.1", liveupdate: true}
            steps:
              - memfd_preserve: {size: 1MiB, fill: random, record: before}
              - kexec
              - memfd_restore: {as: f, record: after}
              - check: {file: f, sha256: before}
            """)
        let file = try #require(random.files["f"])
        #expect(file.count == 1 << 20)
        #expect(Set(file).count > 200, "random content")
        #expect(random.digests["before"] == Array(SHA256.hash(data: file)))
        #expect(random.digests["after"] == random.digests["before"])
    }

    /// One event per KHO call, except the file's folios: allocated in one
    /// event and preserved in one (a `kho_preserve_folio` per folio in it).
    @Test func memfdHandoverEmitsOneEventPerCall() throws {
        let log = ScenarioEventLog()
        let scenario = try Scenario(yaml: "machine: {kernel: \"7.1\", liveupdate: true}\nsteps:\n  - memfd_preserve: {size: 5 pages}\n")
        _ = try ScenarioRunner(scenario) { log.events.append($0) }.run()
        let kinds = log.events.map(\.kind)
        #expect(kinds.filter { $0 == .allocFolios }.count == 1)
        #expect(log.events.filter { $0.kind == .preserveFolios }.map(\.tracker.count) == [5])
        #expect(!kinds.contains(.preserveFolio) && !kinds.contains(.allocPages))
        #expect(kinds.filter { $0 == .preserveVmalloc }.count == 1)
        // At boot the kernel's kexec-metadata, then LUO's FDT, session header and
        // FLB blocks; then the memfd's ser and its session's file block.
        #expect(log.events.filter { $0.kind == .allocPreserve }.map(\.subject)
            == [KexecMetadata.subtreeName, LUOFDT.subtreeName, "luo/session-header", "luo/flb-header", "memfd/ser", "luo/files"])
        #expect(log.events.filter { $0.kind == .addSubtree }.map(\.subject) == [KexecMetadata.subtreeName, LUOFDT.subtreeName])
    }

    @Test func multiGenerationRestoresWhatWasWritten() throws {
        var yaml = """
            machine: {seed: 99}
            steps:
              - vmalloc: {name: area, size: 600 pages, fill: random}
              - check: {area: area, record: g0}

            """
        for generation in 0..<3 {
            yaml += """
                  - write: {area: area, offset: \(generation * 4096 + 100), text: "written in generation \(generation)"}
                  - check: {area: area, record: g\(generation)}
                  - alloc_preserve: {size: 16, as: d\(generation)}
                  - preserve_vmalloc: {area: area, descriptor: d\(generation), chunks: 2}
                  - kexec: {carry: [d\(generation)]}
                  - restore_vmalloc: {descriptor: d\(generation), as: area, chunks: 2}
                  - check: {area: area, sha256: g\(generation)}

                """
        }
        let (runner, summary) = try run(yaml)
        #expect(summary.totals.kexecs == 3)
        #expect(summary.totals.generations == 4)
        let machine = try #require(runner.machine)
        let area = try machine.read(area: "area")
        #expect(Array(SHA256.hash(data: area)) == runner.digests["g2"])
        for generation in 0..<3 {
            let text = Array("written in generation \(generation)".utf8)
            #expect(Array(area[generation * 4096 + 100 ..< generation * 4096 + 100 + text.count]) == text)
        }
        // Every generation restored the area byte-identically from different frames.
        #expect(Set(summary.steps.filter { $0.step.op.name == .restoreVmalloc }.map(\.generation)) == [1, 2, 3])
    }

    @Test func failingChunkZeroLeavesAnOlderChainAlone() throws {
        // The descriptor still describes area a; kho_preserve_vmalloc(b) fails
        // before storing chunk 0 and must return without walking a's chain.
        let (_, summary) = try run("""
            steps:
              - vmalloc: {name: a, size: 2 pages}
              - alloc_preserve: {size: 16, as: d}
              - preserve_vmalloc: {area: a, descriptor: d}
              - vmalloc: {name: b, size: 1 page}
              - exhaust_memory
              - preserve_vmalloc: {area: b, descriptor: d}
                expect: ENOMEM
            """)
        let failed = try #require(summary.steps.last)
        #expect(failed.outcome == .errno(.ENOMEM))
        #expect(!failed.facts.contains { $0.name == "unpreserved" })
        #expect(summary.totals.preservedBlocks == 6, "root FDT page, kexec-metadata, d, a's chunk and its 2 pages")
    }

    @Test func unpreservedMemoryIsScrubbedByKexec() throws {
        let error = try runError("""
            steps:
              - alloc_pages: {order: 0, as: p}
              - write_phys: {blob: p, text: "lost"}
              - kexec: {carry: [p]}
              - check: {phys: p, length: 4, text: "lost"}
            """)
        guard case .stepFailed(4, "check", _, _) = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func khoTestRestoreReportsChecksumMismatchAsEINVAL() throws {
        let machine = try KHOMachine(config: MachineConfig())
        let log = ScenarioEventLog()
        machine.onEvent = { log.events.append($0) }
        var random = SplitMix64(seed: 4)
        let data = try KHOTestHandover.generate(.single, maxMem: 1 << 20, on: machine, random: &random)
        _ = try KHOTestHandover.preserve(.single, data: data, on: machine)
        let folio = try #require(log.events.first { $0.kind == .preserveFolio && $0.subject == "kho_test/folio" }?.extents.first)
        let word = try machine.memory.read(folio.phys, count: 2).loadLittleEndian(UInt16.self, at: 0)
        let changed: UInt16 = word == 0xffff ? 1 : word + 1   // 0xffff and 0 are the same in ones' complement
        try machine.write(phys: folio.phys, bytes: [UInt8(changed & 0xff), UInt8(changed >> 8)])
        try machine.kexec()
        do {
            _ = try KHOTestHandover.restore(.single, on: machine)
            Issue.record("corrupted data passed the checksum")
        } catch let error as MachineError {
            #expect(error.errno == .EINVAL)
            #expect(error.description.contains("checksum"))
        }
    }

    @Test func jsonHasStepsAndSummary() throws {
        let (_, summary) = try run("""
            steps:
              - alloc_preserve: {size: 16, as: d}
              - alloc_preserve: {size: 0}
                expect: EINVAL
            """)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        let totals = try #require(object["summary"] as? [String: Any])
        #expect(steps.count == 2)
        let phys = try #require(summary.steps[0].facts.first { $0.name == "phys" })
        #expect((steps[0]["facts"] as? [String: Any])?["phys"] as? String == phys.valueText)
        #expect(phys.valueText.hasPrefix("0x1"))
        #expect(steps[1]["outcome"] as? String == "EINVAL")
        #expect(steps[1]["expect"] as? String == KernelErrno.EINVAL.description)
        #expect(totals["expected_failures"] as? Int == 1)
        #expect(totals["generations"] as? Int == 1)
    }

    /// `write_phys`'s `u64:` words are addresses like every address field:
    /// numbers, names and name+offset.
    @Test func u64WordsTakeNamesAndOffsets() throws {
        let (runner, _) = try run("""
            machine: {memory: 64MiB}
            steps:
              - alloc_preserve: {size: 64, as: table}
              - alloc_pages: {order: 0, as: page}
              - write_phys: {blob: table, u64: [page, page+0x18, 7, table+8]}
            """)
        let m = try #require(runner.machine)
        let table = try runner.symbols.resolve(.symbol("table", offset: 0)).phys
        let page = try runner.symbols.resolve(.symbol("page", offset: 0)).phys
        let words = try m.memory.read(table, count: 32)
        #expect((0..<4).map { words.loadLittleEndian(UInt64.self, at: 8 * $0) } == [page, page + 0x18, 7, table + 8])
    }
}
