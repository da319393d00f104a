extension ScenarioOp {
    /// Reads the arguments of op `name` from its mapping. `pageSize` resolves
    /// the `pages` unit. Unknown fields are left for the caller's `finish()`.
    static func read(_ name: Name, from fields: inout FieldReader, pageSize: Int) throws(ScenarioError) -> ScenarioOp {
        var reader = ArgumentReader(fields: fields, pageSize: pageSize)
        defer { fields = reader.fields }
        return try reader.op(name)
    }
}

/// The per-op argument grammar, on top of a ``FieldReader``.
private struct ArgumentReader {
    var fields: FieldReader
    let pageSize: Int

    mutating func size(_ key: String) throws(ScenarioError) -> UInt64 {
        try fields.required(key).size(pageSize: pageSize)
    }

    mutating func optionalSize(_ key: String) throws(ScenarioError) -> UInt64? {
        try fields.optional(key)?.size(pageSize: pageSize)
    }

    mutating func name(_ key: String) throws(ScenarioError) -> String { try fields.required(key).name() }

    mutating func optionalName(_ key: String) throws(ScenarioError) -> String? { try fields.optional(key)?.name() }

    mutating func flag(_ key: String) throws(ScenarioError) -> Bool { try fields.optional(key)?.bool() ?? false }

    mutating func order() throws(ScenarioError) -> Int? { try fields.optional("order")?.integer(in: 0...63) }

    mutating func count() throws(ScenarioError) -> UInt64? { try fields.optional("count")?.integer() }

    mutating func chunks() throws(ScenarioError) -> Int? { try fields.optional("chunks")?.integer(in: 1...Int(Int32.max)) }

    /// The object an op acts on: `key` (a bound name) or `phys` (any address).
    mutating func target(_ key: String) throws(ScenarioError) -> ScenarioAddress {
        try fields.oneOf([key, "phys"]).node.address()
    }

    mutating func op(_ name: ScenarioOp.Name) throws(ScenarioError) -> ScenarioOp {
        switch name {
        case .vmalloc:
            return .vmalloc(name: try self.name("name"), size: try size("size"), huge: try flag("huge"),
                            vmap: try flag("vmap"), fill: try ScenarioFill.read(from: &fields))
        case .vfree:
            return .vfree(area: try self.name("area"))
        case .write:
            return .write(area: try self.name("area"), offset: try optionalSize("offset") ?? 0,
                          content: try ScenarioContent.read(from: &fields, pageSize: pageSize))
        case .writePhys:
            return .writePhys(try target("blob"), offset: try optionalSize("offset") ?? 0,
                              content: try ScenarioContent.read(from: &fields, pageSize: pageSize))
        case .allocPages:
            return .allocPages(order: try order() ?? 0, as: try optionalName("as"))
        case .freePages: return .freePages(try target("folio"))
        case .preserveFolio: return .preserveFolio(try target("folio"), order: try order())
        case .unpreserveFolio: return .unpreserveFolio(try target("folio"), order: try order())
        case .preservePages: return .preservePages(try target("folio"), count: try count())
        case .unpreservePages: return .unpreservePages(try target("folio"), count: try count())
        case .restoreFolio: return .restoreFolio(try target("folio"), as: try optionalName("as"))
        case .restorePages:
            return .restorePages(try target("folio"), count: try count(), as: try optionalName("as"))
        case .preserveVmalloc:
            return .preserveVmalloc(area: try self.name("area"), descriptor: try fields.required("descriptor").address(),
                                    chunks: try chunks())
        case .unpreserveVmalloc:
            return .unpreserveVmalloc(descriptor: try fields.required("descriptor").address(), area: try optionalName("area"))
        case .restoreVmalloc:
            return .restoreVmalloc(descriptor: try fields.required("descriptor").address(), as: try self.name("as"),
                                   chunks: try chunks())
        case .allocPreserve: return .allocPreserve(size: try size("size"), as: try optionalName("as"))
        case .unpreserveFree: return .unpreserveFree(try target("blob"))
        case .restoreFree: return .restoreFree(try target("blob"))
        case .addSubtree:
            return .addSubtree(name: try self.name("name"), blob: try target("blob"), size: try optionalSize("size"))
        case .removeSubtree: return .removeSubtree(try target("blob"))
        case .retrieveSubtree: return .retrieveSubtree(name: try self.name("name"), as: try optionalName("as"))
        case .kexec:
            let carry = try fields.optional("carry")?.list().map { item throws(ScenarioError) in try item.name() }
            return .kexec(carry: carry ?? [])
        case .check: return .check(try ScenarioCheck.read(from: &fields, pageSize: pageSize))
        case .exhaustMemory: return .exhaustMemory(leave: try fields.optional("leave")?.integer() ?? 0)
        case .memfdPreserve:
            return .memfdPreserve(MemfdHandover.PreserveSpec(
                name: try optionalName("name") ?? MemfdHandover.defaultName,
                size: try size("size"),
                fill: try ScenarioFill.read(from: &fields),
                folioOrder: try fields.optional("folio_order")?.integer(in: 0...63) ?? 0,
                pos: try fields.optional("pos")?.integer() ?? 0,
                token: try fields.optional("token")?.integer() ?? 1,
                session: try optionalName("session") ?? MemfdHandover.defaultSession,
                record: try optionalName("record")))
        case .memfdRestore:
            return .memfdRestore(MemfdHandover.RestoreSpec(
                file: try optionalName("as") ?? MemfdHandover.defaultName,
                token: try fields.optional("token")?.integer(),
                sha256: try fields.optional("sha256")?.string(),
                record: try optionalName("record")))
        case .khoTestPreserve: return .khoTestPreserve(maxMem: try optionalSize("max_mem"))
        case .khoTestRestore: return .khoTestRestore
        case .khoTestInit:
            // The module checks third_boot first.
            let (second, third) = (try flag("second_boot"), try flag("third_boot"))
            let boot: KHOTestChain.Boot = third ? .third : second ? .second : .first
            return .khoTestInit(boot: boot, maxMem: try optionalSize("max_mem"))
        }
    }
}
