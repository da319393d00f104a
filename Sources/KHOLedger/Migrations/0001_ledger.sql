-- kholedger ledger schema, version 1.
--
-- Two time axes: `seq` (global operation number, monotonic) and `generation`
-- (boot number). Facts that change over time are stored as intervals
-- [from_seq, to_seq): to_seq NULL means "still true". The `op` table is the
-- source of truth; every other row is derived in the same transaction as the
-- op that created it and carries that op's seq.
--
-- Physical addresses are stored as INTEGER (signed 64-bit; addresses above
-- 2^63 wrap, which no supported machine uses). Views present them as '0x…'.

CREATE TABLE ledger_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per boot of a machine (or per imported capture).
CREATE TABLE generation (
    generation   INTEGER PRIMARY KEY,          -- ledger-wide boot number
    parent       INTEGER REFERENCES generation(generation),  -- the generation that kexec'd into this one
    lineage      INTEGER NOT NULL,             -- generation of the cold boot this chain started from
    boot_number  INTEGER NOT NULL,             -- 0 for a cold boot, +1 per kexec within the lineage
    abi          TEXT NOT NULL,                -- root FDT compatible, e.g. 'kho-v3'
    page_size    INTEGER NOT NULL,
    memory_base  INTEGER NOT NULL,
    memory_size  INTEGER NOT NULL,
    boot_seq     INTEGER NOT NULL,             -- seq of the boot op
    kexec_seq    INTEGER,                      -- seq of the kexec that handed over (NULL: not yet)
    tracker_root INTEGER,                      -- phys of the outgoing radix root
    fdt_phys     INTEGER,                      -- phys of the outgoing root FDT page
    root_fdt     BLOB,                         -- root FDT bytes handed over at kexec
    source       TEXT NOT NULL,                -- 'simulate' | 'import' | 'record'
    label        TEXT,
    machine      TEXT                          -- JSON of the emulated machine's configuration (simulate only)
);

-- The operation log. `hash` = SHA-256(prev_hash || canonical encoding of this
-- row and its derived rows); see `kholedger audit --chain`.
CREATE TABLE op (
    seq        INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL REFERENCES generation(generation),
    time       TEXT NOT NULL,                  -- ISO-8601 UTC with milliseconds
    kind       TEXT NOT NULL,                  -- preserve_folio, preserve_vmalloc, kexec, ...
    subject    TEXT,                           -- area / blob / subtree name
    args       TEXT NOT NULL,                  -- JSON object of the call's arguments
    result     TEXT NOT NULL,                  -- 'ok', '-EINVAL', 'NULL', ...
    errno      INTEGER,                        -- positive errno when the call failed with one
    detail     TEXT,                           -- failure reason or warnings
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL
);
CREATE INDEX op_by_generation ON op(generation, seq);
CREATE INDEX op_by_time ON op(time, seq);
CREATE INDEX op_by_subject ON op(subject, seq);

