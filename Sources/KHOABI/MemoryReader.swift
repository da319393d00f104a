/// Reads `count` bytes at a physical address; supplied by whoever holds the
/// memory (an emulated machine, an ELF core, a raw image, a ledger view).
///
/// Walkers in this module never touch memory themselves: every page they
/// follow comes through such a closure, so one walk serves every source.
public typealias MemoryReader = (_ phys: UInt64, _ count: Int) throws -> [UInt8]
