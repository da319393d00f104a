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
-- (MATERIALIZED: each generation's last seq is looked up once, not per row.)
WITH point AS MATERIALIZED (
    SELECT g.generation, g.page_size, (SELECT max(seq) FROM op WHERE op.generation = g.generation) AS seq
    FROM generation g
    WHERE :generation IS NULL OR g.generation = :generation
)
-- preserved_run_block: every block of runs and packed rows, at most the
-- blocks the generation's memory holds whatever a damaged count says.
SELECT b.generation, b.phys / p.page_size AS pfn, printf('0x%x', b.phys) AS phys, b.ord AS "order", 1 << b.ord AS pages,
       b.from_seq AS preserved_seq, o.kind AS preserved_by, o.subject
FROM point p
JOIN preserved_run_block b ON b.generation = p.generation AND b.from_seq <= p.seq AND (b.to_seq IS NULL OR b.to_seq > p.seq)
JOIN op o ON o.seq = b.from_seq
ORDER BY b.generation, b.phys;