-- Tracker changes of each op, in call order, run-length encoded: `count`
-- blocks of `ord` starting at `phys`, each the next block of that order.
-- action: 'add' | 'remove' | 'restore' (a restore consumed the block's magic).
CREATE TABLE op_change (
    seq    INTEGER NOT NULL REFERENCES op(seq),
    part   INTEGER NOT NULL,
    action TEXT NOT NULL,
    phys   INTEGER NOT NULL,
    ord    INTEGER NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (seq, part)
) WITHOUT ROWID;

-- Preserved blocks as intervals, run-length encoded like op_change.
CREATE TABLE preserved_run (
    id         INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL,
    phys       INTEGER NOT NULL,
    ord        INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    from_seq   INTEGER NOT NULL,
    to_seq     INTEGER
);
CREATE INDEX preserved_run_by_time ON preserved_run(generation, from_seq);
CREATE INDEX preserved_run_open ON preserved_run(phys) WHERE to_seq IS NULL;

-- Preserved objects: vmalloc areas (with their descriptor), folios, page
-- ranges, alloc_preserve blobs, and the areas a restore rebuilt.
CREATE TABLE object (
    id               INTEGER PRIMARY KEY,
    generation       INTEGER NOT NULL,
    kind             TEXT NOT NULL,            -- 'vmalloc' | 'folio' | 'pages' | 'blob' | 'restored_vmalloc' | 'restored_folio' | 'restored_pages'
    name             TEXT NOT NULL,
    from_seq         INTEGER NOT NULL,
    to_seq           INTEGER,
    descriptor_phys  INTEGER,                  -- vmalloc: where the kho_vmalloc lives
    first_chunk      INTEGER,                  -- vmalloc descriptor fields
    total_pages      INTEGER,
    flags            INTEGER,
    ord              INTEGER
);
CREATE INDEX object_by_time ON object(generation, from_seq);
CREATE INDEX object_by_name ON object(name, from_seq);

-- Page-frame layout of each object, run-length encoded: blocks
-- first_index … first_index + count − 1 of the object are contiguous
-- physical blocks of `ord` starting at `phys`.
CREATE TABLE object_extent (
    object_id   INTEGER NOT NULL REFERENCES object(id),
    first_index INTEGER NOT NULL,
    phys        INTEGER NOT NULL,
    ord         INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (object_id, first_index)
) WITHOUT ROWID;

-- Exact bytes of every vmalloc chunk page.
CREATE TABLE chunk (
    object_id INTEGER NOT NULL REFERENCES object(id),
    idx       INTEGER NOT NULL,
    phys      INTEGER NOT NULL,
    next      INTEGER NOT NULL,
    entries   INTEGER NOT NULL,
    bytes     BLOB NOT NULL,
    PRIMARY KEY (object_id, idx)
) WITHOUT ROWID;

-- Content-addressed page data: SHA-256 → bytes, each distinct page once.
-- Zero pages are never stored. Rows are appended in rowid order, so the
-- 4 KiB blobs pack densely; the hash index stays small.
CREATE TABLE page_data (
    id    INTEGER PRIMARY KEY,
    hash  BLOB NOT NULL UNIQUE,
    bytes BLOB NOT NULL
);

-- Content of physical pages as intervals, per lineage (one physical machine).
-- A page with no interval covering a seq is zero at that seq.
CREATE TABLE page_content (
    lineage  INTEGER NOT NULL,
    phys     INTEGER NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq   INTEGER,
    data_id  INTEGER NOT NULL REFERENCES page_data(id),
    PRIMARY KEY (lineage, phys, from_seq)
) WITHOUT ROWID;
CREATE INDEX page_content_by_seq ON page_content(from_seq);

-- Subtrees of the root FDT: outgoing (added by this generation) and incoming
-- (found in the FDT the previous generation handed over).
CREATE TABLE subtree (
    id         INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL,
    direction  TEXT NOT NULL,                  -- 'out' | 'in'
    name       TEXT NOT NULL,
    phys       INTEGER NOT NULL,
    size       INTEGER,
    blob       BLOB,                           -- the blob's bytes when the subtree was added (or found)
    from_seq   INTEGER NOT NULL,
    to_seq     INTEGER
);
CREATE INDEX subtree_by_time ON subtree(generation, from_seq);

-- ---------------------------------------------------------------------------
-- Public views: the documented SQL interface. Addresses as '0x…' text.
-- ---------------------------------------------------------------------------

-- One row per boot, with its handover point and op count.
CREATE VIEW v_generations AS
SELECT g.generation, g.parent, g.lineage, g.boot_number, g.abi, g.page_size,
       printf('0x%x', g.memory_base) AS memory_base, g.memory_size,
       g.boot_seq, g.kexec_seq,
       printf('0x%x', g.tracker_root) AS tracker_root, printf('0x%x', g.fdt_phys) AS fdt_phys,
       length(g.root_fdt) AS fdt_size, g.source, g.label,
       (SELECT count(*) FROM op WHERE op.generation = g.generation) AS ops
FROM generation g;

-- One row per operation.
CREATE VIEW v_ops AS
SELECT seq, generation, time, kind, subject, result, errno, args, detail, lower(hex(hash)) AS hash
FROM op;

-- vmalloc areas: preserved ones with their descriptor, and restored ones.
CREATE VIEW v_areas AS
SELECT o.id AS object_id, o.generation, o.name, o.kind,
       printf('0x%x', o.descriptor_phys) AS descriptor_phys, printf('0x%x', o.first_chunk) AS first_chunk,
       o.total_pages, o.flags, o.ord AS "order", o.from_seq, o.to_seq,
       (SELECT count(*) FROM chunk c WHERE c.object_id = o.id) AS chunks
FROM object o
WHERE o.kind IN ('vmalloc', 'restored_vmalloc');

-- Every chunk page of every vmalloc preservation, with its exact bytes.
CREATE VIEW v_chunks AS
SELECT o.generation, o.name AS area, c.idx, printf('0x%x', c.phys) AS phys,
       printf('0x%x', c.next) AS next, c.entries, c.bytes, c.object_id, o.from_seq
FROM chunk c JOIN object o ON o.id = c.object_id;

-- One row per block ("frame" of 2^order pages) of every object, expanded
-- from the run-length extents, in owner order.
CREATE VIEW v_frames AS
WITH RECURSIVE f(object_id, first_index, phys, ord, count, i) AS (
    SELECT object_id, first_index, phys, ord, count, 0 FROM object_extent
    UNION ALL
    SELECT object_id, first_index, phys, ord, count, i + 1 FROM f WHERE i + 1 < count
)
SELECT o.generation, o.name AS owner, o.kind AS owner_kind,
       f.first_index + f.i AS index_in_owner,
       printf('0x%x', f.phys + f.i * (g.page_size << f.ord)) AS phys,
       f.phys / g.page_size + (f.i << f.ord) AS pfn,
       f.ord AS "order", o.from_seq, o.to_seq, o.id AS object_id
FROM f
JOIN object o ON o.id = f.object_id
JOIN generation g ON g.generation = o.generation;

-- Preserved blocks as intervals [from_seq, to_seq), one row per block.
-- "Preserved as of seq S":
--   SELECT * FROM v_preserved WHERE from_seq <= :seq AND (to_seq IS NULL OR to_seq > :seq);
CREATE VIEW v_preserved AS
WITH RECURSIVE b(id, generation, phys, ord, count, from_seq, to_seq, i) AS (
    SELECT id, generation, phys, ord, count, from_seq, to_seq, 0 FROM preserved_run
    UNION ALL
    SELECT id, generation, phys, ord, count, from_seq, to_seq, i + 1 FROM b WHERE i + 1 < count
)
SELECT b.generation, printf('0x%x', b.phys + b.i * (g.page_size << b.ord)) AS phys,
       b.ord AS "order", b.from_seq, b.to_seq
FROM b JOIN generation g ON g.generation = b.generation;

-- Subtrees, outgoing and incoming, as intervals.
CREATE VIEW v_subtrees AS
SELECT generation, direction, name, printf('0x%x', phys) AS phys, size, length(blob) AS blob_bytes,
       from_seq, to_seq
FROM subtree;
