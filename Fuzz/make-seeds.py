#!/usr/bin/env python3
"""Writes the fuzz seed inputs in Fuzz/Seeds/ from the reference vectors
and, for fuzz-jsonl, from event streams.

Usage: Fuzz/make-seeds.py [VECTORS]   (default: ../shared/vectors beside the checkout)
       $KHOLEDGER names the kholedger binary (default: .build/debug/kholedger)

fuzz-image gets small ELF cores cut from each memory.elf (the first segments,
one page each); fuzz-vmalloc and fuzz-tracker get PagedMemory inputs (records
of a little-endian u64 address and one 4 KiB page, entry point first): the
pages a vmalloc restore or a tracker walk of the vector reads. fuzz-fdt reads
the vectors' kho.dtb files directly. fuzz-jsonl gets a few lines of the
stream `kholedger simulate --events` writes for each example scenario (the
first lines, then the first line of every other kind, up to 48 KB), the
example stream of docs/event-stream.md, and the streams of the malformed
corpus.
"""
import glob, json, os, re, shutil, struct, subprocess, sys, tempfile

PAGE = 4096
root = os.path.dirname(os.path.abspath(__file__))
vectors = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "..", "shared", "vectors")
seeds = os.path.join(root, "Seeds")


def segments(elf):
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, p_paddr, p_filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if p_type == 1:
            yield p_paddr, p_offset, p_filesz


def reader(elf):
    segs = list(segments(elf))
    def read(phys, count):
        for paddr, offset, size in segs:
            if paddr <= phys and phys + count <= paddr + size:
                return elf[offset + phys - paddr: offset + phys - paddr + count]
        return None
    return read


def small_elf(elf, keep=3):
    """The ELF header, `keep` PT_LOAD headers and one page of each."""
    segs = list(segments(elf))[:keep]
    header = bytearray(elf[:64])
    struct.pack_into("<QH", header, 0x20, 64, 0)
    struct.pack_into("<HH", header, 0x36, 56, len(segs))
    data_start = (64 + 56 * len(segs) + PAGE - 1) // PAGE * PAGE
    out = bytearray(header)
    for i, (paddr, offset, size) in enumerate(segs):
        out += struct.pack("<IIQQQQQQ", 1, 7, data_start + i * PAGE, 0, paddr, PAGE, PAGE, PAGE)
    out += bytes(data_start - len(out))
    for paddr, offset, size in segs:
        out += elf[offset: offset + PAGE]
    return bytes(out)


def paged(read, pages):
    out = bytearray()
    for phys in pages:
        page = read(phys, PAGE)
        if page is not None:
            out += struct.pack("<Q", phys) + page
    return bytes(out)


def vmalloc_pages(read, area, limit=8):
    """Descriptor page, chunk pages, then data blocks while under `limit` pages."""
    pages = [int(area["descriptor_phys"], 16)] + [int(c, 16) for c in area["chunk_phys"]]
    block_pages = 1 << area["order"]
    for chunk in area["chunk_phys"]:
        page = read(int(chunk, 16), PAGE)
        for slot in range(1, PAGE // 8):
            block, = struct.unpack_from("<Q", page, 8 * slot)
            if block == 0 or len(pages) + block_pages > limit:
                break
            pages += [block + i * PAGE for i in range(block_pages)]
    return pages


def radix_pages(read, node, level):
    pages = [node]
    if level > 0:
        for slot in struct.unpack_from("<512Q", read(node, PAGE)):
            if slot:
                pages += radix_pages(read, slot, level - 1)
    return pages


def bitmap_pages(read, chunks):
    """Each chunk page and every page-aligned mapped page it points to."""
    pages = []
    for chunk in chunks:
        pages.append(chunk)
        for value in struct.unpack_from("<512Q", read(chunk, PAGE)):
            if value and value % PAGE == 0 and read(value, PAGE) is not None and value not in pages:
                pages.append(value)
    return pages


def write(target, name, data):
    os.makedirs(os.path.join(seeds, target), exist_ok=True)
    with open(os.path.join(seeds, target, name), "wb") as f:
        f.write(data)


for vector in sorted(os.listdir(vectors)):
    folder = os.path.join(vectors, vector)
    if not os.path.isdir(folder):
        continue
    expected = json.load(open(os.path.join(folder, "expected.json")))
    elf = open(os.path.join(folder, "memory.elf"), "rb").read()
    write("fuzz-image", vector + ".elf", small_elf(elf))
    if expected["page_size"] != PAGE:
        continue
    read = reader(elf)
    for area in expected["areas"]:
        if int(area["descriptor_phys"], 16) % PAGE == 0:
            write("fuzz-vmalloc", f"{vector}-{area['name']}", paged(read, vmalloc_pages(read, area)))
    if "radix_root_phys" in expected:
        write("fuzz-tracker", vector + "-radix", paged(read, radix_pages(read, int(expected["radix_root_phys"], 16), 5)))
    if "v1_chunks" in expected:
        chunks = [int(c["phys"], 16) for c in expected["v1_chunks"]]
        write("fuzz-tracker", vector + "-bitmap", paged(read, bitmap_pages(read, chunks)))


def stream_seed(lines, first=8, budget=48000):
    """The first lines of a stream, then the first line of each kind not yet
    kept, within `budget` bytes (small inputs fuzz faster)."""
    kept, kinds = [], set()
    for line in lines:
        kind = json.loads(line).get("kind")
        if len(line) < budget and (len(kept) < first or kind not in kinds):
            kept.append(line)
            kinds.add(kind)
            budget -= len(line) + 1
    return b"\n".join(kept) + b"\n"


checkout = os.path.join(root, "..")
kholedger = os.environ.get("KHOLEDGER", os.path.join(checkout, ".build", "debug", "kholedger"))
with tempfile.TemporaryDirectory() as scratch:
    events = os.path.join(scratch, "events.jsonl")
    for scenario in sorted(glob.glob(os.path.join(checkout, "Examples", "*.yaml"))):
        name = os.path.splitext(os.path.basename(scenario))[0]
        subprocess.run([kholedger, "simulate", scenario, "--events", events, "--quiet",
                        "--ledger", os.path.join(scratch, name + ".db")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        write("fuzz-jsonl", name + ".jsonl", stream_seed(open(events, "rb").read().splitlines()))
doc = open(os.path.join(checkout, "docs", "event-stream.md")).read()
write("fuzz-jsonl", "event-stream-doc.jsonl", re.search(r"```jsonl\n(.*?)```", doc, re.S).group(1).encode())
for stream in sorted(glob.glob(os.path.join(checkout, "Tests", "Corpus", "malformed", "jsonl-*.jsonl"))):
    shutil.copy(stream, os.path.join(seeds, "fuzz-jsonl", os.path.basename(stream)))
