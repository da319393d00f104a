import KHOABI

extension ScenarioRunner {
    /// Runs one op on the machine and returns its key facts. Kernel outcomes
    /// are thrown as ``MachineError``; scenario mistakes as ``StepFault``.
    func perform(_ op: ScenarioOp, on m: KHOMachine) throws -> [ScenarioFact] {
        let g = m.geometry
        if let release = m.config.kernel, let requirement = op.name.requirement, !requirement.runs(release) {
            let releases = KernelRelease.allCases.filter(requirement.runs).map { "\"\($0)\"" }
            throw StepFault("this op \(requirement.describe), which Linux \(release) does not; set machine.kernel to "
                + releases.joined(separator: " or "))
        }
        switch op {
        case let .vmalloc(name, size, huge, vmap, fill):
            let area = try m.vmalloc(name: name, size: size, huge: huge, vmap: vmap)
            let bytes = UInt64(area.size(g))
            if fill != .zero { try m.write(area: name, offset: 0, bytes: fill.bytes(count: Int(bytes), random: &random)) }
            return [.bytes("size", bytes), .count("order", area.order), .count("blocks", area.blocks.count), .text("fill", fill.name)]

        case .vfree(let area):
            try m.vfree(name: area)
            return []

        case let .write(area, offset, content):
            let bytes = try content.bytes(random: &random) { address throws(StepFault) in try symbols.resolve(address).phys }
            try m.write(area: area, offset: try Self.int(offset, "offset"), bytes: bytes)
            return [.bytes("offset", offset), .bytes("length", UInt64(bytes.count))]

        case let .writePhys(target, offset, content):
            let phys = try symbols.resolve(target).phys &+ offset
            let bytes = try content.bytes(random: &random) { address throws(StepFault) in try symbols.resolve(address).phys }
            try m.write(phys: phys, bytes: bytes, name: target.plainName)
            return [.address("phys", phys), .bytes("length", UInt64(bytes.count))]

        case let .allocPages(order, name):
            let phys = try m.allocPages(order: order, name: name)
            try symbols.bind(name, ScenarioSymbol(phys: phys, order: order))
            return [.address("phys", phys), .count("order", order)]

        case .freePages(let target):
            let phys = try symbols.resolve(target).phys
            try m.freePages(phys, name: target.plainName)
            return [.address("phys", phys)]

        case let .preserveFolio(target, order), let .unpreserveFolio(target, order):
            let (phys, symbol) = try symbols.resolve(target)
            let order = order ?? symbol?.order ?? 0
            if case .preserveFolio = op {
                try m.preserveFolio(phys, order: order, name: target.plainName)
            } else {
                try m.unpreserveFolio(phys, order: order, name: target.plainName)
            }
            return [.address("phys", phys), .count("order", order)]

        case let .preservePages(target, count), let .unpreservePages(target, count):
            let (phys, pages) = try pageRange(target, count: count, geometry: g)
            if case .preservePages = op {
                try m.preservePages(phys, count: pages, name: target.plainName)
            } else {
                try m.unpreservePages(phys, count: pages, name: target.plainName)
            }
            return [.address("phys", phys), .count("pages", Int(pages))]

        case let .restoreFolio(target, name):
            let phys = try symbols.resolve(target).phys
            let order = try m.restoreFolio(phys, name: name ?? target.plainName)
            try symbols.bind(name, ScenarioSymbol(phys: phys, order: order))
            return [.address("phys", phys), .count("order", order)]

        case let .restorePages(target, count, name):
            let (phys, pages) = try pageRange(target, count: count, geometry: g)
            try m.restorePages(phys, count: pages, name: name ?? target.plainName)
            try symbols.bind(name, ScenarioSymbol(phys: phys, size: pages * UInt64(g.pageSize)))
            return [.address("phys", phys), .count("pages", Int(pages))]

        case let .preserveVmalloc(area, descriptor, chunks):
            let phys = try symbols.resolve(descriptor).phys
            try m.preserveVmalloc(area: area, descriptorPhys: phys)
            try expectChunks(chunks)
            return [.address("descriptor", phys)]

        case let .unpreserveVmalloc(descriptor, area):
            let phys = try symbols.resolve(descriptor).phys
            try m.unpreserveVmalloc(descriptorPhys: phys, name: area)
            return [.address("descriptor", phys)]

        case let .restoreVmalloc(descriptor, name, chunks):
            let phys = try symbols.resolve(descriptor).phys
            let area = try m.restoreVmalloc(descriptorPhys: phys, name: name)
            try expectChunks(chunks)
            return [.address("descriptor", phys), .bytes("size", UInt64(area.size(g))), .count("order", area.order)]

        case let .allocPreserve(size, name):
            let phys = try m.allocPreserve(size: size, name: name)
            let order = g.order(forSize: size)
            try symbols.bind(name, ScenarioSymbol(phys: phys, order: order, size: size))
            return [.address("phys", phys), .count("order", order)]

        case .unpreserveFree(let target):
            let phys = try symbols.resolve(target).phys
            try m.unpreserveFree(phys, name: target.plainName)
            return [.address("phys", phys)]

        case .restoreFree(let target):
            let phys = try symbols.resolve(target).phys
            try m.restoreFree(phys, name: target.plainName)
            return [.address("phys", phys)]

        case let .addSubtree(name, blob, size):
            let (phys, symbol) = try symbols.resolve(blob)
            guard let size = size ?? symbol?.bytes(g) else {
                throw StepFault("size: is needed: \(blob) is not a name with a known size")
            }
            try m.addSubtree(name: name, phys: phys, size: size)
            return [.address("phys", phys), .bytes("size", size)]

        case .removeSubtree(let target):
            let phys = try symbols.resolve(target).phys
            try m.removeSubtree(phys: phys, name: target.plainName)
            return [.address("phys", phys)]

        case let .retrieveSubtree(name, binding):
            let (phys, size) = try m.retrieveSubtree(name: name)
            try symbols.bind(binding, ScenarioSymbol(phys: phys, size: size))
            return [.address("phys", phys)] + (size.map { [.bytes("size", $0)] } ?? [])

        case .kexec(let carry):
            try symbols.carry(carry)
            files = [:]
            try m.liveUpdateReboot()
            try m.kexec()
            let incoming = m.incoming
            return [.count("generation", m.generation), .count("handed_over", incoming?.preserved.count ?? 0),
                    .text("subtrees", incoming.map { $0.subtreeNames.joined(separator: ",") }.flatMap { $0.isEmpty ? nil : $0 } ?? "-")]

        case .check(let check):
            return try runCheck(check, on: m)

        case .exhaustMemory(let leave):
            var pages = 0
            while UInt64(m.allocator.freeFrames) > leave {
                try m.allocPages(order: 0)
                pages += 1
            }
            return [.count("pages", pages), .count("free", m.allocator.freeFrames)]

        case .memfdPreserve(let spec):
            let preserved = try MemfdHandover.preserve(spec, on: m, random: &random, zeroDigests: &zeroDigests)
            let digest = try verify(digest: preserved.digest, sha256: nil, record: spec.record)
            return preserved.facts + [.text("sha256", HexBytes.format(digest))]

        case .memfdRestore(let spec):
            let restored = try MemfdHandover.restore(spec, on: m)
            files[spec.file] = restored.content
            let digest = try verify(restored.content, sha256: spec.sha256, record: spec.record)
            return restored.facts + [.text("sha256", HexBytes.format(digest))]

        case .khoTestPreserve(let maxMem):
            let data = try KHOTestHandover.generate(.single, maxMem: maxMem, on: m, random: &random)
            return try KHOTestHandover.preserve(.single, data: data, on: m)

        case .khoTestRestore:
            return try KHOTestHandover.restore(.single, on: m)

        case let .khoTestInit(boot, maxMem):
            return try KHOTestChain.boot(boot, maxMem: maxMem, on: m, random: &random)
        }
    }

    /// The first page and page count of a page-range op; without `count`,
    /// the bound object's size in pages.
    private func pageRange(_ target: ScenarioAddress, count: UInt64?, geometry: PageGeometry) throws(StepFault) -> (UInt64, UInt64) {
        let (phys, symbol) = try symbols.resolve(target)
        guard let pages = count ?? symbol?.bytes(geometry).map({ ($0 + UInt64(geometry.pageSize) - 1) / UInt64(geometry.pageSize) }) else {
            throw StepFault("count: is needed: \(target) is not a name with a known size")
        }
        return (phys, pages)
    }

    /// Fails the step unless the vmalloc call used exactly `chunks` chunk pages.
    private func expectChunks(_ chunks: Int?) throws(StepFault) {
        if let chunks, tally.chunks != chunks {
            throw StepFault("expected \(chunks) chunk pages, the call used \(tally.chunks)")
        }
    }

    static func int(_ value: UInt64, _ what: String) throws(StepFault) -> Int {
        guard let result = Int(exactly: value) else { throw StepFault("\(what) \(value) is too large") }
        return result
    }
}
