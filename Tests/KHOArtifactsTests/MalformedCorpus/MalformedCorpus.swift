import Foundation
import KHOABI
import KHOImage
import KHOTestSupport

/// The malformed-input corpus in `Tests/Corpus/malformed/`: the files and
/// `corpus.json`, which says for each entry how to run it and which error
/// it must give. Everything is built here from KHOABI's encoders, so the
/// files can be rebuilt (`KHO_WRITE_CORPUS=1 swift test --filter MalformedCorpusTests`).
///
/// The valid starting point is a small kho-v3 handover with 4 KiB pages: a
/// radix tracker at ``root``, a 16-byte descriptor in a blob page, one chunk
/// page and two blocks, and a root FDT with one subtree; each entry breaks
/// one thing (an ELF header field, an FDT field, the descriptor, the chunk
/// list, a JSON line) or names something that is not there.
enum MalformedCorpus {
    /// One run: `args` (file names relative to the corpus folder), the error
    /// substring it must print, and for `record` the operations the ledger
    /// must hold afterwards (0: no ledger file at all).
    struct Entry: Codable, Equatable {
        var name: String
        var args: [String]
        var error: String
        var recorded: Int?
    }

    /// The committed corpus folder.
    static let folder = ReferenceVector.packageRoot.appendingPathComponent("Tests/Corpus/malformed")

    static let root: UInt64 = 0x1_0000_0000
    static let descriptor: UInt64 = 0x1_0001_0000
    static let chunk: UInt64 = 0x1_0001_1000
    static let blocks: [UInt64] = [0x1_0002_0000, 0x1_0002_1000]
    static let hole: UInt64 = 0x1_0005_0000

