/// Told how far a long piece of work has come: `done` of `total` units
/// (operations, bytes or sections — the work's documentation says which).
/// Called often, from the working thread: it must be cheap.
public typealias WorkProgress = (_ done: Int, _ total: Int) -> Void
