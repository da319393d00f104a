import GRDB

extension LedgerError {
    /// The error for `error`, thrown while writing the ledger at `path`: a
    /// write the file system refused (a full disk, a file-size limit) is
    /// ``unwritable(path:reason:)`` in plain words; anything else is
    /// ``database(path:_:)`` keeping SQLite's error.
    static func writing(_ path: String, _ error: any Error, while doing: String? = nil) -> LedgerError {
        let context = doing.map { "\($0): " } ?? ""
        if let error = error as? LedgerError { return error }
        guard let error = error as? DatabaseError else { return .database(path: path, DatabaseFailure(error, doing: doing)) }
        switch error.resultCode {
        case .SQLITE_FULL:
            return .unwritable(path: path, reason: "\(context)the disk is full")
        case .SQLITE_IOERR:
            return .unwritable(path: path, reason: "\(context)a write failed: the disk is full, a file-size limit (ulimit -f) was reached or the device failed")
        default:
            return .database(path: path, DatabaseFailure(error, doing: doing))
        }
    }
}