    /// Every file (name → bytes) and every entry.
    static func build() throws -> (files: [String: [UInt8]], entries: [Entry]) {
        var files: [String: [UInt8]] = [:]
        var entries: [Entry] = []
        let fdt = try rootFDT()
        files["base.dtb"] = fdt
        files["base.elf"] = try handover()
        files["tiny.elf"] = try elf([(0x1000, [UInt8](repeating: 0xa5, count: 4096)), (0x2000, [UInt8](repeating: 0x5a, count: 4096))])

        func walk(_ name: String, fdt: String = "base.dtb", image: String = "base.elf", _ error: String) {
            entries.append(Entry(name: name, args: ["walk", "--fdt", fdt, "--image", image], error: error))
        }
        func restore(_ name: String, image: String, descriptor: UInt64 = descriptor, fdt: Bool = false, _ error: String) {
            entries.append(Entry(name: name, args: ["restore", "--image", image, "--descriptor-phys", hex(descriptor), "-o", "area.bin"]
                                 + (fdt ? ["--fdt", "base.dtb"] : []), error: error))
        }

        /// A copy of `base` changed by `mutate`, walked as the image (`elf`) or the root FDT (`dtb`).
        func variant(_ name: String, of base: [UInt8], _ type: String, _ error: String, _ mutate: (inout [UInt8]) -> Void) {
            var bytes = base
            mutate(&bytes)
            files["\(name).\(type)"] = bytes
            if type == "elf" { walk(name, image: "\(name).elf", error) } else { walk(name, fdt: "\(name).dtb", error) }
        }

        // ELF cores: each breaks one field of tiny.elf (two 4 KiB segments at 0x1000 and 0x2000).
        let tiny = files["tiny.elf"]!
        func elfVariant(_ name: String, _ error: String, _ mutate: (inout [UInt8]) -> Void) { variant(name, of: tiny, "elf", error, mutate) }
        elfVariant("elf-empty", "elf-empty.elf is not an ELF core (no ELF magic)") { $0 = [] }
        elfVariant("elf-truncated-header", "file of 40 bytes is too short for an ELF64 header") { $0.removeLast($0.count - 40) }
        elfVariant("elf-truncated-segment", "program header 1: 0x1000 bytes at offset 0x2000 are outside the file (10240 bytes)") { $0.removeLast(0x800) }
        elfVariant("elf-class32", "ELF class 1 is not ELFCLASS64") { $0[4] = 1 }
        elfVariant("elf-big-endian", "ELF data encoding 2 is not little-endian") { $0[5] = 2 }
        elfVariant("elf-not-core", "ELF type 2 is not ET_CORE") { $0.patch(UInt16(2), at: 16) }
        elfVariant("elf-arm32", "ELF machine 40 is neither EM_X86_64") { $0.patch(UInt16(40), at: 18) }
        elfVariant("elf-phentsize", "e_phentsize is 64, expected 56") { $0.patch(UInt16(64), at: 54) }
        elfVariant("elf-too-many-phdrs", "program header table (65534 entries at offset 0x40) does not fit in the file") { $0.patch(UInt16(65534), at: 56) }
        elfVariant("elf-xnum-without-section", "e_phnum is PN_XNUM but section header 0 at offset 0x0 is missing") { $0.patch(UInt16(0xffff), at: 56) }
        elfVariant("elf-overlapping-segments", "segments 0 and 1 both map physical address 0x1800") { $0.patch(UInt64(0x1800), at: 64 + 56 + 24) }
        elfVariant("elf-segment-beyond-file", "program header 1: 0x1000 bytes at offset 0x100000 are outside the file") { $0.patch(UInt64(0x10_0000), at: 64 + 56 + 8) }
        elfVariant("elf-filesz-above-memsz", "program header 0: p_filesz 0x1000 exceeds p_memsz 0x800") { $0.patch(UInt64(0x800), at: 64 + 40) }
        elfVariant("elf-address-overflow", "segment 1: 0x1000 bytes at 0xffffffffffffff00 run past the 64-bit address space") { $0.patch(UInt64.max - 0xff, at: 64 + 56 + 24) }
        elfVariant("elf-no-load", "the image has no PT_LOAD segment with memory") { bytes in
            bytes.patch(UInt32(4), at: 64)
            bytes.patch(UInt32(4), at: 64 + 56)
        }
        elfVariant("elf-bad-magic", "elf-bad-magic.elf is not an ELF core (no ELF magic)") { $0[1] = 0x58 }

        // Root FDTs: each breaks one thing of base.dtb, walked over base.elf.
        func fdtVariant(_ name: String, _ error: String, _ mutate: (inout [UInt8]) -> Void) { variant(name, of: fdt, "dtb", error, mutate) }
        fdtVariant("fdt-empty", "FDT buffer of 0 bytes is shorter than the 40-byte header") { $0 = [] }
        fdtVariant("fdt-bad-magic", "FDT magic 0xdeadbeef is not 0xd00dfeed") { $0.patchBigEndian(0xdead_beef, at: 0) }
        fdtVariant("fdt-bad-version", "FDT version 1 (last compatible 16) is not supported") { $0.patchBigEndian(1, at: 20) }
        fdtVariant("fdt-totalsize-beyond-file", "FDT totalsize \(fdt.count + 4096) exceeds the \(fdt.count)-byte buffer") { $0.patchBigEndian(UInt32($0.count + 4096), at: 4) }
        fdtVariant("fdt-truncated", "FDT buffer of 20 bytes is shorter than the 40-byte header") { $0.removeLast($0.count - 20) }
        fdtVariant("fdt-unknown-compatible", "unknown KHO compatible \"kho-v9\"") { $0.replace(Array("kho-v3".utf8), with: Array("kho-v9".utf8)) }
        fdtVariant("fdt-missing-map", "node / has no property preserved-memory-map") { $0.replace(Array("preserved-memory-map".utf8), with: Array("preserved-memory-mop".utf8)) }
        // Node names: not UTF-8 (the subtree "app" as "ap" + 0xe9), and one byte over the limit.
        guard let name = fdt.firstRange(of: Array("app\0".utf8))?.lowerBound else { throw FixtureError("base.dtb has no node app") }
        fdtVariant("fdt-name-invalid-utf8", "the node name at byte \(name) of the FDT: byte 0xe9 at byte \(name + 2) is not UTF-8") { $0[name + 2] = 0xe9 }
        entries.append(Entry(name: "import-fdt-name-invalid-utf8", args: ["import", "--fdt", "fdt-name-invalid-utf8.dtb", "--image", "base.elf",
                                                                       "--ledger", "ledger.db"],
                             error: "the node name at byte \(name) of the FDT: byte 0xe9 at byte \(name + 2) is not UTF-8"))
        let long = String(repeating: "n", count: KHONameLimit.bytes + 1)
        let longFDT = try KHORootFDT(generation: .v3, preservedMemoryMap: root, subtrees: [KHOSubtree(name: long, phys: descriptor, size: 16)])
            .encode(pageSize: 4096)
        files["fdt-name-too-long.dtb"] = longFDT
        guard let longAt = longFDT.firstRange(of: Array(long.utf8))?.lowerBound else { throw FixtureError("the long name is not in the FDT") }
        walk("fdt-name-too-long", fdt: "fdt-name-too-long.dtb",
             "the node name at byte \(longAt) of the FDT: a name of 256 bytes is longer than 255 bytes, the limit")
        files["fdt-map-outside-image.dtb"] = try rootFDT(map: 0x3_0000_0000)
        walk("fdt-map-outside-image", fdt: "fdt-map-outside-image.dtb", "kho-v3 tracker at 0x300000000: address 0x300000000 (4096 bytes) is not in the image")
        files["fdt-map-misaligned.dtb"] = try rootFDT(map: root + 8)
        walk("fdt-map-misaligned", fdt: "fdt-map-misaligned.dtb", "preserved-memory-map (radix root) 0x100000008 is not aligned to 0x1000")
        fdtVariant("fdt-subtree-without-address", "node /app has no property preserved-data") { $0.replace(Array("preserved-data".utf8), with: Array("preserved-date".utf8)) }

        // Memory images whose vmalloc area is broken, restored from the descriptor.
        func areaVariant(_ name: String, fdt: Bool = false, preserved: Set<UInt64>? = nil, _ error: String, _ mutate: (inout CraftedMemory) -> Void) throws {
            files["\(name).elf"] = try handover(preserved: preserved, mutate)
            restore(name, image: "\(name).elf", fdt: fdt, error)
        }
        try areaVariant("area-chunk-cycle", "chunk 1 at 0x100011000 is chunk 0 again") { $0.store(chunk, at: chunk) }
        try areaVariant("area-total-pages-too-large", "the chunks list 2 pages, the descriptor declares total_pages 1000") {
            $0.write(VmallocDescriptor(first: chunk, totalPages: 1000, flags: .alloc, order: 0).encode(), at: descriptor)
        }
        try areaVariant("area-total-pages-too-small", "chunk 0 entry 1 (0x100021000) lists more pages than total_pages 1") {
            $0.write(VmallocDescriptor(first: chunk, totalPages: 1, flags: .alloc, order: 0).encode(), at: descriptor)
        }
        try areaVariant("area-order-too-large", "chunk 0 entry 0 (0x100020000) lists more pages than total_pages 2") {
            $0.write(VmallocDescriptor(first: chunk, totalPages: 2, flags: .alloc, order: 40).encode(), at: descriptor)
        }
        try areaVariant("area-misaligned-chunk", "chunk 0 pointer 0x100011008 is not page aligned") {
            $0.write(VmallocDescriptor(first: chunk + 8, totalPages: 2, flags: .alloc, order: 0).encode(), at: descriptor)
        }
        try areaVariant("area-chunk-in-hole", "chunk 0 at 0x200000000 cannot be read: address 0x200000000 (4096 bytes) is not in the image") {
            $0.write(VmallocDescriptor(first: 0x2_0000_0000, totalPages: 2, flags: .alloc, order: 0).encode(), at: descriptor)
        }
        try areaVariant("area-block-in-hole", "chunk 0 entry 1: block 0x100050000 cannot be read") { $0.store(hole, at: chunk + 16) }
        try areaVariant("area-block-not-preserved", fdt: true, preserved: [descriptor, chunk, blocks[0]], "chunk 0 entry 1: page 0x100021000 has no KHO magic") { _ in }
        restore("area-descriptor-in-hole", image: "base.elf", descriptor: hole, "descriptor at 0x100050000 cannot be read")
        // A capture whose tracker preserves page frame 0, which no kernel can hand over.
        files["import-frame-zero.elf"] = try handover(preserved: Set([0, descriptor, chunk] + blocks)) {
            $0.write([UInt8](repeating: 0x5a, count: 4096), at: 0)
        }
        entries.append(Entry(name: "import-frame-zero", args: ["import", "--fdt", "base.dtb", "--image", "import-frame-zero.elf",
                                                                "--ledger", "ledger.db"],
                             error: "preserved block 0x0 (order 0) is at page frame 0, which no kernel can hand over"))
        entries.append(Entry(name: "raw-image-without-base", args: ["walk", "--fdt", "base.dtb", "--image", "base.dtb"], error: "base.dtb is not an ELF core (no ELF magic); for a raw image give its physical base with --base"))

        // Event streams: good lines, then one bad line; the good ones stay recorded.
        let boot = #"{"kind":"boot","generation":0,"machine":{"page_size":4096,"memory_base":"0x100000000","memory_size":16777216},"args":{},"result":"ok"}"#
        let folio = #"{"kind":"preserve_folio","args":{"phys":"0x100200000","order":2},"result":"ok"}"#
        func stream(_ name: String, _ bad: String, good: [String] = [boot, folio], recorded: Int? = nil, newline: Bool = true, _ error: String) {
            files["\(name).jsonl"] = Array((good + [bad]).joined(separator: "\n").utf8) + (newline ? [0x0a] : [])
            entries.append(Entry(name: name, args: ["record", "\(name).jsonl", "--ledger", "ledger.db"], error: error, recorded: recorded ?? good.count))
        }
        stream("jsonl-bad-type", #"{"kind":"preserve_folio","args":{"phys":"0x100400000","order":"2"},"result":"ok"}"#, "line 3: args.order: expected an integer, found a string \"2\"")
        stream("jsonl-unknown-kind", #"{"kind":"preserve_everything","args":{},"result":"ok"}"#, "line 3: unknown kind \"preserve_everything\"")
        stream("jsonl-bad-hex", #"{"kind":"preserve_pages","args":{"phys":"0x1004g0000","nr_pages":1},"result":"ok"}"#, "line 3: args.phys: \"0x1004g0000\" is not a \"0x…\" hex address")
        stream("jsonl-order-too-large", #"{"kind":"preserve_folio","args":{"phys":"0x100400000","order":53},"result":"ok"}"#, "line 3: args.order: 53 is outside 0…52, the orders of 4096-byte pages")
        stream("jsonl-truncated-line", #"{"kind":"preserve_folio","args":{"phys":"0x1004"#, newline: false, "line 3: not valid JSON at column 48: the line ends inside a string (the stream ends without a newline: the line is cut off)")
        stream("jsonl-not-json", "preserve_folio 0x100400000 0", "line 3: not valid JSON at column 1: unexpected 'p' where a value should start")
        stream("jsonl-unknown-field", #"{"kind":"preserve_folio","args":{"phys":"0x100400000","order":0},"result":"ok","colour":"red"}"#, "line 3: unknown field \"colour\" for an event line")
        stream("jsonl-outside-ram", #"{"kind":"preserve_pages","args":{"phys":"0x200000000","nr_pages":4},"result":"ok"}"#, "line 3: args: 4 pages at 0x200000000 lie outside RAM [0x100000000, 0x101000000)")
        stream("jsonl-misaligned-pages", #"{"kind":"preserve_pages","args":{"phys":"0x100400800","nr_pages":1},"result":"ok"}"#, "line 3: args.phys: 0x100400800 is not aligned to a 4096-byte page")
        stream("jsonl-misaligned-folio", #"{"kind":"preserve_folio","args":{"phys":"0x100401000","order":1},"result":"ok"}"#, "line 3: args.phys: 0x100401000 is not aligned to an order-1 block")
        stream("jsonl-bad-base64", #"{"kind":"write","args":{"phys":"0x100200000","length":4},"result":"ok","writes":[{"phys":"0x100200000","bytes":"not base64!"}]}"#, "line 3: writes[0].bytes: \"not base64!\" is not base64")
        stream("jsonl-chunk-length", #"{"kind":"preserve_vmalloc","args":{"descriptor":"0x100200000"},"result":"ok","chunks":[{"phys":"0x100300000","bytes":"AAAA"}]}"#, "line 3: chunks[0].bytes: 3 bytes, a chunk page has 4096")
        stream("jsonl-unknown-errno", #"{"kind":"preserve_folio","args":{"phys":"0x100400000","order":0},"result":-1}"#, "line 3: result: -1 is not 0 or a negative errno KHO returns")
        stream("jsonl-unknown-vmalloc-flags", #"{"kind":"preserve_vmalloc","args":{"descriptor":"0x100200000"},"result":"ok","descriptor":{"first":"0x100300000","total_pages":1,"flags":32768,"order":0}}"#, "line 3: descriptor.flags: 0x8000 has bits outside KHO_VMALLOC_ALLOC | KHO_VMALLOC_HUGE_VMAP")
        stream("jsonl-duplicate-key", #"{"kind":"preserve_folio","kind":"unpreserve_folio","args":{"phys":"0x100400000","order":0},"result":"ok"}"#, "line 3: not valid JSON at column 26: duplicate key \"kind\"")
        stream("jsonl-nested-too-deep", String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "line 3: not valid JSON at column 33: nested deeper than 32 levels")
        stream("jsonl-generation-skip", #"{"kind":"boot","generation":3,"args":{},"result":"ok"}"#, "line 3: generation: boot of generation 3 does not follow a kexec of generation 2")
        stream("jsonl-orphan-nested-call", #"{"kind":"preserve_pages","tid":9,"depth":1,"args":{"phys":"0x100400000","nr_pages":1},"result":0}"#, "line 3: nested call (depth 1, tid 9) has no enclosing call")
        stream("jsonl-vmalloc-layout-mismatch", #"{"kind":"preserve_vmalloc","args":{"descriptor":"0x100300000"},"result":"ok","descriptor":{"first":"0x100400000","total_pages":2,"flags":1,"order":0}}"#,
               good: [boot, #"{"kind":"preserve_pages","depth":1,"args":{"phys":"0x100400000","nr_pages":1},"result":0}"#], recorded: 1, "line 3: the 1 nested preserve_pages calls do not fit descriptor total_pages 2 order 0")
        stream("jsonl-bad-first-line", #"{"kind":"boot","generation":"zero","args":{},"result":"ok"}"#, good: [], "line 1: generation: expected an integer, found a string \"zero\" (stopped; nothing recorded)")
        stream("jsonl-bad-time", #"{"kind":"preserve_folio","time":"yesterday","args":{"phys":"0x100400000","order":0},"result":"ok"}"#, "line 3: time: \"yesterday\" is not an ISO-8601 time")
        stream("jsonl-vmalloc-without-descriptor", #"{"kind":"preserve_vmalloc","args":{"descriptor":"0x100300000"},"result":"ok"}"#,
               "line 3: descriptor: a successful preserve_vmalloc needs its descriptor")
        stream("jsonl-nul-in-name", #"{"kind":"preserve_folio","name":"app\u0000x","args":{"phys":"0x100400000","order":0},"result":"ok"}"#,
               "line 3: name: NUL (\\u0000) at character 4 of \"app\\0x\": text fields cannot hold NUL")
        // The name's last byte becomes 0xe9 (Latin-1 é), which is not UTF-8 before a quote.
        stream("jsonl-invalid-utf8", #"{"kind":"preserve_folio","name":"caf@","args":{"phys":"0x100400000","order":0},"result":"ok"}"#,
               "line 3: not valid JSON at column 37: invalid UTF-8 inside a string (byte 0xe9)")
        files["jsonl-invalid-utf8.jsonl"] = files["jsonl-invalid-utf8.jsonl"]!.map { $0 == UInt8(ascii: "@") ? 0xe9 : $0 }
        stream("jsonl-name-too-long", #"{"kind":"preserve_folio","name":"\#(String(repeating: "n", count: 256))","args":{"phys":"0x100400000","order":0},"result":"ok"}"#,
               "line 3: name: \"nnnnnnnnnnnnnnnnnnnnnnnn\"…: a name of 256 bytes is longer than 255 bytes, the limit")
        stream("jsonl-bad-fdt", #"{"kind":"kexec","args":{},"result":"ok","fdt":"AAAAAAAAAAAAAAAA"}"#, "line 3: fdt: not a flattened device tree: FDT buffer of 12 bytes is shorter than the 40-byte header")
        return (files, entries)
    }

    // MARK: the valid handover

    /// The root FDT: kho-v3, tracker at `map` (default ``root``), subtree `app` at the descriptor.
    static func rootFDT(map: UInt64 = root) throws -> [UInt8] {
        try KHORootFDT(generation: .v3, preservedMemoryMap: map, subtrees: [KHOSubtree(name: "app", phys: descriptor, size: 16)])
            .encode(pageSize: 4096)
    }

    /// The handover's memory as an ELF core, with `preserved` (default: the
    /// descriptor page, the chunk and both blocks) in the tracker, after `mutate`.
    static func handover(preserved: Set<UInt64>? = nil, _ mutate: (inout CraftedMemory) -> Void = { _ in }) throws -> [UInt8] {
        var tracker = TrackerPages(memory: CraftedMemory(), next: root + CraftedMemory.pageSize)
        tracker.memory.write([UInt8](repeating: 0, count: 4096), at: root)
        for phys in (preserved ?? Set([descriptor, chunk] + blocks)).sorted() {
            try RadixTracker(geometry: .kib4, rootPhys: root).insert(PreservedBlock(phys: phys, order: 0), in: &tracker)
        }
        var memory = tracker.memory
        memory.write(VmallocDescriptor(first: chunk, totalPages: 2, flags: .alloc, order: 0).encode(), at: descriptor)
        memory.write(try VmallocChunk(next: 0, entries: blocks).encode(geometry: .kib4), at: chunk)
        for (index, block) in blocks.enumerated() {
            memory.write((0 ..< 4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }, at: block)
        }
        mutate(&memory)
        let directory = try TemporaryDirectory("corpus")
        try memory.writeElf(to: directory.path("image.elf"))
        return [UInt8](try Data(contentsOf: directory.url.appendingPathComponent("image.elf")))
    }

    /// An ELF core of `segments`.
    static func elf(_ segments: [(paddr: UInt64, bytes: [UInt8])]) throws -> [UInt8] {
        let directory = try TemporaryDirectory("corpus")
        try ElfCoreWriter().write(segments: segments, toPath: directory.path("image.elf"))
        return [UInt8](try Data(contentsOf: directory.url.appendingPathComponent("image.elf")))
    }

    /// Writes every file and corpus.json into `directory`.
    static func write(to directory: URL) throws {
        let (files, entries) = try build()
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(entries) + Data("\n".utf8)).write(to: directory.appendingPathComponent("corpus.json"))
    }
}

/// Crafted memory with a page allocator for radix nodes (pages from `next` up).
private struct TrackerPages: RadixTrackerMemory {
    var memory: CraftedMemory
    var next: UInt64

    func loadWord(at phys: UInt64) throws -> UInt64 {
        try memory.reader(phys, 8).loadLittleEndian(UInt64.self, at: 0)
    }

    mutating func storeWord(_ value: UInt64, at phys: UInt64) throws { memory.store(value, at: phys) }

    mutating func allocateNodePage() throws -> UInt64 {
        defer { next += CraftedMemory.pageSize }
        memory.write([UInt8](repeating: 0, count: 4096), at: next)
        return next
    }

    mutating func freeNodePage(_ phys: UInt64) throws { memory.unmap(phys) }
}

extension Array where Element == UInt8 {
    /// Overwrites a big-endian u32 (an FDT header field) at `offset`.
    mutating func patchBigEndian(_ value: UInt32, at offset: Int) {
        Swift.withUnsafeBytes(of: value.bigEndian) { replaceSubrange(offset ..< offset + 4, with: $0) }
    }

    /// Replaces the first occurrence of `pattern` (which must occur).
    mutating func replace(_ pattern: [UInt8], with replacement: [UInt8]) {
        let start = (0 ... count - pattern.count).first { Array(self[$0 ..< $0 + pattern.count]) == pattern }!
        replaceSubrange(start ..< start + pattern.count, with: replacement)
    }
}
