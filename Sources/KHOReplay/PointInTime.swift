import Foundation
import KHOLedger

/// A moment of a ledger's history, in the one syntax every command accepts:
///
/// - `SEQ` — right after operation SEQ;
/// - `gen:G` — the handover point of generation G (its kexec; the last
///   operation of G when it never kexec'd);
/// - `gen:G+K` — K operations into generation G (`gen:G+0` is its boot);
/// - a time such as `2026-11-25T10:42:00.123Z` — the last operation at or
///   before it, to the millisecond (every form ``LedgerTime`` parses: an
///   offset, a space instead of `T` meaning UTC, a date alone meaning its
///   start).
public enum PointInTime: Equatable, Sendable, CustomStringConvertible {
    case seq(Int64)
    case generation(Int64, offset: Int64?)
    case time(LedgerTime)

    /// Parses the command-line syntax.
    public init(parsing text: String) throws(ReplayError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seq = Int64(trimmed), seq > 0 {
            self = .seq(seq)
        } else if trimmed.hasPrefix("gen:") {
            let body = trimmed.dropFirst(4)
            let parts = body.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
            guard let generation = Int64(parts[0]), generation >= 0 else { throw .badPoint(text) }
            if parts.count == 2 {
                guard let offset = Int64(parts[1]), offset >= 0 else { throw .badPoint(text) }
                self = .generation(generation, offset: offset)
            } else {
                self = .generation(generation, offset: nil)
            }
        } else if let time = LedgerTime(parsing: trimmed) {
            self = .time(time)
        } else {
            throw .badPoint(text)
        }
    }

    public var description: String {
        switch self {
        case .seq(let seq): return "\(seq)"
        case let .generation(generation, offset): return "gen:\(generation)" + (offset.map { "+\($0)" } ?? "")
        case .time(let time): return time.description
        }
    }

    /// The seq this point stands for in `ledger`, and how.
    public func resolve(in ledger: Ledger) throws(ReplayError) -> ResolvedPoint {
        try ledger.asOfRead { snapshot in try resolve(snapshot) }
    }

    func resolve(_ snapshot: LedgerSnapshot) throws -> ResolvedPoint {
        guard let last = try OpSeqs.last(snapshot) else { throw ReplayError.emptyLedger }
        switch self {
        case .seq(let seq):
            guard seq <= last else { throw ReplayError.pointOutOfRange("\(self)", "the ledger ends at seq \(last)") }
            return ResolvedPoint(seq: seq)
        case let .generation(generation, offset):
            guard let seqs = try GenerationSeqs.fetchOne(snapshot, generation: generation, last: last) else {
                let known = try GenerationNumbers.last(snapshot) ?? 0
                throw ReplayError.pointOutOfRange("\(self)", "generations are 0…\(known)")
            }
            let boot = seqs.boot
            let end = try seqs.kexec ?? OpSeqs.last(snapshot, generation: generation) ?? boot
            guard let offset else {
                return ResolvedPoint(seq: end, unfinishedGeneration: seqs.kexec == nil ? generation : nil)
            }
            guard offset <= end - boot else {
                throw ReplayError.pointOutOfRange("\(self)", "generation \(generation) has \(end - boot + 1) operations (gen:\(generation)+0 … gen:\(generation)+\(end - boot))")
            }
            return ResolvedPoint(seq: boot + offset)
        case .time(let time):
            guard let seq = try OpSeqs.last(snapshot, atOrBefore: time) else {
                let first = try OpSeqs.firstTime(snapshot) ?? "?"
                throw ReplayError.pointOutOfRange("\(self)", "the first operation is at \(first)")
            }
            return ResolvedPoint(seq: seq)
        }
    }
}
