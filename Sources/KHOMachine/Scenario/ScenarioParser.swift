import Foundation
import KHOABI
import Yams

/// Turns scenario YAML into a ``Scenario``: the `machine` section into a
/// validated ``MachineConfig``, each step into ``ScenarioStep`` values.
enum ScenarioParser {
    /// Keys a step may carry besides its op.
    private static let stepKeys = ["expect", "repeat"]

    static func parse(yaml: String) throws(ScenarioError) -> Scenario {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw syntaxError(error)
        }
        guard let root else { throw .missingField(ScenarioLocation(path: "", line: 1), field: "steps") }
        var top = try ScenarioNode(root, path: "").fields()
        let description = try top.optional("description")?.string()
        let machine = try readMachine(top.optional("machine"))
        let steps = try top.required("steps")
        try top.finish()
        return Scenario(description: description, machine: machine,
                        steps: try readSteps(steps, pageSize: machine.pageSize))
    }

    private static func syntaxError(_ error: any Error) -> ScenarioError {
        switch error as? YamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let message = [problem, context.map { "(\($0.text) at line \($0.mark.line))" }].compactMap { $0 }
            return .syntax(line: mark.line, column: mark.column, message: message.joined(separator: " "))
        case let .duplicatedKeysInMapping(duplicates, context):
            return .syntax(line: context.mark.line, column: context.mark.column,
                           message: "duplicate key \(duplicates.sorted().joined(separator: ", ")) in \(context.text)")
        default:
            return .syntax(line: nil, column: nil, message: "\(error)")
        }
    }

    // MARK: machine

    private static func readMachine(_ node: ScenarioNode?) throws(ScenarioError) -> MachineConfig {
        var config = MachineConfig()
        if let node {
            var fields = try node.fields()
            if let pageSize = fields.optional("page_size") {
                let value = try pageSize.size(pageSize: config.pageSize)
                guard let size = PageGeometry.supportedPageSizes.first(where: { UInt64($0) == value }) else {
                    throw pageSize.invalid("must be 4096, 16384 or 65536")
                }
                config.pageSize = size
            }
            let pageSize = config.pageSize
            if let memory = fields.optional("memory") { config.memorySize = try memory.size(pageSize: pageSize) }
            if let base = fields.optional("base") { config.memoryBase = try base.integer() }
            if let seed = fields.optional("seed") { config.seed = try seed.integer() }
            if let scratch = fields.optional("scratch") {
                config.scratch = try scratch.list().map { item throws(ScenarioError) in
                    var area = try item.fields()
                    let range = MemoryRange(address: try area.required("address").integer(),
                                            size: try area.required("size").size(pageSize: pageSize))
                    try area.finish()
                    return range
                }
            }
            if let kernel = fields.optional("kernel") {
                let names = KernelRelease.allCases.map(\.rawValue)
                guard let release = KernelRelease(name: kernel.scalarText ?? "") else {
                    throw kernel.invalid("kernel: takes one of " + names.joined(separator: ", "))
                }
                config.kernel = release
            }
            if let liveUpdate = fields.optional("liveupdate") { config.liveUpdate = try liveUpdate.bool() }
            if let abi = fields.optional("abi") {
                let radix = ABIGeneration.allCases.filter(\.usesRadixTracker).map(\.rawValue)
                config.abi = ABIGeneration(rawValue: try abi.choice(radix))!
            }
            if let formula = fields.optional("depth_formula") {
                config.depthFormula = RadixDepthFormula(rawValue: try formula.choice(RadixDepthFormula.allCases.map(\.rawValue)))!
            }
            if let numa = fields.optional("numa_node_size") { config.numaNodeSize = try numa.size(pageSize: pageSize) }
            if let check = fields.optional("scratch_check") { config.scratchOverlapCheck = try check.bool() }
            if let order = fields.optional("max_page_order") { config.maxPageOrder = try order.integer(in: 0...63) }
            try fields.finish()
        }
        do {
            try config.validate()
        } catch {
            throw .invalidMachine(error.description)
        }
        return config
    }

    // MARK: steps

    private static func readSteps(_ node: ScenarioNode, pageSize: Int) throws(ScenarioError) -> [ScenarioStep] {
        var steps: [ScenarioStep] = []
        for (index, item) in try node.list().enumerated() {
            steps += try readStep(item, number: index + 1, pageSize: pageSize, budget: Scenario.maximumSteps - steps.count)
        }
        return steps
    }

    /// One list item: `op: {args}` with optional `expect:` and `repeat:`,
    /// or a bare op name (`- kexec`).
    private static func readStep(_ item: ScenarioNode, number: Int, pageSize: Int, budget: Int) throws(ScenarioError) -> [ScenarioStep] {
        let line = item.location.line
        let opKey: String
        var argsNode: Node?
        var expect = ScenarioExpectation.ok
        var repeatCount: Int?
        if case .scalar = item.node {
            opKey = try item.string()
        } else {
            var fields = try item.fields()
            let ops = fields.keys.filter { !stepKeys.contains($0) }
            guard ops.count == 1 else {
                if ops.isEmpty { throw .missingField(item.location, field: "an op") }
                throw item.invalid("a step has exactly one op, found " + ops.joined(separator: ", "))
            }
            opKey = ops[0]
            argsNode = fields.optional(opKey)?.node
            if let expectNode = fields.optional("expect") {
                let text = expectNode.scalarText ?? ""
                guard let value = ScenarioExpectation(name: text) else {
                    throw expectNode.invalid("expect: takes one of " + ScenarioExpectation.spellings.joined(separator: ", "))
                }
                expect = value
            }
            repeatCount = try fields.optional("repeat")?.integer(in: 1...Scenario.maximumSteps)
            try fields.finish()
        }
        // Checked before the repeats are expanded: their time and memory grow with the count.
        guard repeatCount ?? 1 <= budget else {
            throw .invalidValue(ScenarioLocation(path: "\(item.path).repeat", line: line), value: "\(repeatCount ?? 1)",
                                reason: "the scenario would run more than \(Scenario.maximumSteps) steps (repeats counted); split it into several runs")
        }
        guard let name = ScenarioOp.Name(rawValue: opKey) else {
            throw .unknownOp(item.location, name: opKey,
                             suggestion: NearestName.suggestion(for: opKey, among: ScenarioOp.Name.allCases.map(\.rawValue)))
        }
        let path = "\(item.path).\(opKey)"
        let args = argsNode ?? Node("", .implicit, .plain)
        var steps: [ScenarioStep] = []
        for iteration in 0..<(repeatCount ?? 1) {
            let index: String? = repeatCount == nil ? nil : "\(iteration)"
            let rewrite: @Sendable (String) -> String = { text in
                index.map { text.replacingOccurrences(of: "{i}", with: $0) } ?? text
            }
            var fields = try ScenarioNode(args, path: path, rewrite: rewrite).fields()
            let op = try ScenarioOp.read(name, from: &fields, pageSize: pageSize)
            try fields.finish()
            steps.append(ScenarioStep(number: number, iteration: repeatCount.map { _ in iteration }, line: line, op: op, expect: expect))
        }
        return steps
    }
}
