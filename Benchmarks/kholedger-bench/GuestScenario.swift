import Foundation

/// A guest's RAM handed over by live update, as a scenario that
/// `kholedger simulate` runs: `ramBytes` of memfd in order-0 (4 KiB) folios,
/// `randomBytes` of it random and the rest zero, preserved through LUO in
/// one session, then `kexec`.
///
/// A `memfd_preserve` step fills its whole file with one fill, so the RAM is
/// `ramBytes / randomBytes` memfds of `randomBytes` each (the way a VMM may
/// back guest RAM with one memfd per slot): the first random, the others
/// zero, made by one `repeat:` step. Order-0 folios come from the emulated
/// allocator in scrambled order: the frames are scattered.
struct GuestScenario {
    let ramBytes: UInt64
    let randomBytes: UInt64

    static let pageSize: UInt64 = 4096

    /// The memfds' folios: one page frame each.
    var frames: Int { Int(ramBytes / Self.pageSize) }

    /// The emulated host's memory: four times the guest's RAM plus 256 MiB,
    /// in whole 64 MiB. The scattered folios leave free blocks of higher
    /// order only where memory is mostly free: with the RAM plus a quarter,
    /// a 4 GiB guest left the next boot's LUO no order-4 block for its
    /// session header (`kexec` failed with ENOMEM).
    var machineMemory: UInt64 {
        let bytes = ramBytes * 4 + (256 << 20)
        return (bytes + (64 << 20) - 1) / (64 << 20) * (64 << 20)
    }

    /// The scenario, as YAML.
    var yaml: String {
        let piece = "\(randomBytes >> 10)KiB"
        return """
            description: >
              A guest's RAM of \(ramBytes >> 20) MiB as \(ramBytes / randomBytes) memfds of \(piece) in 4 KiB folios,
              the first random, the others zero, preserved through LUO and handed over by kexec.

            machine:
              kernel: "7.1"
              liveupdate: true
              page_size: \(Self.pageSize)
              memory: \(machineMemory >> 20)MiB
              seed: 8

            steps:
              - memfd_preserve: {name: ram-random, size: \(piece), fill: random, token: 1, session: guest}
              - memfd_preserve: {name: "ram-zero{i}", size: \(piece), token: "1{i}", session: guest}
                repeat: \(ramBytes / randomBytes - 1)
              - kexec

            """
    }
}
