import KHOABI
import KHOImage

/// A subtree of a capture with its blob's bytes.
struct SubtreeBlob {
    var subtree: KHOSubtree
    var bytes: [UInt8]
}

/// Finds the vmalloc areas that known consumer formats in a capture point
/// to (KHO-ABI §7): the folio array of each test module subtree (`kho_test`,
/// or the 7.2-era `kho_test0` … `kho_test3`; 6.18+ layout: a descriptor in
/// its FDT's `folios_info`) and the folio array of every
/// memfd (`memfd-v1`, `memfd-v2`) in the sessions of the `LUO` FDT.
///
/// A consumer blob that does not decode is not an error of the capture:
/// it yields a note, and its areas are not imported.
struct ConsumerAreas {
    let generation: ABIGeneration
    let image: any PhysicalMemoryImage
    /// Bytes the image maps: no record array can be longer.
    let mappedBytes: UInt64

    /// The areas found, in subtree order, and a note per blob that failed.
    func find(in blobs: [SubtreeBlob]) -> (areas: [NamedArea], notes: [String]) {
        var areas: [NamedArea] = []
        var notes: [String] = []
        for blob in blobs {
            do {
                if let subtree = KHOTestSubtree(name: blob.subtree.name) {
                    areas += try khoTest(blob, subtree)
                } else if blob.subtree.name == LUOFDT.subtreeName {
                    areas += try memfds(blob)
                }
            } catch {
                notes.append("subtree \(blob.subtree.name) at \(hex(blob.subtree.phys)) does not decode (\(error)); its areas are not imported")
            }
        }
        return (areas, notes)
    }

    /// The test module subtree's folio array (`<subtree>/folios_info`),
    /// unless the module used the 6.16/6.17 layout (a plain array in the
    /// FDT, no vmalloc area).
    private func khoTest(_ blob: SubtreeBlob, _ subtree: KHOTestSubtree) throws -> [NamedArea] {
        guard generation != .v1a else { return [] }
        let tree = try FlattenedDeviceTree(bytes: blob.bytes)
        _ = try KHOTestFDT(tree: tree, format: .vmallocDescriptor, subtree: subtree)
        let offset = try KHOTestFDT.foliosInfoOffset(in: tree)
        return [NamedArea(name: subtree.foliosInfoAreaName, descriptorPhys: blob.subtree.phys + UInt64(offset),
                          origin: .consumer(subtree.name))]
    }

    /// The folio array of every memfd with folios, named
    /// `<session>/memfd-<token>/folios`.
    private func memfds(_ blob: SubtreeBlob) throws -> [NamedArea] {
        let luo = try LUOFDT(bytes: blob.bytes)
        let count = try records(LUOSessionHeaderSer.self, at: luo.sessionHeaderPhys, count: 1)[0].count
        let sessions = try records(LUOSessionSer.self, at: luo.sessionHeaderPhys + UInt64(LUOSessionHeaderSer.byteCount), count: count)
        var areas: [NamedArea] = []
        for session in sessions {
            for file in try records(LUOFileSer.self, at: session.files, count: session.count) {
                let offset: Int
                let folios: UInt64
                switch file.compatible {
                case MemfdLuoSer.compatible:
                    folios = try records(MemfdLuoSer.self, at: file.data, count: 1)[0].nrFolios
                    offset = MemfdLuoSer.folioArrayDescriptorOffset
                case MemfdLuoSerV2.compatible:
                    folios = try records(MemfdLuoSerV2.self, at: file.data, count: 1)[0].nrFolios
                    offset = MemfdLuoSerV2.folioArrayDescriptorOffset
                default:
                    continue
                }
                guard folios > 0 else { continue }
                areas.append(NamedArea(name: "\(session.name)/memfd-\(file.token)/folios", descriptorPhys: file.data + UInt64(offset),
                                       origin: .consumer("memfd")))
            }
        }
        return areas
    }

    /// `count` records of `T` at `phys`, refusing counts the image cannot hold.
    private func records<T: FixedSizeRecord>(_: T.Type, at phys: UInt64, count: UInt64) throws -> [T] {
        guard count <= mappedBytes / UInt64(T.byteCount) else {
            throw ConsumerError.invalidField(structure: T.structureName, field: "count", value: count)
        }
        return try T.decodeArray(image.read(phys: phys, count: Int(count) * T.byteCount), count: Int(count))
    }
}
