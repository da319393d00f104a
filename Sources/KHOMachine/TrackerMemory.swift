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
        var added: [PreservedBlock] = []
        do {
            for block in blocks {
                try trackerInsert(block)
                added.append(block)
                event.tracker.append(.init(block: block, added: true))
            }
        } catch {
            for block in added.reversed() {
                _ = try? trackerErase(block)
                event.tracker.append(.init(block: block, added: false))
            }
            throw (error as? MachineError) ?? .abi("\(error)")
        }
    }

    /// Removes blocks from the tracker; what the kernel warns about (a
    /// missing node, order or bitmap; a bit that was not set) is a warning.
    func trackerRemove(_ blocks: [PreservedBlock], into event: inout MachineEvent) throws(MachineError) {
        for block in blocks {
            let warning: String?
            do {
                warning = try trackerErase(block)
            } catch {
                throw (error as? MachineError) ?? .abi("\(error)")
            }
            event.tracker.append(.init(block: block, added: false))
            if let warning { event.arguments.append(("warning", .text(warning))) }
        }
    }

    /// Sets the block's bit in this generation's tracker.
    private func trackerInsert(_ block: PreservedBlock) throws {
        if bitmaps != nil {
            var memory = BitmapMemory(machine: self)
            try bitmaps!.insert(block, in: &memory)
        } else {
            var memory = TrackerMemory(machine: self)
            try tracker.insert(block, in: &memory)
        }
    }

    /// Clears the block's bit; returns the kernel's warning, if any.
    private func trackerErase(_ block: PreservedBlock) throws -> String? {
        if let bitmaps {
            var memory = BitmapMemory(machine: self)
            switch try bitmaps.remove(block, in: &memory) {
            case .cleared(wasSet: true): return nil
            case .cleared(wasSet: false): return "\(block) was not preserved"
            case .missingOrder: return "\(block): no bitmaps of order \(block.order)"
            case .missingBitmap: return "\(block): no bitmap covers it"
            }
        }
        var memory = TrackerMemory(machine: self)
        switch try tracker.remove(block, in: &memory) {
        case .cleared(wasSet: true): return nil
        case .cleared(wasSet: false): return "\(block) was not preserved"
        case .missingNode: return "\(block): tracker node missing"
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
