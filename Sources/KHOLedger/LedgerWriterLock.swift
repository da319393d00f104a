import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock a ledger's one writer holds for as long as its ``Ledger`` is
/// open for writing: `PATH.lock`, beside the ledger.
///
/// Why one writer for a whole run, rather than taking the next seq, the
/// last hash and the next generation inside each transaction: a recording
/// is many transactions (`simulate` and `record` commit batches as they go,
/// `import` one long transaction), and the ledger's answers need each run's
/// operations to be one contiguous range of seqs — a generation is the ops
/// from its `boot_seq` to its `kexec_seq`, and the recorder keeps the open
/// intervals of its lineage (page contents, preserved runs, objects) in
/// memory between batches. Two runs taking turns batch by batch would
/// interleave their generations. So a writer takes this lock before it
/// reads the chain head, keeps it until it is done, and a second writer
/// waits for it, up to a bound, or fails with one line naming the holder's
/// PID; no run's work is lost. Readers take no lock (WAL gives them
/// snapshots).
///
/// `flock(2)` on the file excludes other writers, in other processes and in
/// this one; a POSIX record lock (`fcntl(F_SETLK)`) on it as well lets a
/// waiting writer learn the holder's PID (`F_GETLK`). Nothing is ever
/// written into the file, so a file planted under its name is never changed,
/// and it is opened without following a symbolic link. The holder removes
/// the file when done; a writer that is killed leaves the file but not the
/// lock (the kernel drops a dead process's locks), and the next writer takes
/// it over.
final class LedgerWriterLock {
    /// The lock file.
    let path: String
    private let descriptor: Int32
    private let device: UInt64
    private let inode: UInt64

    /// How often a waiting writer tries again.
    private static let retryInterval: UInt32 = 20_000

    /// Takes the lock of the ledger at `ledger`, waiting as `wait` says.
    init(ledger: String, wait: LedgerWriterWait) throws(LedgerError) {
        path = ledger + ".lock"
        let deadline = ContinuousClock.now + wait.limit
        var told = false
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw .unwritable(path: ledger, reason: "cannot open its writer lock \(path): \(String(cString: strerror(errno)))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                if let (device, inode) = Self.identity(fd), Self.names(path, device: device, inode: inode) {
                    var record = Self.wholeFile(F_WRLCK)
                    _ = fcntl(fd, F_SETLK, &record)
                    descriptor = fd
                    self.device = device
                    self.inode = inode
                    return
                }
                // The holder removed the file between our open and our lock: try the new one.
                close(fd)
                continue
            }
            let failure = errno
            guard failure == EWOULDBLOCK else {
                close(fd)
                throw .unwritable(path: ledger, reason: "cannot lock its writer lock \(path): \(String(cString: strerror(failure)))")
            }
            let holder = Self.holder(fd)
            close(fd)
            guard ContinuousClock.now < deadline else { throw .busy(path: ledger, holder: holder, waited: wait.limit) }
            if !told {
                wait.notice(holder)
                told = true
            }
            usleep(Self.retryInterval)
        }
    }

    deinit {
        // Remove the file only while it is still ours.
        if Self.names(path, device: device, inode: inode) { unlink(path) }
        close(descriptor)
    }

    private static func wholeFile(_ type: Int32) -> flock {
        var record = flock()
        record.l_type = Int16(type)
        record.l_whence = Int16(SEEK_SET)
        record.l_start = 0
        record.l_len = 0
        return record
    }

    /// The PID holding the POSIX lock on the open lock file, if it is another process's.
    private static func holder(_ fd: Int32) -> Int32? {
        var record = wholeFile(F_WRLCK)
        guard fcntl(fd, F_GETLK, &record) == 0, record.l_type != Int16(F_UNLCK), record.l_pid > 0 else { return nil }
        return record.l_pid
    }

    private static func identity(_ fd: Int32) -> (UInt64, UInt64)? {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// Whether `path` still names the file `device`/`inode`.
    private static func names(_ path: String, device: UInt64, inode: UInt64) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}
