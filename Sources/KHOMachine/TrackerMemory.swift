import KHOABI

/// The radix tracker's view of the machine: words in emulated memory and
/// zeroed node pages from the frame allocator.
struct TrackerMemory: RadixTrackerMemory {
    unowned let machine: KHOMachine

    func loadWord(at phys: UInt64) throws -> UInt64 { try machine.memory.loadWord(phys) }

    mutating func storeWord(_ value: UInt64, at phys: UInt64) throws {
        try machine.memory.storeWord(value, at: phys)
    }

    mutating func allocateNodePage() throws -> UInt64 {
        guard let phys = machine.allocateZeroed(order: 0) else {
            throw MachineError.kernel(.ENOMEM, "no free page for a radix tracker node")
        }
        return phys
    }

    mutating func freeNodePage(_ phys: UInt64) throws { machine.allocator.free(phys, order: 0) }
}

extension KHOMachine {
    /// Adds blocks to the tracker in order. On failure removes the ones this
    /// call added (the `kho_preserve_pages` rollback) and rethrows.
    func trackerAdd(_ blocks: [PreservedBlock], into event: inout MachineEvent) throws(MachineError) {
        var memory = TrackerMemory(machine: self)
        var added: [PreservedBlock] = []
        do {
            for block in blocks {
                try tracker.insert(block, in: &memory)
                added.append(block)
                event.tracker.append(.init(block: block, added: true))
            }
        } catch {
            for block in added.reversed() {
                _ = try? tracker.remove(block, in: &memory)
                event.tracker.append(.init(block: block, added: false))
            }
            throw (error as? MachineError) ?? .abi("\(error)")
        }
    }

    /// Removes blocks from the tracker; a missing node is the kernel's warning.
    func trackerRemove(_ blocks: [PreservedBlock], into event: inout MachineEvent) throws(MachineError) {
        var memory = TrackerMemory(machine: self)
        for block in blocks {
            let result: RadixRemoval
            do {
                result = try tracker.remove(block, in: &memory)
            } catch {
                throw (error as? MachineError) ?? .abi("\(error)")
            }
            event.tracker.append(.init(block: block, added: false))
            switch result {
            case .cleared(wasSet: true): break
            case .cleared(wasSet: false):
                event.arguments.append(("warning", "\(block) was not preserved"))
            case .missingNode:
                event.arguments.append(("warning", "\(block): tracker node missing"))
            }
        }
    }

    /// Throws -EINVAL when [phys, phys + size) overlaps a scratch area and the
    /// debug check is on.
    func checkScratchOverlap(_ phys: UInt64, size: UInt64) throws(MachineError) {
        guard config.scratchOverlapCheck else { return }
        if let area = scratch.first(where: { $0.overlaps(address: phys, size: size) }) {
            throw .kernel(.EINVAL, "[\(hex(phys)), \(hex(phys + size))) overlaps scratch area \(area)")
        }
    }
}
