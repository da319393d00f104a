-- kholedger ledger schema, migration 0009: scattered blocks packed.
--
-- A vmalloc area whose pages the allocator scattered had one
-- `object_extent`, one `op_change` and one `preserved_run` row per page,
-- each with its entries in the primary key, the page indexes of migration
-- 0007 and (`preserved_run`) the interval indexes of 0002: recording
-- 1,000,000 scattered frames wrote about ten million index entries.
-- A row of these three tables now covers up to 512 blocks of one order that
-- do not follow each other: `blocks` lists them, as a JSON array of the page
-- frame number of each block's first page, in order; `phys` is the first
-- block's address and `count` their number. A row whose `blocks` is NULL is
-- a contiguous run, as before, so an existing ledger keeps its rows as they
-- are, and its hash chain: a run is hashed as before, a packed row with its
-- list.
--
-- `span_bits` treats every row as a run: a packed row's blocks are found by
-- reading its list (the `_packed` partial indexes find the packed rows), not
-- through the page indexes.

ALTER TABLE object_extent ADD COLUMN blocks TEXT;
CREATE INDEX object_extent_packed ON object_extent(object_id) WHERE blocks IS NOT NULL;
ALTER TABLE op_change ADD COLUMN blocks TEXT;
CREATE INDEX op_change_packed ON op_change(seq) WHERE blocks IS NOT NULL;
ALTER TABLE preserved_run ADD COLUMN blocks TEXT;
CREATE INDEX preserved_run_packed ON preserved_run(generation, from_seq) WHERE blocks IS NOT NULL;

-- One row per block ("frame" of 2^order pages) of every object: runs
-- expanded (at most the blocks the generation's memory holds, whatever a
-- damaged count says), packed rows through json_each.
DROP VIEW v_frames;
CREATE VIEW v_frames AS
WITH RECURSIVE f(object_id, first_index, block, ord, size, count, i, room) AS (
    SELECT e.object_id, e.first_index, e.phys, e.ord, g.page_size << e.ord, e.count, 0, g.memory_size / (g.page_size << e.ord)
    FROM object_extent e JOIN object o ON o.id = e.object_id JOIN generation g ON g.generation = o.generation
    WHERE e.blocks IS NULL
    UNION ALL
    SELECT object_id, first_index, block + size, ord, size, count, i + 1, room FROM f WHERE i + 1 < count AND i + 1 < room
),
frame(object_id, index_in_owner, phys, ord) AS (
    SELECT object_id, first_index + i, block, ord FROM f
    UNION ALL
    SELECT e.object_id, e.first_index + j.key, j.value * g.page_size, e.ord
    FROM object_extent e
    JOIN object o ON o.id = e.object_id JOIN generation g ON g.generation = o.generation
    JOIN json_each(e.blocks) j
    WHERE e.blocks IS NOT NULL
)
SELECT o.generation, o.name AS owner, o.kind AS owner_kind,
       fr.index_in_owner,
       printf('0x%x', fr.phys) AS phys,
       fr.phys / g.page_size AS pfn,
       fr.ord AS "order", o.from_seq, o.to_seq, o.id AS object_id
FROM frame fr
JOIN object o ON o.id = fr.object_id
JOIN generation g ON g.generation = o.generation;

-- Preserved blocks as intervals [from_seq, to_seq), one row per block:
-- runs expanded as in 0008, packed rows through json_each.
DROP VIEW v_preserved;
CREATE VIEW v_preserved AS
WITH RECURSIVE b(id, generation, phys, ord, count, from_seq, to_seq, i, room) AS (
    SELECT r.id, r.generation, r.phys, r.ord, r.count, r.from_seq, r.to_seq, 0, g.memory_size / (g.page_size << r.ord)
    FROM preserved_run r JOIN generation g ON g.generation = r.generation
    WHERE r.blocks IS NULL
    UNION ALL
    SELECT id, generation, phys, ord, count, from_seq, to_seq, i + 1, room FROM b WHERE i + 1 < count AND i + 1 < room
),
block(generation, phys, ord, from_seq, to_seq) AS (
    SELECT b.generation, b.phys + b.i * (g.page_size << b.ord), b.ord, b.from_seq, b.to_seq
    FROM b JOIN generation g ON g.generation = b.generation
    UNION ALL
    SELECT r.generation, j.value * g.page_size, r.ord, r.from_seq, r.to_seq
    FROM preserved_run r JOIN generation g ON g.generation = r.generation JOIN json_each(r.blocks) j
    WHERE r.blocks IS NOT NULL
)
SELECT generation, printf('0x%x', phys) AS phys, ord AS "order", from_seq, to_seq FROM block;

