import KHOABI

/// The emulated page allocator: deterministic from a seed, order-0 frames
/// handed out in a scrambled, non-contiguous order, higher orders as
/// naturally aligned blocks. Scratch frames are never handed out.
public struct FrameAllocator: Sendable {
    public let geometry: PageGeometry
    public let range: MemoryRange
    private let basePfn: UInt64
    private let frameCount: Int
    /// One bit per frame, 1 = in use (or scratch).
    private var used: [UInt64]
    /// One bit per frame, 1 = scratch.
    private let scratch: [UInt64]
    /// One bit per word of `used`, 1 = all its frames are taken: a scan
    /// for a free frame skips a full stretch 64 words at a time.
    private var fullWords: [UInt64]
    private var random: SplitMix64
    /// Frames currently free.
    public private(set) var freeFrames: Int

    public init(geometry: PageGeometry, range: MemoryRange, scratch areas: [MemoryRange], seed: UInt64) {
        self.geometry = geometry
        self.range = range
        basePfn = range.address >> UInt64(geometry.pageShift)
        frameCount = Int(range.size >> UInt64(geometry.pageShift))
        var bits = [UInt64](repeating: 0, count: (frameCount + 63) / 64)
        var count = 0
        for area in areas {
            let first = Int((area.address - range.address) >> UInt64(geometry.pageShift))
            let n = Int(area.size >> UInt64(geometry.pageShift))
            for frame in first..<first + n where bits[frame / 64] & (1 << UInt64(frame % 64)) == 0 {
                bits[frame / 64] |= 1 << UInt64(frame % 64)
                count += 1
            }
        }
        // Bits past the last frame count as used so scans never return them.
        if frameCount % 64 != 0 { bits[bits.count - 1] |= ~0 << UInt64(frameCount % 64) }
        scratch = bits
        used = bits
        fullWords = [UInt64](repeating: 0, count: (bits.count + 63) / 64)
        for (w, word) in bits.enumerated() where word == ~0 { fullWords[w / 64] |= 1 << UInt64(w % 64) }
        freeFrames = frameCount - count
        random = SplitMix64(seed: seed)
    }

    private func frame(_ phys: UInt64) -> Int { Int((phys >> UInt64(geometry.pageShift)) - basePfn) }
    private func phys(_ frame: Int) -> UInt64 { (basePfn + UInt64(frame)) << UInt64(geometry.pageShift) }
    private func isUsed(_ frame: Int) -> Bool { used[frame / 64] & (1 << UInt64(frame % 64)) != 0 }

    /// True when every frame of the block is free.
    private func isFree(block first: Int, frames n: Int) -> Bool {
        if n >= 64 {
            return used[first / 64 ..< (first + n) / 64].allSatisfy { $0 == 0 }
        }
        let mask: UInt64 = (n == 64 ? ~0 : (1 << UInt64(n)) - 1) << UInt64(first % 64)
        return used[first / 64] & mask == 0
    }

    private mutating func set(_ first: Int, frames n: Int, used value: Bool) {
        for f in first..<first + n {
            let w = f / 64
            if value { used[w] |= 1 << UInt64(f % 64) } else { used[w] &= ~(1 << UInt64(f % 64)) }
            if used[w] == ~0 { fullWords[w / 64] |= 1 << UInt64(w % 64) } else { fullWords[w / 64] &= ~(1 << UInt64(w % 64)) }
        }
        freeFrames += value ? -n : n
    }

    /// The first word of `used` at or after `w` with a free frame.
    private func firstWordWithRoom(from w: Int) -> Int? {
        var s = w / 64
        guard s < fullWords.count else { return nil }
        var room = ~fullWords[s] & (~0 << UInt64(w % 64))
        while room == 0 {
            s += 1
            guard s < fullWords.count else { return nil }
            room = ~fullWords[s]
        }
        let found = s * 64 + room.trailingZeroBitCount
        return found < used.count ? found : nil
    }

    /// Allocates a block of `order`, or nil when no aligned free block exists.
    public mutating func allocate(order: Int) -> UInt64? {
        let n = 1 << order
        guard n <= freeFrames else { return nil }
        if order == 0 {
            // Scrambled: start at a random frame, take the next free one
            // (cyclically; the start word's frames below it come last).
            let start = Int(random.next() % UInt64(frameCount))
            let w0 = start / 64, bit = UInt64(start % 64)
            var found: (word: Int, free: UInt64)?
            if case let free = ~used[w0] & (~0 << bit), free != 0 {
                found = (w0, free)
            } else if let w = firstWordWithRoom(from: w0 + 1) ?? firstWordWithRoom(from: 0), w != w0 {
                found = (w, ~used[w])
            } else if case let free = ~used[w0] & ((1 << bit) - 1), free != 0 {
                found = (w0, free)
            }
            guard let (w, free) = found else { return nil }
            let f = w * 64 + free.trailingZeroBitCount
            set(f, frames: 1, used: true)
            return phys(f)
        }
        // The base pfn is aligned to the largest order, so frame alignment is pfn alignment.
        let blocks = frameCount / n
        guard blocks > 0 else { return nil }
        let start = Int(random.next() % UInt64(blocks))
        for step in 0..<blocks {
            let first = ((start + step) % blocks) * n
            if isFree(block: first, frames: n) {
                set(first, frames: n, used: true)
                return phys(first)
            }
        }
        return nil
    }

    /// Returns a block to the allocator. Scratch frames and free frames are left alone.
    public mutating func free(_ phys: UInt64, order: Int) {
        let first = frame(phys)
        for f in first..<first + (1 << order) where isUsed(f) && scratch[f / 64] & (1 << UInt64(f % 64)) == 0 {
            set(f, frames: 1, used: false)
        }
    }

    /// Marks a block in use (the next generation reserving preserved memory).
    public mutating func reserve(_ phys: UInt64, order: Int) {
        let first = frame(phys)
        for f in first..<first + (1 << order) where !isUsed(f) {
            set(f, frames: 1, used: true)
        }
    }

    /// True when the frame at `phys` is allocated.
    public func isAllocated(_ phys: UInt64) -> Bool { isUsed(frame(phys)) && !isScratch(phys) }

    /// True when `phys` is in a scratch area.
    public func isScratch(_ phys: UInt64) -> Bool {
        let f = frame(phys)
        return scratch[f / 64] & (1 << UInt64(f % 64)) != 0
    }
}
