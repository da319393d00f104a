-- memory-map: every preserved block with the operation that preserved it.
--
-- Answers: who owns each preserved frame? These are the rows the HTML
--   report's physical-memory map draws (kholedger report --html).
-- Point: each generation as its last operation left it (for a generation
--   that kexec'd: what it handed over).
-- Parameters: :generation  only this generation (NULL, the default: every one).
-- Columns: generation, pfn (phys / page size), phys, order, pages,
--   preserved_seq, preserved_by (the operation's kind: boot is the root
--   FDT page KHO itself preserves), subject (its area, folio or blob name).
WITH RECURSIVE point AS (
    SELECT g.generation, g.page_size, g.memory_size, (SELECT max(seq) FROM op WHERE op.generation = g.generation) AS seq
    FROM generation g
    WHERE :generation IS NULL OR g.generation = :generation
),
block(generation, page_size, phys, ord, from_seq, i, count, room) AS (
    SELECT p.generation, p.page_size, r.phys, r.ord, r.from_seq, 0, r.count, p.memory_size / (p.page_size << r.ord)
    FROM point p
    JOIN preserved_run r ON r.generation = p.generation AND r.from_seq <= p.seq AND (r.to_seq IS NULL OR r.to_seq > p.seq)
    WHERE r.blocks IS NULL
    UNION ALL
    -- At most the blocks the generation's memory holds, whatever a damaged count says.
    SELECT generation, page_size, phys + (page_size << ord), ord, from_seq, i + 1, count, room FROM block
    WHERE i + 1 < count AND i + 1 < room
),
-- Runs expanded, and the blocks packed rows list.
every_block(generation, page_size, phys, ord, from_seq) AS (
    SELECT generation, page_size, phys, ord, from_seq FROM block
    UNION ALL
    SELECT p.generation, p.page_size, j.value * p.page_size, r.ord, r.from_seq
    FROM point p
    JOIN preserved_run r ON r.generation = p.generation AND r.from_seq <= p.seq AND (r.to_seq IS NULL OR r.to_seq > p.seq)
    JOIN json_each(r.blocks) j
    WHERE r.blocks IS NOT NULL
)
SELECT b.generation, b.phys / b.page_size AS pfn, printf('0x%x', b.phys) AS phys, b.ord AS "order", 1 << b.ord AS pages,
       b.from_seq AS preserved_seq, o.kind AS preserved_by, o.subject
FROM every_block b JOIN op o ON o.seq = b.from_seq
ORDER BY b.generation, b.phys;