-- v_handed_over as in 0008, with the blocks handed over and those a restore
-- claimed read from packed rows too.
DROP VIEW v_handed_over;
CREATE VIEW v_handed_over AS
WITH RECURSIVE
handover AS (
    SELECT g.generation, g.page_size, g.memory_size, g.kexec_seq, g.fdt_phys, n.generation AS next_generation
    FROM generation g JOIN generation n ON n.parent = g.generation
    WHERE g.kexec_seq IS NOT NULL
),
handed(generation, next_generation, kexec_seq, fdt_phys, page_size, phys, ord, size, from_seq, i, count, room) AS (
    SELECT h.generation, h.next_generation, h.kexec_seq, h.fdt_phys, h.page_size, r.phys, r.ord, h.page_size << r.ord,
           r.from_seq, 0, r.count, h.memory_size / (h.page_size << r.ord)
    FROM handover h
    JOIN preserved_run r ON r.generation = h.generation AND r.from_seq <= h.kexec_seq
                        AND (r.to_seq IS NULL OR r.to_seq > h.kexec_seq)
    WHERE r.blocks IS NULL
    UNION ALL
    SELECT generation, next_generation, kexec_seq, fdt_phys, page_size, phys + size, ord, size, from_seq, i + 1, count, room
    FROM handed WHERE i + 1 < count AND i + 1 < room
),
handed_block(generation, next_generation, kexec_seq, fdt_phys, page_size, phys, ord, size, from_seq) AS (
    SELECT generation, next_generation, kexec_seq, fdt_phys, page_size, phys, ord, size, from_seq FROM handed
    UNION ALL
    SELECT h.generation, h.next_generation, h.kexec_seq, h.fdt_phys, h.page_size, j.value * h.page_size, r.ord,
           h.page_size << r.ord, r.from_seq
    FROM handover h
    JOIN preserved_run r ON r.generation = h.generation AND r.from_seq <= h.kexec_seq
                        AND (r.to_seq IS NULL OR r.to_seq > h.kexec_seq)
    JOIN json_each(r.blocks) j
    WHERE r.blocks IS NOT NULL
),
claimed(generation, phys, size, seq, i, count, room) AS (
    SELECT o.generation, c.phys, g.page_size << c.ord, c.seq, 0, c.count, g.memory_size / (g.page_size << c.ord)
    FROM op_change c JOIN op o ON o.seq = c.seq JOIN generation g ON g.generation = o.generation
    WHERE c.action = 'restore' AND c.blocks IS NULL
    UNION ALL
    SELECT generation, phys + size, size, seq, i + 1, count, room FROM claimed WHERE i + 1 < count AND i + 1 < room
),
claimed_block(generation, phys, seq) AS (
    SELECT generation, phys, seq FROM claimed
    UNION ALL
    SELECT o.generation, j.value * g.page_size, c.seq
    FROM op_change c JOIN op o ON o.seq = c.seq JOIN generation g ON g.generation = o.generation JOIN json_each(c.blocks) j
    WHERE c.action = 'restore' AND c.blocks IS NOT NULL
)
SELECT b.generation, b.next_generation, printf('0x%x', b.phys) AS phys, b.phys / b.page_size AS pfn,
       b.ord AS "order", b.size AS bytes, b.from_seq AS preserved_seq, min(c.seq) AS claimed_seq,
       CASE
           WHEN b.phys IS b.fdt_phys THEN 'root-fdt'
           WHEN EXISTS (SELECT 1 FROM subtree s
                        WHERE s.generation = b.generation AND s.direction = 'out' AND s.name = 'kexec-metadata'
                          AND s.phys = b.phys AND s.from_seq <= b.kexec_seq
                          AND (s.to_seq IS NULL OR s.to_seq >= b.kexec_seq)) THEN 'kexec-metadata'
       END AS kho_own
FROM handed_block b
LEFT JOIN claimed_block c ON c.generation = b.next_generation AND c.phys = b.phys
GROUP BY b.generation, b.phys, b.ord;
