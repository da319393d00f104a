import KHOABI

/// A name a step bound: an address and what is known of the object there.
struct ScenarioSymbol: Hashable, Sendable {
    var phys: UInt64
    /// Folio order, when the object is a folio.
    var order: Int?
    /// Size in bytes, when known (alloc_preserve, retrieve_subtree, restore_pages).
    var size: UInt64?

    /// Bytes the object spans: its size, else its folio's size.
    func bytes(_ geometry: PageGeometry) -> UInt64? {
        size ?? order.map { geometry.bytes(order: $0) }
    }
}

/// The runner's names of one generation. A name is like a pointer variable:
/// freeing the object does not unbind it. `kexec` drops every name except
/// those it is asked to carry.
struct ScenarioSymbols {
    private var table: [String: ScenarioSymbol] = [:]

    /// Binds `name`; a name already bound in this generation is an error.
    mutating func bind(_ name: String?, _ symbol: ScenarioSymbol) throws(StepFault) {
        guard let name else { return }
        guard table[name] == nil else {
            throw StepFault("name \"\(name)\" is already bound to \(hex(table[name]!.phys)) in this generation")
        }
        table[name] = symbol
    }

    /// The address an address expression stands for, and the symbol when it is a plain name.
    func resolve(_ address: ScenarioAddress) throws(StepFault) -> (phys: UInt64, symbol: ScenarioSymbol?) {
        switch address {
        case .absolute(let phys): return (phys, nil)
        case let .symbol(name, offset):
            guard let symbol = table[name] else {
                throw StepFault("no name \"\(name)\" in this generation (kexec keeps only the names in its carry: list)")
            }
            return (symbol.phys &+ offset, offset == 0 ? symbol : nil)
        }
    }

    /// Keeps only `names` (for the next generation); an unknown name is an error.
    mutating func carry(_ names: [String]) throws(StepFault) {
        var kept: [String: ScenarioSymbol] = [:]
        for name in names {
            guard let symbol = table[name] else { throw StepFault("cannot carry \"\(name)\": no such name") }
            kept[name] = symbol
        }
        table = kept
    }
}
