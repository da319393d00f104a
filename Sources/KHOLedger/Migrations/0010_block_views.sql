-- kholedger ledger schema, migration 0010: each layout table expanded once.
--
-- A row of op_change, preserved_run or object_extent covers `count` blocks
-- of order `ord`: contiguous from `phys` when `blocks` is NULL (a run), else
-- the blocks whose page frame numbers `blocks` lists (a packed row,
-- migration 0009). The views, reports and queries that need one row per
-- block each spelled that rule out again. The three views below spell it
-- out once per table, and everything that needs blocks reads them. They are
-- building blocks, not part of the documented interface (the `v_` views
-- are): their columns are what those readers need.
--
-- Both forms are expanded by json_each, so each view is a plain join: a
-- packed row through its list, a run through a list of as many nulls as it
-- has blocks. Block i (json_each's `key`) is at the page frame number the
-- list names times the page size, or, where the list names none (a run),
-- at phys + i * the block size. A condition on a row's columns (seq,
-- generation, object, time) reaches the table's indexes through the view,
-- as it did not through the recursive expansions of 0008 and 0009 (SQLite
-- does not push a condition into a recursive CTE). As in 0008, a run has
-- at least its first block and at most the blocks its generation's memory
-- holds (a block size of 0, from a corrupt order, leaves the first only),
-- whatever a damaged count says. Each view's columns: the row's key, `i`
-- (the block's place in its row, 0 for the first), `phys` (the block's
-- address), `ord`, and what its readers need of the row.

-- op_change_block: every block an op_change row adds, removes or restores,
-- with the action, the op's generation and the block's bytes (`size`).
-- Read from the op (CROSS JOIN): a scan of op_change would go through
-- op_change_by_page and look every row up.
CREATE VIEW op_change_block AS
SELECT o.seq, c.part, c.action, o.generation, j.key AS i,
       coalesce(j.value * g.page_size, c.phys + j.key * (g.page_size << c.ord)) AS phys,
       c.ord, g.page_size << c.ord AS size
FROM op o
CROSS JOIN op_change c ON c.seq = o.seq
JOIN generation g ON g.generation = o.generation
-- A run lists as many nulls as its count, at least one, at most what the memory holds.
JOIN json_each(coalesce(c.blocks, '[' || substr(replace(hex(zeroblob(
    max(1, ifnull(min(c.count, g.memory_size / (g.page_size << c.ord)), 1)))), '00', ',null'), 2) || ']')) j;

-- preserved_run_block: every block of every preserved interval
-- [from_seq, to_seq), with its row's id and the block's bytes (`size`).
CREATE VIEW preserved_run_block AS
SELECT r.id, r.generation, r.from_seq, r.to_seq, j.key AS i,
       coalesce(j.value * g.page_size, r.phys + j.key * (g.page_size << r.ord)) AS phys,
       r.ord, g.page_size << r.ord AS size
FROM preserved_run r
JOIN generation g ON g.generation = r.generation
-- A run lists as many nulls as its count, at least one, at most what the memory holds.
JOIN json_each(coalesce(r.blocks, '[' || substr(replace(hex(zeroblob(
    max(1, ifnull(min(r.count, g.memory_size / (g.page_size << r.ord)), 1)))), '00', ',null'), 2) || ']')) j;

-- object_extent_block: every block of every object, with its index among
-- the object's blocks (`idx`: the row's first_index + i). Read from the
-- object (CROSS JOIN), as op_change_block from the op.
CREATE VIEW object_extent_block AS
SELECT o.id AS object_id, e.first_index + j.key AS idx, j.key AS i,
       coalesce(j.value * g.page_size, e.phys + j.key * (g.page_size << e.ord)) AS phys,
       e.ord
FROM object o
CROSS JOIN object_extent e ON e.object_id = o.id
JOIN generation g ON g.generation = o.generation
-- A run lists as many nulls as its count, at least one, at most what the memory holds.
JOIN json_each(coalesce(e.blocks, '[' || substr(replace(hex(zeroblob(
    max(1, ifnull(min(e.count, g.memory_size / (g.page_size << e.ord)), 1)))), '00', ',null'), 2) || ']')) j;

-- The public views, as in 0009, read the blocks from the views above.

-- One row per block ("frame" of 2^order pages) of every object.
DROP VIEW v_frames;
CREATE VIEW v_frames AS
SELECT o.generation, o.name AS owner, o.kind AS owner_kind, b.idx AS index_in_owner,
       printf('0x%x', b.phys) AS phys, b.phys / g.page_size AS pfn,
       b.ord AS "order", o.from_seq, o.to_seq, o.id AS object_id
FROM object_extent_block b
JOIN object o ON o.id = b.object_id
JOIN generation g ON g.generation = o.generation;

-- Preserved blocks as intervals [from_seq, to_seq), one row per block.
DROP VIEW v_preserved;
CREATE VIEW v_preserved AS
SELECT generation, printf('0x%x', phys) AS phys, ord AS "order", from_seq, to_seq FROM preserved_run_block;

-- Every block a generation handed over at its kexec, with the first
-- restore of the next generation that claimed it and KHO's own pages.
DROP VIEW v_handed_over;
CREATE VIEW v_handed_over AS
WITH
handover AS (
    SELECT g.generation, g.page_size, g.kexec_seq, g.fdt_phys, n.generation AS next_generation
    FROM generation g JOIN generation n ON n.parent = g.generation
    WHERE g.kexec_seq IS NOT NULL
),
handed AS (
    SELECT h.generation, h.next_generation, h.kexec_seq, h.fdt_phys, h.page_size, b.phys, b.ord, b.size, b.from_seq
    FROM handover h
    JOIN preserved_run_block b ON b.generation = h.generation AND b.from_seq <= h.kexec_seq
                              AND (b.to_seq IS NULL OR b.to_seq > h.kexec_seq)
),
-- MATERIALIZED: only the restores' rows are expanded (the right side of the
-- LEFT JOIN below would otherwise be every op_change row's blocks).
claimed AS MATERIALIZED (
    SELECT generation, phys, seq FROM op_change_block WHERE action = 'restore'
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
