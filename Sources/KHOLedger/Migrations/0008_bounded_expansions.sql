-- kholedger ledger schema, migration 0008: expansions bounded by memory.
--
-- The views that expand run-length rows into one row per block (v_frames,
-- v_preserved, v_handed_over) recurse `count` times per row. A ledger is
-- untrusted input: a damaged or edited `count` of 2^62 made them, and every
-- report and audit check reading them, run without end. No run can hold
-- more blocks than its generation's memory: each expansion now also stops
-- after memory_size / block size blocks (`room`; a block size of 0, from a
-- corrupt order, expands nothing). The views keep their columns, and on a
-- ledger kholedger wrote they return the same rows as before.

DROP VIEW v_frames;
CREATE VIEW v_frames AS
WITH RECURSIVE f(object_id, first_index, phys, ord, count, i, room) AS (
    SELECT e.object_id, e.first_index, e.phys, e.ord, e.count, 0, g.memory_size / (g.page_size << e.ord)
    FROM object_extent e JOIN object o ON o.id = e.object_id JOIN generation g ON g.generation = o.generation
    UNION ALL
    SELECT object_id, first_index, phys, ord, count, i + 1, room FROM f WHERE i + 1 < count AND i + 1 < room
)
SELECT o.generation, o.name AS owner, o.kind AS owner_kind,
       f.first_index + f.i AS index_in_owner,
       printf('0x%x', f.phys + f.i * (g.page_size << f.ord)) AS phys,
       f.phys / g.page_size + (f.i << f.ord) AS pfn,
       f.ord AS "order", o.from_seq, o.to_seq, o.id AS object_id
FROM f
JOIN object o ON o.id = f.object_id
JOIN generation g ON g.generation = o.generation;

DROP VIEW v_preserved;
CREATE VIEW v_preserved AS
WITH RECURSIVE b(id, generation, phys, ord, count, from_seq, to_seq, i, room) AS (
    SELECT r.id, r.generation, r.phys, r.ord, r.count, r.from_seq, r.to_seq, 0, g.memory_size / (g.page_size << r.ord)
    FROM preserved_run r JOIN generation g ON g.generation = r.generation
    UNION ALL
    SELECT id, generation, phys, ord, count, from_seq, to_seq, i + 1, room FROM b WHERE i + 1 < count AND i + 1 < room
)
SELECT b.generation, printf('0x%x', b.phys + b.i * (g.page_size << b.ord)) AS phys,
       b.ord AS "order", b.from_seq, b.to_seq
FROM b JOIN generation g ON g.generation = b.generation;

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
    UNION ALL
    SELECT generation, next_generation, kexec_seq, fdt_phys, page_size, phys + size, ord, size, from_seq, i + 1, count, room
    FROM handed WHERE i + 1 < count AND i + 1 < room
),
claimed(generation, phys, size, seq, i, count, room) AS (
    SELECT o.generation, c.phys, g.page_size << c.ord, c.seq, 0, c.count, g.memory_size / (g.page_size << c.ord)
    FROM op_change c JOIN op o ON o.seq = c.seq JOIN generation g ON g.generation = o.generation
    WHERE c.action = 'restore'
    UNION ALL
    SELECT generation, phys + size, size, seq, i + 1, count, room FROM claimed WHERE i + 1 < count AND i + 1 < room
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
FROM handed b
LEFT JOIN claimed c ON c.generation = b.next_generation AND c.phys = b.phys
GROUP BY b.generation, b.phys, b.ord;
