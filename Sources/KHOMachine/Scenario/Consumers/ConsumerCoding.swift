import KHOABI

/// How the consumer helpers treat their structures: bytes the next kernel
/// cannot decode are rejected as the consumer module would (-EINVAL); a
/// value the scenario asks to encode that does not fit is a scenario mistake.
enum ConsumerCoding {
    /// Decodes a structure read from memory; failure (bad bytes, or a
    /// pointer outside memory) is -EINVAL.
    static func decode<T>(_ what: String, _ body: () throws -> T) throws(MachineError) -> T {
        do {
            return try body()
        } catch {
            throw .kernel(.EINVAL, "\(what): \(error)")
        }
    }

    /// Encodes a structure the scenario describes; failure is a ``StepFault``.
    static func encode(_ what: String, _ body: () throws -> [UInt8]) throws(StepFault) -> [UInt8] {
        do {
            return try body()
        } catch {
            throw StepFault("cannot encode \(what): \(error)")
        }
    }
}

extension KHOMachine {
    /// Reads the FDT blob at `phys` as a consumer does: header first, then
    /// `totalsize` bytes. A malformed blob is -EINVAL.
    func readFDT(at phys: UInt64, _ what: String) throws(MachineError) -> FlattenedDeviceTree {
        let header = try ConsumerCoding.decode(what) { try FDTHeader(bytes: memory.read(phys, count: FDTHeader.size)) }
        return try ConsumerCoding.decode(what) {
            try FlattenedDeviceTree(bytes: memory.read(phys, count: max(FDTHeader.size, Int(header.totalSize))))
        }
    }

    /// Reads `count` records of `T` at `phys`; -EINVAL when they cannot be
    /// (an absurd count, bytes outside memory, a bad field).
    func readRecords<T: FixedSizeRecord>(_: T.Type, at phys: UInt64, count: UInt64) throws(MachineError) -> [T] {
        guard count <= memory.range.size / UInt64(T.byteCount) else {
            throw .kernel(.EINVAL, "\(T.structureName)[\(count)] at \(hex(phys)) cannot fit in memory")
        }
        return try ConsumerCoding.decode(T.structureName) {
            try T.decodeArray(memory.read(phys, count: Int(count) * T.byteCount), count: Int(count))
        }
    }
}
