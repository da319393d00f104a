import KHOABI

/// The Live Update Orchestrator of one generation (luo-v1, 6.19 – 7.1):
/// the blocks `luo_fdt_setup` made at boot and the files preserved since.
struct LiveUpdateState {
    /// One session (`luo_session`) with its files.
    struct Session {
        var name: String
        /// The `luo_file_ser` block (`luo_alloc_files_mem`, on the first file).
        var filesPhys: UInt64
        var files: [LUOFileSer] = []
    }

    /// The `LUO` FDT's block.
    var fdtPhys: UInt64
    /// The session header block (`LUO_SESSION_PGCNT` pages).
    var sessionHeaderPhys: UInt64
    /// Sessions in creation order.
    var sessions: [Session] = []
}

extension KHOMachine {
    /// `luo_session.c`: pages of the session header block.
    static let luoSessionPageCount = 16
    /// `luo_file.c`: pages of a session's file block.
    static let luoFilePageCount = 2
    /// `luo_flb.c`: pages of the FLB block.
    static let luoFLBPageCount = 1

    /// `luo_early_startup`: the `liveupdate-number` of the incoming `LUO`
    /// FDT (luo-v1), read at boot before anything can reuse its page; nil
    /// when none was handed over or it cannot be read.
    func incomingLiveUpdateNumber() -> UInt64? {
        guard let luo = try? incoming?.retrieve(LUOFDT.subtreeName),
              let tree = try? readFDT(at: luo.phys, "incoming LUO FDT") else { return nil }
        return (try? LUOFDT(tree: tree))?.liveupdateNumber
    }

    /// `luo_late_startup` → `luo_fdt_setup` (7.1, liveupdate enabled): at
    /// boot, not on first use, `kho_alloc_preserve` the FDT's page, the
    /// session header block (`luo_session_setup_outgoing`) and the FLB block
    /// (`luo_flb_setup_outgoing`, its header `pgcnt` = 1); write the `luo-v1`
    /// FDT with `liveupdate-number` = incoming + 1 and add it as subtree
    /// `LUO` with its totalsize.
    func setUpLiveUpdate() throws(MachineError) {
        let page = UInt64(geometry.pageSize)
        let fdt = try allocPreserve(size: page, name: LUOFDT.subtreeName)
        let header = try allocPreserve(size: UInt64(Self.luoSessionPageCount) * page, name: "luo/session-header")
        let flb = try allocPreserve(size: UInt64(Self.luoFLBPageCount) * page, name: "luo/flb-header")
        let flbHeader = try luoEncode("luo_flb_header_ser") { try LUOFLBHeaderSer(pageCount: UInt64(Self.luoFLBPageCount), count: 0).encode() }
        try write(phys: flb, bytes: flbHeader, name: "luo/flb-header")
        let tree = try luoEncode("LUO FDT") {
            try LUOFDT(liveupdateNumber: liveUpdateNumber, sessionHeaderPhys: header, flbHeaderPhys: flb).encode()
        }
        try write(phys: fdt, bytes: tree, name: LUOFDT.subtreeName)
        try addSubtree(name: LUOFDT.subtreeName, phys: fdt, size: UInt64(tree.count))
        liveUpdate = LiveUpdateState(fdtPhys: fdt, sessionHeaderPhys: header)
    }

    /// `luo_preserve_file`: adds `file` to session `session` (created on
    /// first use); a session's first file allocates its file block.
    /// -ENOMEM when a session or the file block is full.
    func liveUpdatePreserve(file: LUOFileSer, session name: String) throws(MachineError) {
        guard var state = liveUpdate else { throw .invalidArgument("live update is not enabled (machine liveupdate: true)") }
        let page = geometry.pageSize
        var index = state.sessions.firstIndex { $0.name == name }
        if index == nil {
            guard state.sessions.count < (Self.luoSessionPageCount * page - LUOSessionHeaderSer.byteCount) / LUOSessionSer.byteCount else {
                throw .kernel(.ENOMEM, "LUO session header full")
            }
            let files = try allocPreserve(size: UInt64(Self.luoFilePageCount * page), name: "luo/files")
            state.sessions.append(.init(name: name, filesPhys: files))
            index = state.sessions.count - 1
        }
        guard state.sessions[index!].files.count < Self.luoFilePageCount * page / LUOFileSer.byteCount else {
            throw .kernel(.ENOMEM, "LUO file block of session \(name) full")
        }
        state.sessions[index!].files.append(file)
        liveUpdate = state
    }

    /// `liveupdate_reboot` → `luo_session_serialize`, which the reboot
    /// syscall runs before the kexec: writes each session's `luo_file_ser`
    /// entries into its file block, then the session header (the count and
    /// one `luo_session_ser` per session), each write its own event. Nothing
    /// without live update.
    public func liveUpdateReboot() throws(MachineError) {
        guard let state = liveUpdate else { return }
        var sessions = try luoEncode("luo_session_header_ser") { try LUOSessionHeaderSer(count: UInt64(state.sessions.count)).encode() }
        for session in state.sessions {
            if !session.files.isEmpty {
                let files = try luoEncode("luo_file_ser") { try session.files.flatMap { try $0.encode() } }
                try write(phys: session.filesPhys, bytes: files, name: "luo/files")
            }
            sessions += try luoEncode("luo_session_ser") {
                try LUOSessionSer(name: session.name, files: session.filesPhys, count: UInt64(session.files.count)).encode()
            }
        }
        try write(phys: state.sessionHeaderPhys, bytes: sessions, name: "luo/session-header")
    }

    private func luoEncode(_ what: String, _ body: () throws -> [UInt8]) throws(MachineError) -> [UInt8] {
        do {
            return try body()
        } catch {
            throw .abi("\(what): \(error)")
        }
    }
}
